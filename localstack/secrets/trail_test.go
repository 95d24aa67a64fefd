package secrets

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/keyward/keyward/localstack/awsapi"
)

func TestTrailDetails(t *testing.T) {
	f := newFixture(t)
	run := func(op string, body map[string]any) awsapi.TrailDetails {
		raw, _ := json.Marshal(body)
		call := &awsapi.Call{Service: "secretsmanager", Operation: op, Body: raw}
		out, err := f.svc.Serve(context.Background(), call)
		return f.svc.TrailDetails(call, out, err)
	}
	d := run("CreateSecret", map[string]any{"Name": "s", "SecretString": "hunter2", "ClientRequestToken": token('c'),
		"Tags": []map[string]string{{"Key": "k", "Value": "v"}}})
	if d.ReadOnly || d.RequestParameters["name"] != "s" || d.RequestParameters["clientRequestToken"] != token('c') {
		t.Errorf("CreateSecret details = %+v", d)
	}
	if tags := d.RequestParameters["tags"].([]any); tags[0].(map[string]any)["key"] != "k" {
		t.Errorf("tags = %v", tags)
	}
	arn := d.ResponseElements["arn"].(string)
	if d.ResponseElements["versionId"] != token('c') || d.ResponseElements["name"] != "s" {
		t.Errorf("responseElements = %v", d.ResponseElements)
	}
	if len(d.Resources) != 1 || d.Resources[0].ARN != arn || d.Resources[0].Type != "AWS::SecretsManager::Secret" || d.Resources[0].AccountID != "111122223333" {
		t.Errorf("resources = %+v", d.Resources)
	}

	g := run("GetSecretValue", map[string]any{"SecretId": "s", "VersionStage": "AWSCURRENT"})
	if !g.ReadOnly || g.ResponseElements != nil || g.RequestParameters["secretId"] != "s" || g.RequestParameters["versionStage"] != "AWSCURRENT" {
		t.Errorf("GetSecretValue details = %+v", g)
	}
	if len(g.Resources) != 1 || g.Resources[0].ARN != arn {
		t.Errorf("GetSecretValue resources = %+v", g.Resources)
	}

	p := run("PutSecretValue", map[string]any{"SecretId": "s", "SecretBinary": []byte("hunter3")})
	e := run("GetSecretValue", map[string]any{"SecretId": "missing"})
	if len(e.Resources) != 0 || e.RequestParameters["secretId"] != "missing" {
		t.Errorf("failed call details = %+v", e)
	}
	r := run("GetRandomPassword", map[string]any{})
	for _, det := range []awsapi.TrailDetails{d, g, p, e, r} {
		b, _ := json.Marshal(det)
		for _, leak := range []string{"hunter", "aHVudGVy", "secretString", "secretBinary", "RandomPassword"} {
			if strings.Contains(string(b), leak) {
				t.Errorf("trail details leak %q: %s", leak, b)
			}
		}
	}
}

// Every call about one secret names it in resources[]; writes also in responseElements.
func TestTrailResourcesForEveryOperation(t *testing.T) {
	f := newFixture(t)
	arn := f.must(t, "CreateSecret", map[string]any{"Name": "s", "SecretString": "v", "ClientRequestToken": token('1')})["ARN"]
	f.must(t, "PutSecretValue", map[string]any{"SecretId": "s", "SecretString": "w", "ClientRequestToken": token('2')})
	for _, c := range []struct {
		op   string
		body map[string]any
	}{
		{"DescribeSecret", map[string]any{"SecretId": "s"}},
		{"GetSecretValue", map[string]any{"SecretId": "s"}},
		{"PutSecretValue", map[string]any{"SecretId": "s", "SecretString": "x"}},
		{"UpdateSecret", map[string]any{"SecretId": "s", "Description": "d"}},
		{"UpdateSecretVersionStage", map[string]any{"SecretId": "s", "VersionStage": "L", "MoveToVersionId": token('1')}},
		{"ListSecretVersionIds", map[string]any{"SecretId": "s"}},
		{"PutResourcePolicy", map[string]any{"SecretId": "s", "ResourcePolicy": `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`}},
		{"GetResourcePolicy", map[string]any{"SecretId": "s"}},
		{"DeleteResourcePolicy", map[string]any{"SecretId": "s"}},
		{"TagResource", map[string]any{"SecretId": "s", "Tags": []map[string]string{{"Key": "k", "Value": "v"}}}},
		{"UntagResource", map[string]any{"SecretId": "s", "TagKeys": []string{"k"}}},
		{"CancelRotateSecret", map[string]any{"SecretId": "s"}},
		{"DeleteSecret", map[string]any{"SecretId": "s"}},
		{"RestoreSecret", map[string]any{"SecretId": "s"}},
	} {
		raw, _ := json.Marshal(c.body)
		call := &awsapi.Call{Operation: c.op, Body: raw}
		out, err := f.svc.Serve(context.Background(), call)
		if err != nil {
			t.Fatalf("%s: %v", c.op, err)
		}
		d := f.svc.TrailDetails(call, out, err)
		if len(d.Resources) != 1 || d.Resources[0].ARN != arn {
			t.Errorf("%s resources = %+v", c.op, d.Resources)
		}
		if hasARN := d.ResponseElements["arn"] == arn; hasARN == d.ReadOnly && c.op != "TagResource" && c.op != "UntagResource" {
			t.Errorf("%s readOnly=%v responseElements=%v", c.op, d.ReadOnly, d.ResponseElements)
		}
	}
}
