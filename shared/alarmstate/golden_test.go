package alarmstate

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/keyward/keyward/shared/rules"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// The notification body is an interface for subscribers: pin it.
func TestMessageGolden(t *testing.T) {
	w := Window{Start: time.Date(2026, 12, 1, 10, 15, 0, 0, time.UTC), End: time.Date(2026, 12, 1, 10, 20, 0, 0, time.UTC)}
	a := Alarm{Rule: "key-pending-deletion-use", Resource: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		State: rules.StateAlarm, Severity: rules.SeverityCritical, Reason: "1 call(s) to a key pending deletion",
		Since: w.End, Window: w, Evidence: rules.Evidence{Count: 1, EventIDs: []string{"a44fd86b-38ba-56b6-bcc3-9daa0b48cd62"},
			Principals: []string{"arn:aws:iam::111122223333:role/app-role"}, First: w.Start, Last: w.Start}}
	meta := rules.Build(rules.DefaultConfig("111122223333"))[1].Meta()
	got, err := json.MarshalIndent(NewMessage(a, KindAlarm, rules.StateOK, meta, "111122223333", "us-east-1"), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "message-alarm.json")
	if *update {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(got)+"\n" {
		t.Fatalf("message body changed (go test -update to accept):\n%s", got)
	}
}
