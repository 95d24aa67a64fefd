package rules

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

const (
	own   = "111122223333"
	key1  = "arn:aws:kms:us-east-1:111122223333:key/1111aaaa-1111-4111-8111-111111111111"
	key2  = "arn:aws:kms:us-east-1:111122223333:key/2222bbbb-2222-4222-8222-222222222222"
	sec1  = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf"
	app   = "arn:aws:iam::111122223333:role/app"
	other = "arn:aws:iam::444455556666:role/intruder"
)

var (
	start = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	end   = start.Add(5 * time.Minute)
)

func at(m int) time.Time { return start.Add(time.Duration(m) * time.Minute) }

func kmsEvent(id, name, res string, m int) Event {
	return Event{ID: id, Time: at(m), Source: "kms.amazonaws.com", Name: name, Resources: []string{res}, Principal: app, SourceIP: "10.0.0.5"}
}

func snap(mod func(*Snapshot)) *Snapshot {
	s := &Snapshot{Start: start, End: end, FirstSeen: map[Caller]time.Time{}, LastUse: map[string]time.Time{}, Hourly: map[ResourceOp]HourlyUsage{}}
	if mod != nil {
		mod(s)
	}
	return s
}

// want is the expected verdict: resource → state (+ severity when set).
type want map[string]string

func check(t *testing.T, r Rule, s *Snapshot, w want) {
	t.Helper()
	got := want{}
	for _, f := range r.Evaluate(s) {
		if f.Rule != r.Meta().ID {
			t.Errorf("finding rule %q, want %q", f.Rule, r.Meta().ID)
		}
		if f.Reason == "" {
			t.Errorf("%s: empty reason", f.Resource)
		}
		got[f.Resource] = string(f.State) + "/" + string(f.Severity)
	}
	for k, v := range w {
		if !strings.HasPrefix(got[k], v) {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
	for k, v := range got {
		if _, ok := w[k]; !ok {
			t.Errorf("unexpected finding %s: %s", k, v)
		}
	}
}

func TestRules(t *testing.T) {
	cfg := DefaultConfig(own)
	cfg.UnknownCaller.AllowedCIDRs = nil
	netCfg := cfg.UnknownCaller
	netCfg.AllowedVPCEndpoints = []string{"vpce-0allowed"}
	netCfg.AllowedCIDRs = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	week := 7 * 24 * time.Hour
	known := func(s *Snapshot, res string) {
		s.FirstSeen[Caller{res, CallerResource, ""}] = start.Add(-30 * 24 * time.Hour)
		s.FirstSeen[Caller{res, CallerPrincipal, app}] = start.Add(-30 * 24 * time.Hour)
		s.FirstSeen[Caller{res, CallerSource, "10.0.0.5"}] = start.Add(-30 * 24 * time.Hour)
	}
	tests := []struct {
		name string
		rule Rule
		snap *Snapshot
		want want
	}{
		{"disable fires", KeyDisabled{}, snap(func(s *Snapshot) {
			s.Events = []Event{kmsEvent("e1", "DisableKey", key1, 1), kmsEvent("e2", "ScheduleKeyDeletion", key2, 2)}
		}), want{key1: "ALARM", key2: "ALARM"}},
		{"enable after disable resolves", KeyDisabled{}, snap(func(s *Snapshot) {
			s.Events = []Event{kmsEvent("e2", "EnableKey", key1, 3), kmsEvent("e1", "DisableKey", key1, 1)}
		}), want{key1: "OK"}},
		{"failed DisableKey is quiet", KeyDisabled{}, snap(func(s *Snapshot) {
			e := kmsEvent("e1", "DisableKey", key1, 1)
			e.ErrorCode = "AccessDeniedException"
			s.Events = []Event{e, kmsEvent("e2", "Decrypt", key1, 1)}
		}), want{}},
		{"pending deletion use fires critical", PendingDeletionUse{cfg.PendingDeletion}, snap(func(s *Snapshot) {
			e := kmsEvent("e1", "Decrypt", key1, 1)
			e.ErrorCode, e.ErrorMessage = "KMSInvalidStateException", key1+" is pending deletion."
			s.Events = []Event{e}
		}), want{key1: "ALARM/critical"}},
		{"disabled-key state error is not pending deletion", PendingDeletionUse{cfg.PendingDeletion}, snap(func(s *Snapshot) {
			e := kmsEvent("e1", "Decrypt", key1, 1)
			e.ErrorCode, e.ErrorMessage = "KMSInvalidStateException", key1+" is disabled."
			s.Events = []Event{e}
		}), want{}},
		{"decrypt spike fires above 10,000", DecryptSpike{cfg.DecryptSpike}, snap(func(s *Snapshot) {
			s.Usage = []Usage{{Resource: key1, Operation: "Decrypt", Principal: app, Count: 6000}, {Resource: key1, Operation: "Decrypt", Principal: other, Count: 4001},
				{Resource: key2, Operation: "Decrypt", Count: 10_000}, {Resource: key2, Operation: "Encrypt", Count: 50_000}}
		}), want{key1: "ALARM/high"}},
		{"decrypt anomaly fires above k× baseline", DecryptAnomaly{cfg.DecryptAnomaly}, snap(func(s *Snapshot) {
			s.Hourly[ResourceOp{key1, "Decrypt"}] = HourlyUsage{Current: 6000, PastWeeks: []int64{1000, 1200}}
			s.Hourly[ResourceOp{key2, "Decrypt"}] = HourlyUsage{Current: 5000, PastWeeks: []int64{1000, 1000}}
		}), want{key1: "ALARM/medium", key2: "OK"}},
		{"decrypt anomaly warm-up is insufficient data", DecryptAnomaly{cfg.DecryptAnomaly}, snap(func(s *Snapshot) {
			s.Hourly[ResourceOp{key1, "Decrypt"}] = HourlyUsage{Current: 600_000, PastWeeks: []int64{10}}
		}), want{key1: "INSUFFICIENT_DATA"}},
		{"failed calls per key and principal", FailedCalls{cfg.FailedCalls}, snap(func(s *Snapshot) {
			for i := range 21 {
				e := kmsEvent("f"+string(rune('a'+i)), "Decrypt", key1, 1)
				e.ErrorCode = "InvalidCiphertextException"
				if i%2 == 0 {
					e.Principal = other
				}
				s.Events = append(s.Events, e)
			}
		}), want{key1: "ALARM/high", other: "ALARM"}}, // app has 10: not above 10
		{"failed calls below threshold", FailedCalls{cfg.FailedCalls}, snap(func(s *Snapshot) {
			for i := range 10 {
				e := kmsEvent("f"+string(rune('a'+i)), "Decrypt", key1, 1)
				e.ErrorCode = "AccessDeniedException"
				s.Events = append(s.Events, e)
			}
		}), want{}},
		{"policy change to another account is critical", PolicyChange{Account: own}, snap(func(s *Snapshot) {
			e := kmsEvent("p1", "PutKeyPolicy", key1, 1)
			e.Policy = `{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","arn:aws:iam::444455556666:root"]},"Action":"kms:*","Resource":"*"}]}`
			g := kmsEvent("g1", "CreateGrant", key2, 1)
			g.Grantee = other
			s.Events = []Event{e, g}
		}), want{key1: "ALARM/critical", key2: "ALARM/critical"}},
		{"policy change inside the account is medium", PolicyChange{Account: own}, snap(func(s *Snapshot) {
			e := kmsEvent("p1", "PutKeyPolicy", key1, 1)
			e.Policy = `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}}`
			s.Events = []Event{e}
		}), want{key1: "ALARM/medium"}},
		{"secret policy public is critical", PolicyChange{Account: own}, snap(func(s *Snapshot) {
			e := Event{ID: "p2", Time: at(1), Source: "secretsmanager.amazonaws.com", Name: "PutResourcePolicy", Resources: []string{sec1},
				Policy: `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`}
			s.Events = []Event{e}
		}), want{sec1: "ALARM/critical"}},
		{"unknown principal fires", UnknownCaller{cfg.UnknownCaller}, snap(func(s *Snapshot) {
			known(s, key1)
			s.FirstSeen[Caller{key1, CallerPrincipal, other}] = at(2)
			s.Usage = []Usage{{Resource: key1, Operation: "Decrypt", Principal: app, Source: "10.0.0.5", Count: 10},
				{Resource: key1, Operation: "Decrypt", Principal: other, Source: "10.0.0.5", Count: 1}}
		}), want{key1: "ALARM/high"}},
		{"known callers and allow-listed service are quiet", UnknownCaller{cfg.UnknownCaller}, snap(func(s *Snapshot) {
			known(s, key1)
			s.Usage = []Usage{{Resource: key1, Operation: "Decrypt", Principal: app, Source: "10.0.0.5", Count: 10},
				{Resource: key1, Operation: "Decrypt", Principal: other, Source: "secretsmanager.amazonaws.com", InvokedBy: "secretsmanager.amazonaws.com", Count: 3}}
		}), want{}},
		{"new caller during learning is quiet", UnknownCaller{cfg.UnknownCaller}, snap(func(s *Snapshot) {
			s.FirstSeen[Caller{key1, CallerResource, ""}] = start.Add(-time.Hour)
			s.Usage = []Usage{{Resource: key1, Operation: "Decrypt", Principal: other, Source: "198.51.100.7", Count: 1}}
		}), want{}},
		{"call outside allowed networks fires", UnknownCaller{netCfg}, snap(func(s *Snapshot) {
			known(s, key1)
			s.FirstSeen[Caller{key1, CallerSource, "198.51.100.7"}] = start.Add(-week)
			s.Usage = []Usage{{Resource: key1, Operation: "Decrypt", Principal: app, Source: "198.51.100.7", Count: 1},
				{Resource: key1, Operation: "Decrypt", Principal: app, Source: "10.0.0.5", Count: 1}}
		}), want{key1: "ALARM"}},
		{"call through allowed endpoint is quiet", UnknownCaller{netCfg}, snap(func(s *Snapshot) {
			known(s, key1)
			s.FirstSeen[Caller{key1, CallerSource, "vpce-0allowed"}] = start.Add(-week)
			s.Usage = []Usage{{Resource: key1, Operation: "Decrypt", Principal: app, Source: "vpce-0allowed", Count: 1}}
		}), want{}},
		{"secret reads above baseline fire", SecretReads{cfg.SecretReads}, snap(func(s *Snapshot) {
			s.Hourly[ResourceOp{sec1, "GetSecretValue"}] = HourlyUsage{Current: 400, PastWeeks: []int64{20, 30, 10}}
		}), want{sec1: "ALARM/medium"}},
		{"secret reads within baseline are quiet", SecretReads{cfg.SecretReads}, snap(func(s *Snapshot) {
			s.Hourly[ResourceOp{sec1, "GetSecretValue"}] = HourlyUsage{Current: 90, PastWeeks: []int64{20, 30, 10}}
			s.Hourly[ResourceOp{sec1, "Decrypt"}] = HourlyUsage{Current: 9000, PastWeeks: []int64{2, 3}}
		}), want{sec1: "OK"}},
		{"rotation failed event fires", RotationFailed{}, snap(func(s *Snapshot) {
			s.Events = []Event{{ID: "r1", Time: at(1), Source: "secretsmanager.amazonaws.com", Name: "RotationFailed", Resources: []string{sec1}}}
		}), want{sec1: "ALARM/high"}},
		{"rotation failed then finished resolves", RotationFailed{}, snap(func(s *Snapshot) {
			s.Ledger = []LedgerEntry{{SecretARN: sec1, Token: "t1", Step: "finishSecret", Outcome: "success", Time: at(3)},
				{SecretARN: sec1, Token: "t1", Step: "setSecret", Outcome: "failure", ErrorClass: "db-unreachable", Time: at(1)}}
		}), want{sec1: "OK"}},
		{"ledger failure fires", RotationFailed{}, snap(func(s *Snapshot) {
			s.Ledger = []LedgerEntry{{SecretARN: sec1, Token: "t1", Step: "testSecret", Outcome: "failure", Time: at(1)}}
		}), want{sec1: "ALARM"}},
		{"secret deleted and alias in use deleted fire", Deletion{AliasInUseFor: 30 * 24 * time.Hour}, snap(func(s *Snapshot) {
			s.LastUse["alias/prod"] = start.Add(-time.Hour)
			a := kmsEvent("d2", "DeleteAlias", "arn:aws:kms:us-east-1:111122223333:alias/prod", 1)
			a.Alias = "alias/prod"
			s.Events = []Event{{ID: "d1", Time: at(1), Name: "DeleteSecret", Resources: []string{sec1}}, a}
		}), want{sec1: "ALARM", "alias/prod": "ALARM"}},
		{"unused alias deletion is quiet", Deletion{AliasInUseFor: 30 * 24 * time.Hour}, snap(func(s *Snapshot) {
			s.LastUse["alias/old"] = start.Add(-90 * 24 * time.Hour)
			a := kmsEvent("d2", "DeleteAlias", "alias/old", 1)
			a.Alias = "alias/old"
			b := kmsEvent("d3", "DeleteAlias", "alias/never", 1)
			b.Alias = "alias/never"
			s.Events = []Event{a, b}
		}), want{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { check(t, tc.rule, tc.snap, tc.want) })
	}
}

func TestBuildHasUniqueIDs(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Build(DefaultConfig(own)) {
		m := r.Meta()
		if seen[m.ID] || m.ID == "" || m.Runbook == "" || len(m.Controls) == 0 {
			t.Errorf("bad meta %+v", m)
		}
		seen[m.ID] = true
	}
}

func TestParseConfigOverrides(t *testing.T) {
	c, err := ParseConfig(own, []byte(`{"decryptSpike":{"operations":["Decrypt"],"threshold":50},"unknownCaller":{"learning":"48h","allowedCidrs":["10.0.0.0/8"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.DecryptSpike.Threshold != 50 || time.Duration(c.UnknownCaller.Learning) != 48*time.Hour || len(c.UnknownCaller.AllowedCIDRs) != 1 {
		t.Fatalf("overrides not applied: %+v", c)
	}
	if c.SecretReads.Factor != 5 || c.Account != own {
		t.Fatalf("defaults lost: %+v", c)
	}
	for _, bad := range []string{`{"aliasInUseFor":"soon"}`, `{"decryptSpike":{"operations":["Decrypt"],"threshold":0}}`,
		`{"secretReads":{"operation":"GetSecretValue","factor":0.5,"minWeeks":2}}`, `{"failedCalls":{"errorCodes":[]}}`} {
		if _, err := ParseConfig(own, []byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func TestAnalyzePolicy(t *testing.T) {
	tests := []struct {
		doc      string
		public   bool
		accounts string
	}{
		{`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt"}]}`, true, ""},
		{`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Condition":{"StringEquals":{"kms:CallerAccount":"444455556666"}}}]}`, false, "444455556666"},
		{`{"Statement":[{"Effect":"Allow","Principal":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}}]}`, false, ""},
		{`{"Statement":[{"Effect":"Deny","Principal":"*"}]}`, false, ""},
		{`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"999988887777"}},{"Effect":"Allow","Principal":{"Service":"logs.amazonaws.com"}}]}`, false, "999988887777"},
	}
	for _, tc := range tests {
		x, err := AnalyzePolicy(tc.doc, own)
		if err != nil {
			t.Fatal(err)
		}
		if x.Public != tc.public || strings.Join(x.Accounts, ",") != tc.accounts {
			t.Errorf("%s: got %+v", tc.doc, x)
		}
	}
	if _, err := AnalyzePolicy("{", own); err == nil {
		t.Error("bad json accepted")
	}
}

func FuzzAnalyzePolicy(f *testing.F) {
	f.Add(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"}}]}`)
	f.Add(`{"Statement":{"Effect":"Allow","Principal":"*","Condition":{"StringEquals":{"kms:CallerAccount":["1"]}}}}`)
	f.Fuzz(func(t *testing.T, doc string) {
		_, _ = AnalyzePolicy(doc, own)
	})
}
