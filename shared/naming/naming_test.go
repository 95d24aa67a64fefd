package naming

import "testing"

// The names are part of deployed stacks (renaming the topic or the secret
// replaces it): a change here must be deliberate.
func TestNames(t *testing.T) {
	e := Env("prod")
	for _, tt := range []struct{ got, want string }{
		{e.Stack("stateful"), "keyward-prod-stateful"},
		{e.TableName(), "keyward"},
		{e.TableKeyAlias(), "alias/keyward-prod-table"},
		{e.AlarmTopic(), "keyward-prod-alarms"},
		{e.AuditContextKeySecret(), "keyward/prod/audit-context-key"},
		{e.Function("keyops"), "keyward-prod-keyops"},
		{e.FunctionRole("audit"), "keyward-prod-audit"},
		{e.TrailBucket("111122223333"), "keyward-prod-trail-111122223333"},
		{string(Env(LocalEnvironment).Stack("compute")), "keyward-dev-compute"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
