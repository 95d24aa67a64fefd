package audit

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	at0  = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	week = EventQuery{From: at0.Add(-72 * time.Hour), To: at0.Add(96 * time.Hour)}
)

// unit is one delivery: its id and its records.
type unit struct {
	id   string
	data []byte
	log  bool // a log file (else one EventBridge detail)
}

// fixtureUnits returns every EventBridge fixture and the gzipped log file as
// delivery units, in a fixed order.
func fixtureUnits(t testing.TB) []unit {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "events", "eventbridge-*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("fixtures: %v", err)
	}
	var out []unit
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "eventbridge-"), ".json")
		out = append(out, unit{id: "eb:" + name, data: fixture(t, name)})
	}
	out = append(out, unit{id: "s3:org-trail-logs/logfile", data: logFixture(t), log: true})
	return out
}

func logFixture(t testing.TB) []byte {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "events", "cloudtrail-logfile.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// batchOf parses a unit into a Batch.
func batchOf(t testing.TB, u unit) *Batch {
	t.Helper()
	p := NewParser(ParserConfig{ContextKey: testContextKey})
	b := NewBatch()
	if u.log {
		st, err := p.ParseLogFile(u.data, b.Add)
		if err != nil || len(st.Bad) > 0 {
			t.Fatalf("%s: %v %v", u.id, err, st.Bad)
		}
		return b
	}
	r, err := p.ParseRecord(u.data)
	if err != nil {
		t.Fatalf("%s: %v", u.id, err)
	}
	b.Add(&r)
	return b
}

func ingest(t testing.TB, s *Store, units []unit) {
	t.Helper()
	for _, u := range units {
		if err := s.Apply(context.Background(), u.id, batchOf(t, u)); err != nil {
			t.Fatalf("apply %s: %v", u.id, err)
		}
	}
}

func names(rs []Record) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

func TestStoreAccessPatterns(t *testing.T) {
	db, tbl := needDB(t)
	s := NewStore(db, StoreConfig{Table: tbl})
	ingest(t, s, fixtureUnits(t))
	ctx := context.Background()

	t.Run("events by resource", func(t *testing.T) {
		evs, err := s.EventsByResource(ctx, testKey, week)
		if err != nil {
			t.Fatal(err)
		}
		got := names(evs)
		for _, want := range []string{"DisableKey", "EnableKey", "ScheduleKeyDeletion", "CancelKeyDeletion",
			"PutKeyPolicy", "CreateGrant", "RevokeGrant", "RetireGrant", "CreateAlias", "UpdateAlias",
			"EnableKeyRotation", "DisableKeyRotation", "RotateKeyOnDemand", "DeleteKey"} {
			if !slices.Contains(got, want) {
				t.Errorf("missing %s in %v", want, got)
			}
		}
		var failed, ok int
		for _, e := range evs {
			if e.Name == "Decrypt" {
				if e.ErrorCode == "" {
					ok++
				} else {
					failed++
				}
			}
		}
		if ok != 0 || failed != 3 { // 2 AccessDenied (EventBridge + log file), 1 pending deletion
			t.Errorf("Decrypt events stored: %d ok, %d failed; want 0 and 3", ok, failed)
		}
		if !slices.IsSortedFunc(evs, func(a, b Record) int { return a.Time.Compare(b.Time) }) {
			t.Errorf("events not in time order")
		}
		newest, err := s.EventsByResource(ctx, testKey, EventQuery{From: week.From, To: week.To, Limit: 1, Newest: true})
		if err != nil || len(newest) != 1 || !newest[0].Time.Equal(evs[len(evs)-1].Time) {
			t.Errorf("newest = %v, %v", names(newest), err)
		}
		pd, _ := s.EventsByResource(ctx, testKey, EventQuery{From: at0.Add(15 * time.Minute), To: at0.Add(16 * time.Minute)})
		if len(pd) != 1 || pd[0].ErrorCode != "KMSInvalidStateException" || !strings.Contains(pd[0].ErrorMessage, "pending deletion") {
			t.Errorf("pending-deletion failure not readable: %+v", pd)
		}
	})

	t.Run("events by principal", func(t *testing.T) {
		evs, err := s.EventsByPrincipal(ctx, testAlice, week)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range evs {
			if seen[e.EventID] {
				t.Errorf("event %s (%s) returned twice", e.EventID, e.Name)
			}
			seen[e.EventID] = true
			if e.Principal.ARN != testAlice {
				t.Errorf("event of %s returned for Alice", e.Principal.ARN)
			}
		}
		// 16 Alice fixtures (12 kms, 4 secretsmanager) + the log file's DisableKey.
		if want := 17; len(evs) != want {
			t.Errorf("got %d Alice events %v, want %d", len(evs), names(evs), want)
		}
	})

	t.Run("events by name", func(t *testing.T) {
		evs, err := s.EventsByName(ctx, "kms", "ScheduleKeyDeletion", week)
		if err != nil || len(evs) != 1 || evs[0].Resource() != testKey {
			t.Fatalf("ScheduleKeyDeletion this week = %v, %v", names(evs), err)
		}
		rot, err := s.EventsByName(ctx, "secretsmanager", "RotationFailed", week)
		if err != nil || len(rot) != 1 || !strings.Contains(rot[0].AdditionalEventData, "setSecret") {
			t.Fatalf("RotationFailed = %+v, %v", rot, err)
		}
	})

	t.Run("counts", func(t *testing.T) {
		q := CountQuery{Resource: testKey, From: at0, To: at0.Add(time.Hour), Operations: []string{"Decrypt"}, Outcomes: []string{OutcomeOK}}
		n, err := s.Total(ctx, q)
		if err != nil || n != 44 { // 3 EventBridge + 40 + 1 in the log file
			t.Errorf("Decrypt ok per minute = %d, %v; want 44", n, err)
		}
		q.Granularity = Hour
		if n, _ := s.Total(ctx, q); n != 44 {
			t.Errorf("Decrypt ok per hour = %d; want 44", n)
		}
		day := CountQuery{Resource: testKey, Granularity: Day, From: at0.Add(5 * time.Hour), To: at0.Add(6 * time.Hour), Operations: []string{"Decrypt"}, Outcomes: []string{OutcomeOK}}
		if cs, err := s.Counts(ctx, day); err != nil || len(cs) != 1 || cs[0].N != 44 || !cs[0].Bucket.Equal(at0.Truncate(24*time.Hour)) {
			t.Errorf("Decrypt ok per day = %+v, %v; want one bucket of 44 on 2026-12-01", cs, err)
		}
		q.Outcomes = []string{OutcomeFailed}
		if n, _ := s.Total(ctx, q); n != 3 {
			t.Errorf("Decrypt failed = %d; want 3", n)
		}
		q = CountQuery{Principal: testRole, From: at0, To: at0.Add(time.Hour), Operations: []string{"GenerateDataKey*"}}
		if n, _ := s.Total(ctx, q); n != 2 { // GenerateDataKey + GenerateDataKeyWithoutPlaintext
			t.Errorf("role GenerateDataKey* = %d; want 2", n)
		}
		cs, _ := s.Counts(ctx, CountQuery{Resource: testKey, From: at0.Add(31 * time.Minute), To: at0.Add(33 * time.Minute)})
		if len(cs) != 2 || cs[0].N != 20 || cs[1].N != 20 || cs[0].Bucket != at0.Add(31*time.Minute) {
			t.Errorf("per-minute counts = %+v", cs)
		}
		cnt, _ := s.Total(ctx, CountQuery{Resource: testSecret, Granularity: Hour, From: at0, To: at0.Add(time.Hour), Operations: []string{"GetSecretValue"}})
		if cnt != 7 {
			t.Errorf("GetSecretValue = %d; want 7", cnt)
		}
	})

	t.Run("usage", func(t *testing.T) {
		us, err := s.Usage(ctx, testKey, at0.Add(31*time.Minute), at0.Add(33*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, u := range us {
			if u.Principal != testRole || u.Network != testNet || u.Operation != "Decrypt" {
				t.Errorf("unexpected usage %+v", u)
			}
			if len(u.Samples) == 0 || len(u.Samples) > 3 || u.Samples[0].EventID == "" {
				t.Errorf("samples = %+v", u.Samples)
			}
			n += u.N
		}
		if n != 40 {
			t.Errorf("usage total %d, want 40", n)
		}
	})

	t.Run("usage window equals per-resource usage", func(t *testing.T) {
		from, to := at0, at0.Add(time.Hour)
		all, err := s.UsageWindow(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		byRes := map[string][]Usage{}
		for _, u := range all {
			byRes[u.Resource] = append(byRes[u.Resource], u)
		}
		if len(byRes[testKey]) == 0 || len(byRes[testSecret]) == 0 {
			t.Fatalf("window usage misses the key or the secret: %d resources", len(byRes))
		}
		for res, got := range byRes {
			want, err := s.Usage(ctx, res, from, to)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: window %+v\nper-resource %+v", res, got, want)
			}
		}
		if _, err := s.UsageWindow(ctx, to, from); !errors.Is(err, ErrBadQuery) {
			t.Errorf("backwards window: %v", err)
		}
	})

	t.Run("first seen", func(t *testing.T) {
		sn, ok, err := s.FirstSeen(ctx, testKey, SeenPrincipal, testRole)
		if err != nil || !ok || !sn.First.Equal(at0.Add(5*time.Second)) {
			t.Errorf("role first seen = %+v %v %v", sn, ok, err)
		}
		sn, ok, _ = s.FirstSeen(ctx, testKey, SeenNetwork, "svc:secretsmanager.amazonaws.com")
		if !ok || !sn.First.Equal(at0.Add(17*time.Minute)) {
			t.Errorf("service network first seen = %+v %v", sn, ok)
		}
		if _, ok, _ := s.FirstSeen(ctx, testKey, SeenPrincipal, "arn:aws:iam::999999999999:user/Mallory"); ok {
			t.Errorf("never-seen principal reported as seen")
		}
		all, err := s.SeenAll(ctx, testKey)
		if err != nil || len(all) < 4 {
			t.Errorf("seen all = %+v, %v", all, err)
		}
	})

	t.Run("last use", func(t *testing.T) {
		lu, ok, err := s.LastUse(ctx, testKey, []string{"Decrypt", "Encrypt", "GenerateDataKey*", "ReEncrypt*"}, time.Time{})
		if err != nil || !ok {
			t.Fatalf("last use: %v %v", ok, err)
		}
		if !lu.Time.Equal(at0.Add(32*time.Minute+39*time.Second)) || lu.Operation != "Decrypt" || lu.Principal != testRole || lu.Outcome != OutcomeOK {
			t.Errorf("last use = %+v", lu)
		}
		if _, ok, _ := s.LastUse(ctx, testKey, []string{"Decrypt"}, at0.Add(time.Hour)); ok {
			t.Errorf("use reported after the last one")
		}
		lu2, ok, _ := s.LastUse(ctx, testKey2, []string{"ReEncrypt*"}, time.Time{})
		if !ok || lu2.Operation != "ReEncrypt" {
			t.Errorf("ReEncrypt destination key last use = %+v %v", lu2, ok)
		}
	})

	t.Run("active resources", func(t *testing.T) {
		act, err := s.ActiveResources(ctx, at0.Add(30*time.Minute), at0.Add(35*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		var res []string
		for _, a := range act {
			res = append(res, a.Resource)
		}
		for _, want := range []string{testKey, testSecret} {
			if !slices.Contains(res, want) {
				t.Errorf("active resources %v lack %s", res, want)
			}
		}
		if slices.Contains(res, testKey2) {
			t.Errorf("key2 (active at 10:00 only) listed for 10:30–10:35: %v", res)
		}
		early, _ := s.ActiveResources(ctx, at0, at0.Add(time.Minute))
		if !slices.ContainsFunc(early, func(a Activity) bool { return a.Resource == testKey2 && slices.Contains(a.Operations, "ReEncrypt") }) {
			t.Errorf("key2 not active at 10:00: %+v", early)
		}
	})
}

func TestStoreRedeliveryChangesNothing(t *testing.T) {
	db, tbl := needDB(t)
	units := fixtureUnits(t)
	s := NewStore(db, StoreConfig{Table: tbl, ChunkSize: 7})
	ingest(t, s, units)
	before := snapshot(t, db, tbl)
	ingest(t, s, units)                                                   // warm instance redelivery
	ingest(t, NewStore(db, StoreConfig{Table: tbl, ChunkSize: 7}), units) // cold instance redelivery
	slices.Reverse(units)
	ingest(t, NewStore(db, StoreConfig{Table: tbl, ChunkSize: 7}), units) // out of order
	if after := snapshot(t, db, tbl); !slices.Equal(before, after) {
		t.Fatalf("redelivery changed the table:\n%s", diff(before, after))
	}
}

func diff(a, b []string) string {
	var sb strings.Builder
	for _, x := range a {
		if !slices.Contains(b, x) {
			fmt.Fprintf(&sb, "- %s\n", x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			fmt.Fprintf(&sb, "+ %s\n", x)
		}
	}
	return sb.String()
}

// TestStoreCrashBetweenAnyTwoWrites applies the log file with a crash injected at
// every write in turn (before the write reaches DynamoDB, and after it was applied
// with the reply lost), redelivers it to a cold instance, and requires the table
// to equal that of a single clean delivery.
func TestStoreCrashBetweenAnyTwoWrites(t *testing.T) {
	db, tbl := needDB(t)
	cfg := StoreConfig{Table: tbl, ChunkSize: 5}
	u := fixtureUnits(t)
	logUnit := u[len(u)-1]
	clean := newCountingDB(db)
	if err := NewStore(clean, cfg).Apply(context.Background(), logUnit.id, batchOf(t, logUnit)); err != nil {
		t.Fatal(err)
	}
	want := snapshot(t, db, tbl)
	writes := clean.writeCalls()
	if writes < 5 {
		t.Fatalf("only %d writes: the test would not exercise chunks", writes)
	}
	for k := 1; k <= writes; k++ {
		for _, after := range []bool{false, true} {
			t.Run(fmt.Sprintf("write %d applied %v", k, after), func(t *testing.T) {
				db, tbl := needDB(t)
				cfg := StoreConfig{Table: tbl, ChunkSize: 5}
				crashing := newCountingDB(db)
				crashing.crashAt, crashing.crashAfter = k, after
				err := NewStore(crashing, cfg).Apply(context.Background(), logUnit.id, batchOf(t, logUnit))
				if !errors.Is(err, errCrash) {
					t.Fatalf("crash at write %d not reported: %v", k, err)
				}
				if err := NewStore(db, cfg).Apply(context.Background(), logUnit.id, batchOf(t, logUnit)); err != nil {
					t.Fatalf("redelivery: %v", err)
				}
				if got := snapshot(t, db, tbl); !slices.Equal(got, want) {
					t.Fatalf("state after crash at write %d and redelivery differs:\n%s", k, diff(want, got))
				}
			})
		}
	}
}

// hotKeyLogFile is a log file of n successful Decrypts of one key by one caller
// within one minute.
func hotKeyLogFile(t testing.TB, n int) []byte {
	t.Helper()
	tmpl := string(fixture(t, "kms-decrypt"))
	var buf bytes.Buffer
	buf.WriteString(`{"Records":[`)
	for i := range n {
		if i > 0 {
			buf.WriteByte(',')
		}
		r := strings.Replace(tmpl, `"eventTime": "2026-12-01T10:00:05Z"`, fmt.Sprintf(`"eventTime": "2026-12-01T10:40:%02dZ"`, i%60), 1)
		r = strings.Replace(r, `"eventID": "`, fmt.Sprintf(`"eventID": "hot-%06d-`, i), 1)
		buf.WriteString(r)
	}
	buf.WriteString(`]}`)
	return buf.Bytes()
}

func TestStoreHotKeyCostsAHandfulOfWrites(t *testing.T) {
	db, tbl := needDB(t)
	data := hotKeyLogFile(t, 10_000)
	b := NewBatch()
	if _, err := NewParser(ParserConfig{ContextKey: testContextKey}).ParseLogFile(data, b.Add); err != nil {
		t.Fatal(err)
	}
	if b.Records != 10_000 {
		t.Fatalf("parsed %d records", b.Records)
	}
	counting := newCountingDB(db)
	s := NewStore(counting, StoreConfig{Table: tbl})
	if err := s.Apply(context.Background(), "s3:hot", b); err != nil {
		t.Fatal(err)
	}
	t.Logf("DynamoDB requests for 10,000 Decrypts of one key in one minute: %d %v", counting.total(), counting.calls)
	if counting.total() > 10 {
		t.Errorf("%d requests for one hot key, want a handful (≤ 10): %v", counting.total(), counting.calls)
	}
	n, err := s.Total(context.Background(), CountQuery{Resource: testKey, From: at0.Add(40 * time.Minute), To: at0.Add(41 * time.Minute), Operations: []string{"Decrypt"}})
	if err != nil || n != 10_000 {
		t.Fatalf("counted %d, %v; want 10000", n, err)
	}
	// A second log file of the same minute from another delivery lands on its own
	// shard or adds to the same; either way the total is exact.
	if err := s.Apply(context.Background(), "s3:hot-2", b); err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(context.Background(), "s3:hot-2", b); err != nil { // redelivered
		t.Fatal(err)
	}
	if n, _ := s.Total(context.Background(), CountQuery{Resource: testKey, From: at0.Add(40 * time.Minute), To: at0.Add(41 * time.Minute)}); n != 20_000 {
		t.Fatalf("after a second file: %d, want 20000", n)
	}
}

func TestStoreKeepsGoodNeighboursOfBadRecords(t *testing.T) {
	db, tbl := needDB(t)
	good := string(fixture(t, "kms-disablekey"))
	bad := strings.Replace(good, `"eventID"`, `"eventIDX"`, 1)
	badTime := strings.Replace(good, `"2026-12-01T10:01:00Z"`, `"not a time"`, 1)
	data := []byte(`{"Records":[` + good + `,` + bad + `,42,` + badTime + `]}`)
	p := NewParser(ParserConfig{ContextKey: testContextKey})
	b := NewBatch()
	st, err := p.ParseLogFile(data, b.Add)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 4 || st.Used != 1 || len(st.Bad) != 3 {
		t.Fatalf("stats %+v", st)
	}
	for _, e := range st.Bad {
		if strings.Contains(e.Error(), "Alice") || strings.Contains(e.Error(), "192.0.2") {
			t.Errorf("record error carries payload: %v", e)
		}
	}
	s := NewStore(db, StoreConfig{Table: tbl})
	if err := s.Apply(context.Background(), "s3:mixed", b); err != nil {
		t.Fatal(err)
	}
	evs, _ := s.EventsByResource(context.Background(), testKey, week)
	if len(evs) != 1 || evs[0].Name != "DisableKey" {
		t.Fatalf("good record not stored: %v", names(evs))
	}
}
