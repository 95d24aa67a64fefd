package rules

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// UnknownCaller fires when a principal or source network never seen on a key or
// secret calls it (after the resource's learning period), or when a call did not
// come through an allowed VPC endpoint / CIDR. Calls made by allow-listed AWS
// services (invokedBy, or a service host as source) are ignored.
type UnknownCaller struct{ Config CallerConfig }

// Meta describes the rule.
func (UnknownCaller) Meta() Meta {
	return Meta{
		ID: "unknown-caller", Title: "Unknown caller or network on a key or secret",
		Severity: SeverityHigh, Controls: []string{"seeds: unusual locations / unauthorized access attempts"},
		Runbook: "Confirm the principal and network belong to a known workload; if not, revoke its access and rotate what it read.",
	}
}

// call is one caller path on a resource.
type call struct {
	resource, principal, network, invokedBy string
	count                                   int64
	eventIDs                                []string
}

// CallsOf returns the distinct callers of the snapshot, which the loader uses to
// decide which first-seen records to read.
func CallsOf(s *Snapshot) []Caller {
	var out []Caller
	seen := map[Caller]bool{}
	add := func(c Caller) {
		if c.Value == "" && c.Kind != CallerResource || seen[c] {
			return
		}
		seen[c] = true
		out = append(out, c)
	}
	for _, c := range calls(s) {
		add(Caller{c.resource, CallerResource, ""})
		add(Caller{c.resource, CallerPrincipal, c.principal})
		add(Caller{c.resource, CallerSource, c.network})
	}
	return out
}

// calls are the usage rows of the window (they cover every call).
func calls(s *Snapshot) []call {
	out := make([]call, 0, len(s.Usage))
	for _, u := range s.Usage {
		out = append(out, call{resource: u.Resource, principal: u.Principal, network: u.Source,
			invokedBy: u.InvokedBy, count: u.Count, eventIDs: u.SampleIDs})
	}
	return out
}

// Evaluate checks every caller path of the window.
func (r UnknownCaller) Evaluate(s *Snapshot) []Finding {
	var g groups
	for _, c := range calls(s) {
		if c.resource == "" || r.service(c.invokedBy) || r.service(c.principal) || r.service(c.network) {
			continue
		}
		newPrincipal := r.isNew(s, Caller{c.resource, CallerPrincipal, c.principal})
		newSource := r.isNew(s, Caller{c.resource, CallerSource, c.network})
		offNet := !r.allowedNetwork(c)
		if !newPrincipal && !newSource && !offNet {
			continue
		}
		col := g.get(c.resource)
		col.ev.Count += c.count
		for _, id := range c.eventIDs {
			if len(col.ev.EventIDs) < maxSamples {
				col.ev.EventIDs = append(col.ev.EventIDs, id)
			}
		}
		if newPrincipal {
			col.addPrincipal(c.principal)
			col.detail("newPrincipal", "true")
		}
		if newSource {
			col.addSource(c.network)
			col.detail("newSource", "true")
		}
		if offNet {
			col.addSource(c.network)
			col.addPrincipal(c.principal)
			col.detail("outsideAllowedNetwork", "true")
		}
	}
	var out []Finding
	for _, k := range g.sorted() {
		ev := g.by[k].evidence()
		var why []string
		if ev.Details["newPrincipal"] != "" {
			why = append(why, "new principal")
		}
		if ev.Details["newSource"] != "" {
			why = append(why, "new source network")
		}
		if ev.Details["outsideAllowedNetwork"] != "" {
			why = append(why, "call outside the allowed VPC endpoints / CIDRs")
		}
		out = append(out, Finding{Rule: r.Meta().ID, Resource: k, State: StateAlarm, Severity: SeverityHigh,
			Reason: fmt.Sprintf("%s (%d calls)", strings.Join(why, ", "), ev.Count), Evidence: ev})
	}
	return out
}

// isNew: the caller was first seen inside this window (or never recorded) and
// the resource is past its learning period.
func (r UnknownCaller) isNew(s *Snapshot, c Caller) bool {
	if c.Value == "" {
		return false
	}
	born, ok := s.FirstSeen[Caller{c.Resource, CallerResource, ""}]
	if !ok || s.Start.Sub(born) < time.Duration(r.Config.Learning) {
		return false // warm-up: learn callers silently
	}
	first, ok := s.FirstSeen[c]
	return !ok || !first.Before(s.Start)
}

func (r UnknownCaller) service(name string) bool {
	name = strings.TrimPrefix(name, "svc:")
	return name != "" && slices.Contains(r.Config.AllowedServices, name)
}

// allowedNetwork: with no allow-list every network is allowed; else the call
// must come through a listed VPC endpoint or from inside a listed CIDR (a /24
// network key counts when the whole /24 lies inside the CIDR).
func (r UnknownCaller) allowedNetwork(c call) bool {
	if len(r.Config.AllowedVPCEndpoints) == 0 && len(r.Config.AllowedCIDRs) == 0 {
		return true
	}
	n := c.network
	if id, ok := strings.CutPrefix(n, "vpce:"); ok || strings.HasPrefix(n, "vpce-") {
		if !ok {
			id = n
		}
		return slices.Contains(r.Config.AllowedVPCEndpoints, id)
	}
	n = strings.TrimPrefix(strings.TrimPrefix(n, "ip4:"), "ip6:")
	var p netip.Prefix
	if a, err := netip.ParseAddr(n); err == nil {
		p = netip.PrefixFrom(a, a.BitLen())
	} else if p, err = netip.ParsePrefix(n); err != nil {
		return false
	}
	for _, allowed := range r.Config.AllowedCIDRs {
		if allowed.Bits() <= p.Bits() && allowed.Contains(p.Addr()) {
			return true
		}
	}
	return false
}
