package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/keyward/keyward/shared/alarmstate"
	"github.com/keyward/keyward/shared/audit"
	"github.com/keyward/keyward/shared/rules"
)

// Ledger reads the rotation ledger's entries in [from, to) (failures at least).
type Ledger interface {
	Entries(ctx context.Context, from, to time.Time) ([]rules.LedgerEntry, error)
}

// Notifier publishes one alarm message.
type Notifier interface {
	Send(ctx context.Context, m alarmstate.Message) error
}

// Evaluator runs the window rules over the audit store and keeps alarm state.
type Evaluator struct {
	Audit    Audit
	Activity interface { // default: Audit
		ActiveResources(ctx context.Context, from, to time.Time) ([]audit.Activity, error)
	}
	FirstSeen FirstSeen
	Hourly    Hourly
	Ledger    Ledger // optional
	Alarms    alarmstate.Store
	Notifier  Notifier
	Rules     []rules.Rule
	Policy    alarmstate.Policy
	Metrics   *Metrics
	Log       *slog.Logger

	Account, Region string
	Window          time.Duration // evaluation window; default 5 minutes
	Lag             time.Duration // CloudTrail delivery delay to wait out
	AliasInUseFor   time.Duration
	BaselineOps     []string // operations rolled up per hour for baseline rules
	Concurrency     int
}

// Result summarises one evaluation.
type Result struct {
	Job         string    `json:"job"`
	WindowStart time.Time `json:"windowStart"`
	WindowEnd   time.Time `json:"windowEnd"`
	Active      int       `json:"activeResources"`
	Events      int       `json:"events"`
	Findings    int       `json:"findings"`
	InAlarm     int       `json:"inAlarm"`
	Written     int       `json:"written"`
	Notified    int       `json:"notified"`
	NotifyFails int       `json:"notifyFailures,omitempty"`
}

// WindowAt returns the window that ends at the last boundary at or before t-lag.
func (e *Evaluator) WindowAt(t time.Time) alarmstate.Window {
	size := e.Window
	if size <= 0 {
		size = 5 * time.Minute
	}
	end := t.UTC().Add(-e.Lag).Truncate(size)
	return alarmstate.Window{Start: end.Add(-size), End: end}
}

// Evaluate runs every window rule for w; now is the evaluation time.
func (e *Evaluator) Evaluate(ctx context.Context, w alarmstate.Window, now time.Time) (Result, error) {
	s, active, err := e.Snapshot(ctx, w)
	if err != nil {
		return Result{}, err
	}
	var findings []rules.Finding
	metas := map[string]rules.Meta{}
	for _, r := range e.Rules {
		m := r.Meta()
		metas[m.ID] = m
		findings = append(findings, r.Evaluate(s)...)
	}
	res, err := e.Apply(ctx, metas, findings, w, now)
	res.Job, res.Active, res.Events = "alarms", active, len(s.Events)
	e.Metrics.Usage(w.Start, s.Usage) // counts land in the window's own period
	return res, err
}

// Snapshot loads what the rules need for w. DynamoDB requests: the activity
// index (8 Queries per hour touched), the usage window (minutes × shards Queries), one
// events Query per active resource with failures, one per watched event name,
// batched first-seen and rollup reads (100 per request), rollup writes (25 per
// request), and a LastUse Query per DeleteAlias.
func (e *Evaluator) Snapshot(ctx context.Context, w alarmstate.Window) (*rules.Snapshot, int, error) {
	s := &rules.Snapshot{Start: w.Start, End: w.End, LastUse: map[string]time.Time{}}
	var idx ActivityReader = e.Audit
	if e.Activity != nil {
		idx = e.Activity
	}
	acts, err := idx.ActiveResources(ctx, w.Start, w.End)
	if err != nil {
		return nil, 0, fmt.Errorf("active resources: %w", err)
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, e.Concurrency))
	q := audit.EventQuery{From: w.Start, To: w.End}
	g.Go(func() error {
		us, err := e.Audit.UsageWindow(gctx, w.Start, w.End)
		if err != nil {
			return fmt.Errorf("usage: %w", err)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, u := range us {
			s.Usage = append(s.Usage, usageOf(u))
		}
		return nil
	})
	for _, a := range acts {
		if len(a.FailedOperations) == 0 {
			continue
		}
		g.Go(func() error {
			recs, err := e.Audit.EventsByResource(gctx, a.Resource, q)
			if err != nil {
				return fmt.Errorf("events of %s: %w", a.Resource, err)
			}
			var evs []rules.Event
			for _, r := range recs {
				if r.ErrorCode != "" && !isWatched(r) {
					evs = append(evs, eventOf(r))
				}
			}
			mu.Lock()
			defer mu.Unlock()
			s.Events = append(s.Events, evs...)
			return nil
		})
	}
	for _, we := range watchedEvents {
		g.Go(func() error {
			recs, err := e.Audit.EventsByName(gctx, we.service, we.name, q)
			if err != nil {
				return fmt.Errorf("events %s:%s: %w", we.service, we.name, err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, r := range recs {
				s.Events = append(s.Events, eventOf(r))
			}
			return nil
		})
	}
	if e.Ledger != nil {
		g.Go(func() error {
			l, err := e.Ledger.Entries(gctx, w.Start, w.End)
			if err != nil {
				return fmt.Errorf("rotation ledger: %w", err)
			}
			mu.Lock()
			s.Ledger = l
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, 0, err
	}
	slices.SortFunc(s.Usage, func(a, b rules.Usage) int { return cmpUsage(a, b) })
	slices.SortFunc(s.Events, func(a, b rules.Event) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return cmpString(a.ID, b.ID)
	})

	counts := map[rules.ResourceOp]int64{}
	for _, u := range s.Usage {
		if slices.Contains(e.BaselineOps, u.Operation) {
			counts[rules.ResourceOp{Resource: u.Resource, Operation: u.Operation}] += u.Count
		}
	}
	// The rollup, first-seen and alias reads are independent: run them together.
	callers := rules.CallsOf(s)
	g2, gctx2 := errgroup.WithContext(ctx)
	g2.Go(func() (err error) {
		s.Hourly, err = e.Hourly.Update(gctx2, w, counts)
		return err
	})
	g2.Go(func() (err error) {
		s.FirstSeen, err = e.FirstSeen.Lookup(gctx2, callers)
		return err
	})
	g2.Go(func() error {
		for _, ev := range s.Events {
			if ev.Name != "DeleteAlias" || ev.ErrorCode != "" || ev.Alias == "" {
				continue
			}
			if err := e.lastAliasUse(gctx2, s, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err := g2.Wait(); err != nil {
		return nil, 0, err
	}
	return s, len(acts), nil
}

// isWatched: the record is also read by name (avoid counting it twice).
func isWatched(r audit.Record) bool {
	for _, we := range watchedEvents {
		if we.name == r.Name && we.service == r.Service {
			return true
		}
	}
	return false
}

// lastAliasUse finds the latest use of the alias before the deletion: calls
// filed under the alias (alias/x or its ARN) or under the key it pointed to
// (CloudTrail names the key in resources[] even when the caller used the alias,
// so a key in use means callers of the alias break).
func (e *Evaluator) lastAliasUse(ctx context.Context, s *rules.Snapshot, ev rules.Event) error {
	names := append([]string{ev.Alias}, ev.Resources...)
	if e.Account != "" && e.Region != "" {
		names = append(names, "arn:aws:kms:"+e.Region+":"+e.Account+":"+ev.Alias)
	}
	since := ev.Time.Add(-e.AliasInUseFor)
	slices.Sort(names)
	for _, n := range slices.Compact(names) {
		u, ok, err := e.Audit.LastUse(ctx, n, aliasUseOps, since)
		if err != nil {
			return fmt.Errorf("last use of %s: %w", n, err)
		}
		if ok && u.Time.Before(ev.Time) && u.Time.After(s.LastUse[ev.Alias]) {
			s.LastUse[ev.Alias] = u.Time
		}
	}
	return nil
}

// Apply runs the state machine for the findings of the rules in metas: open
// alarms of those rules that got no finding are resolved (Windowed) or held
// (Latched). Writes are conditional on the stored window; notifications go out
// after the write and are retried on the next run if publishing fails.
func (e *Evaluator) Apply(ctx context.Context, metas map[string]rules.Meta, findings []rules.Finding, w alarmstate.Window, now time.Time) (Result, error) {
	res := Result{WindowStart: w.Start, WindowEnd: w.End, Findings: len(findings)}
	open, err := e.Alarms.Open(ctx)
	if err != nil {
		return res, err
	}
	prev := map[alarmstate.Key]alarmstate.Alarm{}
	for _, a := range open {
		if _, ok := metas[a.Rule]; ok {
			prev[a.Key()] = a
		}
	}
	var missing []alarmstate.Key
	got := map[alarmstate.Key]bool{}
	for _, f := range findings {
		k := alarmstate.Key{Rule: f.Rule, Resource: f.Resource}
		got[k] = true
		if _, ok := prev[k]; !ok {
			missing = append(missing, k)
		}
	}
	stored, err := e.Alarms.Get(ctx, missing)
	if err != nil {
		return res, err
	}
	for k, a := range stored {
		prev[k] = a
	}
	for _, a := range open {
		m, ok := metas[a.Rule]
		if !ok || got[a.Key()] {
			continue
		}
		// Latched alarms wait for an explicit OK.
		if m.Mode == rules.Latched || a.State != rules.StateAlarm {
			findings = append(findings, alarmstate.Hold(a))
		} else {
			findings = append(findings, alarmstate.Resolve(a, w))
		}
	}

	type step struct {
		d    alarmstate.Decision
		prev alarmstate.Window
	}
	steps := make([]step, 0, len(findings))
	for _, f := range findings {
		var p *alarmstate.Alarm
		var pw alarmstate.Window
		if a, ok := prev[alarmstate.Key{Rule: f.Rule, Resource: f.Resource}]; ok {
			p, pw = &a, a.Window
		}
		d := alarmstate.Step(p, f, w, now, e.Policy)
		if e.Notifier == nil { // state only: nothing will ever be sent
			d.Next.NotifyPending = ""
		}
		if !d.Write && d.Next.NotifyPending == "" {
			continue
		}
		steps = append(steps, step{d, pw})
		if d.Next.State == rules.StateAlarm {
			res.InAlarm++
			e.Metrics.Finding(now, d.Next)
		}
	}

	var mu sync.Mutex
	var errs []error
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, e.Concurrency))
	for _, st := range steps {
		g.Go(func() error {
			a := st.d.Next
			if st.d.Write {
				if err := e.Alarms.Put(gctx, a, st.prev); err != nil {
					if errors.Is(err, alarmstate.ErrStale) {
						return nil // another evaluation owns this window
					}
					return err
				}
				mu.Lock()
				res.Written++
				mu.Unlock()
			}
			if a.NotifyPending == "" || e.Notifier == nil {
				return nil
			}
			msg := alarmstate.NewMessage(a, a.NotifyPending, st.d.From, metas[a.Rule], e.Account, e.Region)
			if err := e.Notifier.Send(gctx, msg); err != nil {
				mu.Lock()
				res.NotifyFails++
				errs = append(errs, err)
				mu.Unlock()
				return nil // stays pending: retried next run
			}
			e.Metrics.Notification(now, msg)
			if err := e.Alarms.Put(gctx, alarmstate.Notified(a, now), a.Window); err != nil && !errors.Is(err, alarmstate.ErrStale) {
				return err
			}
			mu.Lock()
			res.Notified++
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return res, err
	}
	if len(errs) > 0 && e.Log != nil {
		e.Log.Warn("alarm notifications failed; retried next run", "failures", len(errs), "first", errs[0].Error())
	}
	return res, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpUsage(a, b rules.Usage) int {
	for _, c := range [][2]string{{a.Resource, b.Resource}, {a.Operation, b.Operation}, {a.Outcome, b.Outcome},
		{a.Principal, b.Principal}, {a.Source, b.Source}} {
		if r := cmpString(c[0], c[1]); r != 0 {
			return r
		}
	}
	return 0
}
