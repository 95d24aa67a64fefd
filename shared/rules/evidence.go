package rules

import (
	"slices"
	"time"
)

// collector accumulates evidence for one resource.
type collector struct {
	ev   Evidence
	seen map[string]bool
}

func (c *collector) addEvent(e Event) {
	c.ev.Count++
	if len(c.ev.EventIDs) < maxSamples && e.ID != "" {
		c.ev.EventIDs = append(c.ev.EventIDs, e.ID)
	}
	c.addPrincipal(e.Principal)
	c.addTime(e.Time)
}

func (c *collector) addPrincipal(p string) {
	if p == "" {
		return
	}
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	if !c.seen["p:"+p] && len(c.ev.Principals) < maxSamples {
		c.seen["p:"+p] = true
		c.ev.Principals = append(c.ev.Principals, p)
	}
}

func (c *collector) addSource(s string) {
	if s == "" {
		return
	}
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	if !c.seen["s:"+s] && len(c.ev.Sources) < maxSamples {
		c.seen["s:"+s] = true
		c.ev.Sources = append(c.ev.Sources, s)
	}
}

func (c *collector) addTime(t time.Time) {
	if t.IsZero() {
		return
	}
	if c.ev.First.IsZero() || t.Before(c.ev.First) {
		c.ev.First = t
	}
	if t.After(c.ev.Last) {
		c.ev.Last = t
	}
}

func (c *collector) detail(k, v string) {
	if c.ev.Details == nil {
		c.ev.Details = map[string]string{}
	}
	c.ev.Details[k] = v
}

// evidence returns the collected evidence with stable ordering.
func (c *collector) evidence() Evidence {
	ev := c.ev
	slices.Sort(ev.Principals)
	slices.Sort(ev.Sources)
	return ev
}

// groups keeps collectors per key in first-seen order, so findings are stable.
type groups struct {
	order []string
	by    map[string]*collector
}

func (g *groups) get(k string) *collector {
	if g.by == nil {
		g.by = map[string]*collector{}
	}
	c, ok := g.by[k]
	if !ok {
		c = &collector{}
		g.by[k] = c
		g.order = append(g.order, k)
	}
	return c
}

// sorted returns the keys in lexical order.
func (g *groups) sorted() []string {
	ks := slices.Clone(g.order)
	slices.Sort(ks)
	return ks
}

// sortEvents orders events by time, then id, so "last event wins" is stable.
func sortEvents(evs []Event) []Event {
	out := slices.Clone(evs)
	slices.SortStableFunc(out, func(a, b Event) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out
}
