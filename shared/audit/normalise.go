package audit

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// normalise turns a decoded record into a Record. resBuf is reused for the
// resources; the caller must clone them to keep the record past the next call.
func (p *Parser) normalise(raw *rawRecord, out *Record) error {
	*out = Record{Resources: p.resBuf[:0]}
	switch {
	case raw.eventID == "":
		return fmt.Errorf("%w: missing eventID", ErrMalformedRecord)
	case raw.eventSource == "":
		return fmt.Errorf("%w: missing eventSource", ErrMalformedRecord)
	case raw.eventName == "":
		return fmt.Errorf("%w: missing eventName", ErrMalformedRecord)
	}
	t, ok := parseEventTime(raw.eventTime)
	if !ok {
		return fmt.Errorf("%w: eventTime is not RFC 3339", ErrMalformedRecord) // the value is not logged
	}
	out.EventID = raw.eventID
	out.Time = t
	out.Source = raw.eventSource
	out.Service = serviceOf(raw.eventSource)
	out.Name = raw.eventName
	out.EventType = raw.eventType
	out.Region = raw.awsRegion
	out.Account = raw.recipientAccountID
	if out.Account == "" {
		out.Account = raw.uiAccountID
	}
	out.Principal = Principal{
		ARN: raw.uiARN, Type: raw.uiType, AccountID: raw.uiAccountID, PrincipalID: raw.uiPrincipalID,
		InvokedBy: raw.uiInvokedBy, SessionIssuer: raw.issuerARN,
	}
	out.Principal.Key = p.principalKey(raw)
	out.SourceIP = raw.sourceIP
	out.UserAgent = raw.userAgent
	out.VPCEndpoint = raw.vpcEndpointID
	out.Network = p.network(raw.vpcEndpointID, raw.sourceIP)
	out.ErrorCode = raw.errorCode
	out.ErrorMessage = raw.errorMessage
	out.ReadOnly = raw.readOnly == triTrue
	out.Category = raw.eventCategory
	if out.Category == "" {
		out.Category = "Management" // records before eventCategory existed were management events
	}
	switch raw.managementEvent {
	case triTrue:
		out.ManagementEvent = true
	case triFalse:
		out.ManagementEvent = false
	default:
		out.ManagementEvent = out.Category != "Data"
	}
	out.Kind = classify(out.Service, out.Name, out.EventType)
	p.resources(raw, out)
	p.resBuf = out.Resources[:0]
	if out.Stored() {
		if err := p.detail(raw, out); err != nil {
			return err
		}
	}
	return nil
}

// ErrMalformedRecord reports a record that cannot be normalised.
var ErrMalformedRecord = fmt.Errorf("audit: malformed CloudTrail record")

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// parseEventTime parses CloudTrail's "2006-01-02T15:04:05Z" without allocating,
// falling back to RFC 3339 with fractions and offsets.
func parseEventTime(s string) (time.Time, bool) {
	if len(s) == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':' && s[19] == 'Z' {
		n := func(i, w int) int {
			v := 0
			for _, c := range []byte(s[i : i+w]) {
				if c < '0' || c > '9' {
					return -1
				}
				v = v*10 + int(c-'0')
			}
			return v
		}
		y, mo, d, h, mi, se := n(0, 4), n(5, 2), n(8, 2), n(11, 2), n(14, 2), n(17, 2)
		if y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h < 24 && mi >= 0 && mi < 60 && se >= 0 && se < 60 {
			t := time.Date(y, time.Month(mo), d, h, mi, se, 0, time.UTC)
			if t.Day() == d { // reject 31 February
				return t, true
			}
		}
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// principalKey is the aggregation key of the caller: the role of an assumed-role
// session, the service for AWS service calls, the account for cross-account
// AWSAccount identities, else the identity ARN.
func (p *Parser) principalKey(raw *rawRecord) string {
	switch {
	case raw.uiType == "AssumedRole" && raw.issuerARN != "":
		return raw.issuerARN
	case raw.uiType == "AssumedRole" && raw.uiARN != "":
		return p.memo.get(memoRole, raw.uiARN, roleOfSession)
	case raw.uiType == "AWSService" || (raw.uiType == "" && raw.uiARN == "" && raw.uiInvokedBy != ""):
		return raw.uiInvokedBy
	case raw.uiType == "AWSAccount" && raw.uiAccountID != "":
		return p.memo.get(memoAccount, raw.uiAccountID, func(v string) string { return "account:" + v })
	case raw.uiARN != "":
		return raw.uiARN
	case raw.uiPrincipalID != "":
		return raw.uiPrincipalID
	case raw.uiAccountID != "":
		return p.memo.get(memoAccount, raw.uiAccountID, func(v string) string { return "account:" + v })
	}
	return ""
}

// roleOfSession maps arn:aws:sts::A:assumed-role/R/S to arn:aws:iam::A:role/R.
func roleOfSession(arn string) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 || !strings.HasPrefix(f[5], "assumed-role/") {
		return strings.Clone(arn)
	}
	role, _, _ := strings.Cut(strings.TrimPrefix(f[5], "assumed-role/"), "/")
	return "arn:" + f[1] + ":iam::" + f[4] + ":role/" + role
}

// network is the caller's source network key: the VPC endpoint, the calling
// service, or the /24 (IPv4) or /48 (IPv6) of the source address.
func (p *Parser) network(vpce, ip string) string {
	if vpce != "" {
		return p.memo.get(memoVPCE, vpce, func(v string) string { return "vpce:" + v })
	}
	if ip == "" {
		return ""
	}
	return p.memo.get(memoNetwork, ip, networkOf)
}

func networkOf(ip string) string {
	var s string
	if a, err := netip.ParseAddr(ip); err == nil {
		a = a.Unmap()
		if a.Is4() {
			pf, _ := a.Prefix(24)
			s = "ip4:" + pf.String()
		} else {
			pf, _ := a.WithZone("").Prefix(48)
			s = "ip6:" + pf.String()
		}
	} else {
		s = "svc:" + ip
	}
	return s
}

// resources fills out.Resources from resources[] (ARN, or the pre-2024 aRN
// spelling), else from the request (keyId, secretId, parameter names) or, for
// service events, additionalEventData.SecretId.
func (p *Parser) resources(raw *rawRecord, out *Record) {
	add := func(v string) {
		if v == "" {
			return
		}
		for _, have := range out.Resources {
			if have == v {
				return
			}
		}
		out.Resources = append(out.Resources, v)
	}
	for _, r := range raw.resources {
		if r.arn != "" {
			add(r.arn)
		} else {
			add(r.aRN)
		}
	}
	if len(out.Resources) > 0 {
		return
	}
	if len(raw.requestParameters) > 0 {
		m := stringMembers(raw.requestParameters)
		switch out.Service {
		case "kms":
			add(m.get("keyId"))
			add(m.get("sourceKeyId"))
			add(m.get("destinationKeyId"))
			add(m.get("targetKeyId"))
			add(m.get("aliasName"))
		case "secretsmanager":
			add(m.get("secretId"))
			if out.Name == "CreateSecret" {
				add(m.get("name"))
			}
		case "ssm":
			add(p.parameterARN(out, m.get("name")))
			add(p.parameterARN(out, m.get("path")))
			for _, n := range m.list("names") {
				add(p.parameterARN(out, n))
			}
		default:
			add(m.get("keyId"))
			add(m.get("secretId"))
		}
	}
	if len(out.Resources) == 0 && len(raw.additionalEventData) > 0 {
		m := stringMembers(raw.additionalEventData)
		add(m.get("SecretId"))
		add(m.get("secretId"))
		add(m.get("keyId"))
	}
}

// parameterARN turns an SSM parameter name into its ARN (names are what callers
// pass; the ARN is what the rest of keyward keys on).
func (p *Parser) parameterARN(r *Record, name string) string {
	if name == "" || strings.HasPrefix(name, "arn:") {
		return name
	}
	if !strings.HasPrefix(name, "/") {
		name = "/" + name
	}
	return "arn:aws:ssm:" + r.Region + ":" + r.Account + ":parameter" + name
}

// members is a small view of an object's top-level string (and string-array)
// members, decoded with the scanner.
type members struct {
	keys  []string
	vals  []string
	lists map[string][]string
}

func (m members) get(k string) string {
	for i := len(m.keys) - 1; i >= 0; i-- {
		if m.keys[i] == k {
			return m.vals[i]
		}
	}
	return ""
}

func (m members) list(k string) []string { return m.lists[k] }

func stringMembers(raw []byte) members {
	var m members
	s := scanner{b: raw}
	if s.peek() != '{' {
		return m
	}
	_ = s.object(func(key []byte) error {
		switch s.peek() {
		case '"':
			v, err := s.str()
			if err != nil {
				return err
			}
			m.keys = append(m.keys, bstr(key))
			m.vals = append(m.vals, bstr(v))
			return nil
		case '[':
			var l []string
			err := s.array(func() error {
				if s.peek() != '"' {
					return s.skip()
				}
				v, err := s.str()
				l = append(l, bstr(v))
				return err
			})
			if m.lists == nil {
				m.lists = map[string][]string{}
			}
			m.lists[bstr(key)] = l
			return err
		}
		return s.skip()
	})
	return m
}
