package audit

import (
	"time"

	"github.com/keyward/keyward/shared/table"
)

// eventItems files a record under each of its resources (or under
// "<service>:<account>" when it names none). Only the first copy carries the GSI
// attributes, so principal and name queries return each record once.
func eventItems(r *Record, ttl int64) []table.AuditEvent {
	resources := r.Resources
	if len(resources) == 0 {
		resources = []string{r.Service + ":" + r.Account}
	}
	out := make([]table.AuditEvent, 0, len(resources))
	for i, res := range resources {
		it := table.AuditEvent{
			PK: table.AuditEventPK(res), SK: table.AuditEventSK(r.Time, r.EventID), TTL: ttl,
			Type: table.TypeAuditEvent, Resource: res, Resources: r.Resources,
			EventID: r.EventID, EventTime: r.Time.UTC().Format(timeLayout), EventSource: r.Source,
			EventName: r.Name, EventType: r.EventType, Kind: string(r.Kind), Region: r.Region, Account: r.Account,
			Principal: r.Principal.Key, PrincipalARN: r.Principal.ARN, PrincipalType: r.Principal.Type,
			PrincipalAcct: r.Principal.AccountID, InvokedBy: r.Principal.InvokedBy,
			SessionIssuer: r.Principal.SessionIssuer, SourceIP: r.SourceIP, Network: r.Network,
			UserAgent: r.UserAgent, VPCEndpointID: r.VPCEndpoint, ErrorCode: r.ErrorCode,
			ErrorMessage: r.ErrorMessage, ReadOnly: r.ReadOnly, ManagementEvent: r.ManagementEvent,
			Category: r.Category, Context: r.Context, RequestParams: r.RequestParameters,
			ResponseElems: r.ResponseElements, AdditionalData: r.AdditionalEventData,
			ServiceDetails: r.ServiceEventDetails,
		}
		if i == 0 {
			gsk := table.AuditEventGSISK(r.Time, r.EventID)
			if r.Principal.Key != "" {
				it.GSI1PK, it.GSI1SK = table.AuditPrincipalGSI1PK(r.Principal.Key, r.Time), gsk
			}
			it.GSI2PK, it.GSI2SK = table.AuditNameGSI2PK(r.Service, r.Name, r.Time), gsk
		}
		out = append(out, it)
	}
	return out
}

func recordsFromItems(items []table.AuditEvent) []Record {
	out := make([]Record, 0, len(items))
	for _, it := range items {
		t, _ := time.Parse(time.RFC3339Nano, it.EventTime)
		out = append(out, Record{
			EventID: it.EventID, Time: t, Source: it.EventSource, Service: serviceOf(it.EventSource),
			Name: it.EventName, EventType: it.EventType, Region: it.Region, Account: it.Account,
			Principal: Principal{Key: it.Principal, ARN: it.PrincipalARN, Type: it.PrincipalType,
				AccountID: it.PrincipalAcct, InvokedBy: it.InvokedBy, SessionIssuer: it.SessionIssuer},
			SourceIP: it.SourceIP, Network: it.Network, UserAgent: it.UserAgent, VPCEndpoint: it.VPCEndpointID,
			Resources: it.Resources, ErrorCode: it.ErrorCode, ErrorMessage: it.ErrorMessage,
			ReadOnly: it.ReadOnly, ManagementEvent: it.ManagementEvent, Category: it.Category,
			Kind: Kind(it.Kind), Context: it.Context, RequestParameters: it.RequestParams,
			ResponseElements: it.ResponseElems, AdditionalEventData: it.AdditionalData,
			ServiceEventDetails: it.ServiceDetails,
		})
	}
	return out
}
