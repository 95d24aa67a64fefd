package table

import (
	"sort"
	"testing"
	"time"
)

func TestRotationKeys(t *testing.T) {
	at := time.Date(2026, 12, 2, 6, 0, 0, 5, time.FixedZone("CET", 3600))
	arn := "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf"
	ok := NewRotationEntry(arn, "tok", "setSecret", "postgres-single", "Succeeded", "", at, 1500*time.Millisecond)
	if ok.PK != "ROTATION#"+arn || ok.SK != "STEP#2026-12-02T05:00:00.000000005Z#tok#setSecret" {
		t.Fatalf("keys %s / %s", ok.PK, ok.SK)
	}
	if ok.GSI1PK != "" || ok.DurationMS != 1500 || ok.TTL != at.Add(RotationEntryTTL).Unix() {
		t.Fatalf("success entry: %+v", ok)
	}
	failed := NewRotationEntry(arn, "tok", "setSecret", "postgres-single", "Failed", "Unreachable", at, 0)
	if failed.GSI1PK != RotationFailedGSI1PK || failed.GSI1SK != "2026-12-02T05:00:00.000000005Z#"+arn {
		t.Fatalf("failed entry not in gsi1: %+v", failed)
	}
	st := NewRotationStatus(arn, "postgres-single", "tok", at)
	if st.SK != RotationStatusSK || st.GSI2PK != RotationStatusGSI2PK || st.LastSucceededAt != "2026-12-02T05:00:00.000000005Z" {
		t.Fatalf("status: %+v", st)
	}
}

// Sort keys order by time as strings, whatever the time's zone and precision.
func TestRotationStepSKOrdersByTime(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	times := []time.Time{base.Add(time.Second), base, base.Add(time.Nanosecond), base.Add(999 * time.Millisecond).In(time.FixedZone("X", -7200))}
	var sks []string
	for _, at := range times {
		sks = append(sks, RotationStepSK(at, "t", "s"))
	}
	sort.Strings(sks)
	want := []time.Time{times[1], times[2], times[3], times[0]}
	for i, at := range want {
		if sks[i] != RotationStepSK(at, "t", "s") {
			t.Fatalf("order %d: %s", i, sks[i])
		}
	}
}
