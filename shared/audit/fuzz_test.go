package audit

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// refDecode is the reference decoder for the fuzz test: encoding/json into maps,
// with the same field rules as decodeRecord (a member of the wrong type is absent,
// the last duplicate wins, resources elements that are not objects are skipped).
func refDecode(data []byte) (rawRecord, error) {
	var r rawRecord
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return r, err
	}
	if top == nil { // "null" is not an object
		return r, errSyntax
	}
	str := func(m map[string]json.RawMessage, k string) string {
		var s string
		if v, ok := m[k]; ok && len(v) > 0 && v[0] == '"' {
			_ = json.Unmarshal(v, &s)
		}
		return s
	}
	boolean := func(k string) tri {
		switch string(top[k]) {
		case "true":
			return triTrue
		case "false":
			return triFalse
		}
		return triUnset
	}
	raw := func(k string) []byte {
		v := top[k]
		if len(v) == 0 || string(v) == "null" {
			return nil
		}
		return v
	}
	obj := func(v json.RawMessage) map[string]json.RawMessage {
		if len(v) == 0 || v[0] != '{' {
			return nil
		}
		var m map[string]json.RawMessage
		_ = json.Unmarshal(v, &m)
		return m
	}
	r.eventVersion, r.eventTime, r.eventSource = str(top, "eventVersion"), str(top, "eventTime"), str(top, "eventSource")
	r.eventName, r.awsRegion, r.sourceIP = str(top, "eventName"), str(top, "awsRegion"), str(top, "sourceIPAddress")
	r.userAgent, r.errorCode, r.errorMessage = str(top, "userAgent"), str(top, "errorCode"), str(top, "errorMessage")
	r.requestID, r.eventID, r.eventType = str(top, "requestID"), str(top, "eventID"), str(top, "eventType")
	r.recipientAccountID, r.eventCategory, r.vpcEndpointID = str(top, "recipientAccountId"), str(top, "eventCategory"), str(top, "vpcEndpointId")
	r.readOnly, r.managementEvent = boolean("readOnly"), boolean("managementEvent")
	r.requestParameters, r.responseElements = raw("requestParameters"), raw("responseElements")
	r.additionalEventData, r.serviceEventDetails = raw("additionalEventData"), raw("serviceEventDetails")
	if ui := obj(top["userIdentity"]); ui != nil {
		r.uiType, r.uiPrincipalID, r.uiARN = str(ui, "type"), str(ui, "principalId"), str(ui, "arn")
		r.uiAccountID, r.uiInvokedBy = str(ui, "accountId"), str(ui, "invokedBy")
		if sc := obj(ui["sessionContext"]); sc != nil {
			if si := obj(sc["sessionIssuer"]); si != nil {
				r.issuerARN = str(si, "arn")
			}
		}
	}
	if v := top["resources"]; len(v) > 0 && v[0] == '[' {
		var elems []json.RawMessage
		_ = json.Unmarshal(v, &elems)
		for _, e := range elems {
			if m := obj(e); m != nil {
				r.resources = append(r.resources, rawResource{arn: str(m, "ARN"), aRN: str(m, "aRN"),
					accountID: str(m, "accountId"), typ: str(m, "type")})
			}
		}
	}
	return r, nil
}

func normaliseRaw(r rawRecord) rawRecord {
	if len(r.resources) == 0 {
		r.resources = nil
	}
	return r
}

func FuzzDecodeRecord(f *testing.F) {
	for _, name := range []string{"kms-decrypt", "kms-creategrant", "kms-decrypt-legacy", "kms-error-accessdenied",
		"secretsmanager-getsecretvalue-legacy-arn", "secretsmanager-rotationfailed", "ssm-getparametersbypath"} {
		f.Add(fixture(f, name))
	}
	f.Add([]byte(`{"eventID":"a\u00e9\n","resources":[1,{"aRN":"x","ARN":"y"},null],"userIdentity":null}`))
	f.Add([]byte(`{"userIdentity":{"sessionContext":{"sessionIssuer":"x"}},"readOnly":"true","eventID":"a","eventID":"b"}`))
	f.Add([]byte("{\"eventName\":\"\xff\xfe\",\"n\":-0.5e+3}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got rawRecord
		s := scanner{b: data}
		err := func() error {
			if s.peek() != '{' {
				return errSyntax
			}
			if err := decodeRecord(&s, &got); err != nil {
				return err
			}
			if s.peek() != 0 {
				return errSyntax
			}
			return nil
		}()
		want, refErr := refDecode(data)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("decoder error %v, reference error %v", err, refErr)
		}
		if err != nil {
			return
		}
		if g, w := normaliseRaw(got), normaliseRaw(want); !reflect.DeepEqual(g, w) {
			t.Fatalf("decoded\n%+v\nreference\n%+v", g, w)
		}
		// Normalising never panics, whatever the content.
		p := NewParser(ParserConfig{ContextKey: testContextKey})
		var rec Record
		_ = p.normalise(&got, &rec)
	})
}

func FuzzParseLogFile(f *testing.F) {
	f.Add([]byte(`{"Records":[{"eventID":"a","eventTime":"2026-12-01T10:00:00Z","eventSource":"kms.amazonaws.com","eventName":"Decrypt"},3,{}]}`))
	f.Add(bytes.Repeat([]byte("["), 100))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := NewParser(ParserConfig{ContextKey: testContextKey})
		b := NewBatch()
		st, err := p.ParseLogFile(data, b.Add)
		if err == nil && json.Valid(data) == false {
			t.Fatalf("accepted invalid JSON")
		}
		if st.Used != b.Records || st.Used+st.Ignored+len(st.Bad) > st.Records {
			t.Fatalf("inconsistent stats %+v, batch %d", st, b.Records)
		}
	})
}
