package trail

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/keyward/keyward/localstack/awsapi"
)

// EventVersion is the CloudTrail record format version the tap writes.
const EventVersion = "1.11"

// Record is one CloudTrail record, with fields in CloudTrail's order.
type Record struct {
	EventVersion        string            `json:"eventVersion"`
	UserIdentity        UserIdentity      `json:"userIdentity"`
	EventTime           string            `json:"eventTime"`
	EventSource         string            `json:"eventSource"`
	EventName           string            `json:"eventName"`
	AWSRegion           string            `json:"awsRegion"`
	SourceIPAddress     string            `json:"sourceIPAddress"`
	UserAgent           string            `json:"userAgent"`
	ErrorCode           string            `json:"errorCode,omitempty"`
	ErrorMessage        string            `json:"errorMessage,omitempty"`
	RequestParameters   map[string]any    `json:"requestParameters"`
	ResponseElements    map[string]any    `json:"responseElements"`
	AdditionalEventData map[string]any    `json:"additionalEventData,omitempty"`
	RequestID           string            `json:"requestID"`
	EventID             string            `json:"eventID"`
	ReadOnly            bool              `json:"readOnly"`
	Resources           []awsapi.Resource `json:"resources,omitempty"`
	EventType           string            `json:"eventType"`
	ManagementEvent     bool              `json:"managementEvent"`
	RecipientAccountID  string            `json:"recipientAccountId"`
	ServiceEventDetails map[string]any    `json:"serviceEventDetails,omitempty"`
	EventCategory       string            `json:"eventCategory"`
	TLSDetails          *TLSDetails       `json:"tlsDetails,omitempty"`
}

// UserIdentity is CloudTrail's userIdentity element.
type UserIdentity struct {
	Type           string          `json:"type,omitempty"`
	PrincipalID    string          `json:"principalId,omitempty"`
	ARN            string          `json:"arn,omitempty"`
	AccountID      string          `json:"accountId,omitempty"`
	AccessKeyID    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
	InvokedBy      string          `json:"invokedBy,omitempty"`
}

// SessionContext describes the role session behind an AssumedRole identity.
type SessionContext struct {
	SessionIssuer SessionIssuer     `json:"sessionIssuer"`
	Attributes    map[string]string `json:"attributes"`
}

// SessionIssuer is the role that issued an assumed-role session.
type SessionIssuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
}

// TLSDetails is CloudTrail's tlsDetails element.
type TLSDetails struct {
	TLSVersion               string `json:"tlsVersion"`
	CipherSuite              string `json:"cipherSuite"`
	ClientProvidedHostHeader string `json:"clientProvidedHostHeader"`
}

// Event is the EventBridge envelope CloudTrail events arrive in.
type Event struct {
	Version    string   `json:"version"`
	ID         string   `json:"id"`
	DetailType string   `json:"detail-type"`
	Source     string   `json:"source"`
	Account    string   `json:"account"`
	Time       string   `json:"time"`
	Region     string   `json:"region"`
	Resources  []string `json:"resources"`
	Detail     Record   `json:"detail"`
}

// Detail types of the two kinds of CloudTrail events on EventBridge.
const (
	DetailTypeAPICall      = "AWS API Call via CloudTrail"
	DetailTypeServiceEvent = "AWS Service Event via CloudTrail"
)

func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// APICallRecord builds the CloudTrail record of one API call. e is the error the
// caller received, or nil.
func APICallRecord(call *awsapi.Call, d awsapi.TrailDetails, e *awsapi.Error) Record {
	source := call.Service + ".amazonaws.com"
	category := d.EventCategory
	if category == "" {
		category = "Management"
	}
	r := Record{
		EventVersion:        EventVersion,
		UserIdentity:        identity(call.Caller, call.Time),
		EventTime:           timestamp(call.Time),
		EventSource:         source,
		EventName:           call.Operation,
		AWSRegion:           call.Region,
		SourceIPAddress:     call.Caller.SourceIP,
		UserAgent:           call.Caller.UserAgent,
		RequestParameters:   d.RequestParameters,
		ResponseElements:    d.ResponseElements,
		AdditionalEventData: d.AdditionalEventData,
		RequestID:           call.RequestID,
		EventID:             awsapi.NewUUID(),
		ReadOnly:            d.ReadOnly,
		Resources:           d.Resources,
		EventType:           "AwsApiCall",
		ManagementEvent:     d.ManagementEvent || category == "Management",
		RecipientAccountID:  call.Caller.AccountID,
		EventCategory:       category,
		// The local endpoint speaks plain HTTP; the element is shaped as AWS writes
		// it for the service's regional endpoint so consumers parse it unchanged.
		TLSDetails: &TLSDetails{TLSVersion: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256",
			ClientProvidedHostHeader: call.Service + "." + call.Region + ".amazonaws.com"},
	}
	if call.Caller.InvokedBy != "" {
		// Calls a service makes on the caller's behalf carry the service as source.
		r.SourceIPAddress, r.UserAgent, r.TLSDetails = call.Caller.InvokedBy, call.Caller.InvokedBy, nil
	}
	if r.RecipientAccountID == "" {
		r.RecipientAccountID = accountOf(d.Resources)
	}
	if e != nil {
		r.ErrorCode, r.ErrorMessage = e.Code, e.Message
		r.ResponseElements = nil
	}
	return r
}

// ServiceEventRecord builds the CloudTrail record of a service event.
func ServiceEventRecord(ev awsapi.ServiceEvent) Record {
	return Record{
		EventVersion:        EventVersion,
		UserIdentity:        UserIdentity{AccountID: ev.AccountID, InvokedBy: ev.Source},
		EventTime:           timestamp(ev.Time),
		EventSource:         ev.Source,
		EventName:           ev.EventName,
		AWSRegion:           ev.Region,
		SourceIPAddress:     ev.Source,
		UserAgent:           ev.Source,
		AdditionalEventData: ev.AdditionalEventData,
		RequestID:           awsapi.NewUUID(),
		EventID:             awsapi.NewUUID(),
		Resources:           ev.Resources,
		EventType:           "AwsServiceEvent",
		ManagementEvent:     true,
		RecipientAccountID:  ev.AccountID,
		ServiceEventDetails: ev.ServiceEventDetails,
		EventCategory:       "Management",
	}
}

// Envelope wraps a record as EventBridge delivers it.
func Envelope(r Record, detailType string) Event {
	source := "aws." + strings.TrimSuffix(r.EventSource, ".amazonaws.com")
	return Event{
		Version:    "0",
		ID:         awsapi.NewUUID(),
		DetailType: detailType,
		Source:     source,
		Account:    r.RecipientAccountID,
		Time:       r.EventTime,
		Region:     r.AWSRegion,
		Resources:  []string{},
		Detail:     r,
	}
}

func identity(c awsapi.Caller, at time.Time) UserIdentity {
	u := UserIdentity{Type: c.Type, PrincipalID: c.PrincipalID, ARN: c.ARN, AccountID: c.AccountID,
		AccessKeyID: c.AccessKeyID, InvokedBy: c.InvokedBy}
	switch c.Type {
	case "IAMUser":
		u.UserName = c.ARN[strings.LastIndex(c.ARN, "/")+1:]
	case "AssumedRole":
		// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
		f := strings.Split(c.ARN[strings.Index(c.ARN, "assumed-role/")+len("assumed-role/"):], "/")
		role := f[0]
		rolePID, _, _ := strings.Cut(c.PrincipalID, ":")
		u.SessionContext = &SessionContext{
			SessionIssuer: SessionIssuer{Type: "Role", PrincipalID: rolePID,
				ARN: "arn:aws:iam::" + c.AccountID + ":role/" + role, AccountID: c.AccountID, UserName: role},
			Attributes: map[string]string{"creationDate": timestamp(at.Add(-time.Minute)), "mfaAuthenticated": "false"},
		}
	case "AWSService":
		u = UserIdentity{Type: "AWSService", InvokedBy: c.InvokedBy}
	}
	return u
}

func accountOf(rs []awsapi.Resource) string {
	for _, r := range rs {
		if r.AccountID != "" {
			return r.AccountID
		}
	}
	return ""
}

// Marshal encodes an event as one JSON line (no trailing newline).
func Marshal(ev Event) ([]byte, error) { return json.Marshal(ev) }
