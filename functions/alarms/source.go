package main

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/keyward/keyward/shared/audit"
	"github.com/keyward/keyward/shared/rules"
)

// Audit is what the evaluator reads from the audit store; *audit.Store
// satisfies it. Every read is a Query or GetItem by key: never a Scan of events.
type Audit interface {
	ActivityReader
	UsageWindow(ctx context.Context, from, to time.Time) ([]audit.Usage, error)
	EventsByName(ctx context.Context, service, name string, q audit.EventQuery) ([]audit.Record, error)
	EventsByResource(ctx context.Context, resource string, q audit.EventQuery) ([]audit.Record, error)
	LastUse(ctx context.Context, resource string, ops []string, since time.Time) (audit.LastUse, bool, error)
}

// ActivityReader lists the resources with calls in [from, to).
type ActivityReader interface {
	ActiveResources(ctx context.Context, from, to time.Time) ([]audit.Activity, error)
}

// watchedEvents are the individually stored events the window rules read by
// name (one gsi2 Query each per UTC day of the window).
var watchedEvents = []struct{ service, name string }{
	{"kms", "DisableKey"}, {"kms", "EnableKey"}, {"kms", "ScheduleKeyDeletion"}, {"kms", "CancelKeyDeletion"},
	{"kms", "PutKeyPolicy"}, {"kms", "CreateGrant"}, {"kms", "DeleteAlias"},
	{"secretsmanager", "PutResourcePolicy"}, {"secretsmanager", "DeleteResourcePolicy"},
	{"secretsmanager", "DeleteSecret"}, {"secretsmanager", "RotationFailed"},
	{"secretsmanager", "RotationSucceeded"}, {"secretsmanager", "RotationAbandoned"},
}

// aliasUseOps are the calls that show an alias is in use.
var aliasUseOps = []string{"Decrypt", "Encrypt", "GenerateDataKey*", "ReEncrypt*", "Sign", "Verify",
	"GenerateMac", "VerifyMac", "DescribeKey", "GetPublicKey"}

// eventOf maps an audit record to the rules' view, pulling the policy, grantee
// and alias out of the sanitised request parameters.
func eventOf(r audit.Record) rules.Event {
	e := rules.Event{ID: r.EventID, Time: r.Time, Source: r.Source, Name: r.Name, Resources: r.Resources,
		Principal: r.Principal.Key, Account: r.Principal.AccountID, InvokedBy: r.Principal.InvokedBy,
		SourceIP: r.SourceIP, VPCEndpoint: r.VPCEndpoint, Network: r.Network,
		ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage}
	if e.Principal == "" {
		e.Principal = r.Principal.ARN
	}
	if r.RequestParameters == "" {
		return e
	}
	var p struct {
		Policy           json.RawMessage `json:"policy"`
		ResourcePolicy   json.RawMessage `json:"resourcePolicy"`
		GranteePrincipal string          `json:"granteePrincipal"`
		AliasName        string          `json:"aliasName"`
	}
	if json.Unmarshal([]byte(r.RequestParameters), &p) != nil {
		return e
	}
	e.Policy = policyText(p.Policy)
	if e.Policy == "" {
		e.Policy = policyText(p.ResourcePolicy)
	}
	e.Grantee = p.GranteePrincipal
	e.Alias = p.AliasName
	if e.Alias == "" && r.Name == "DeleteAlias" {
		for _, res := range r.Resources {
			if i := strings.Index(res, ":alias/"); i >= 0 {
				e.Alias = res[i+1:]
			}
		}
	}
	return e
}

// policyText accepts a policy given as a JSON string (CloudTrail's usual form)
// or as an embedded object.
func policyText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// usageOf maps an audit usage row to the rules' view.
func usageOf(u audit.Usage) rules.Usage {
	out := rules.Usage{Resource: u.Resource, Operation: u.Operation, Outcome: u.Outcome,
		Principal: u.Principal, Source: u.Network, Count: u.N}
	if out.Outcome == audit.OutcomeOK {
		out.Outcome = ""
	}
	for _, s := range u.Samples {
		if len(out.SampleIDs) < 3 {
			out.SampleIDs = append(out.SampleIDs, s.EventID)
		}
	}
	return out
}
