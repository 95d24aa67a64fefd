package keyops

import (
	"testing"
	"time"

	"github.com/keyward/keyward/shared/table"
)

func (st *Store) disables(t testing.TB, alias string) ([]table.KeyDisableItem, error) {
	return query[table.KeyDisableItem](t.Context(), st, beginsWith(table.KeyopsKeyPK(alias), table.KeyopsDisableSKPrefix))
}

func testPoliciesItem(principal string) table.PolicyItem {
	return table.NewPolicyItem(principal, testPolicies[principal], time.Now())
}
