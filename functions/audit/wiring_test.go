package main

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

type secretFunc func(context.Context, *secretsmanager.GetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)

func (f secretFunc) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, o ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	return f(ctx, in, o...)
}

func TestContextKey(t *testing.T) {
	secret := secretFunc(func(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
		if aws.ToString(in.SecretId) != "hmac-secret" {
			return nil, errors.New("ResourceNotFoundException")
		}
		return &secretsmanager.GetSecretValueOutput{SecretString: aws.String("from-secrets-manager")}, nil
	})
	tests := []struct {
		name    string
		env     map[string]string
		want    string
		wantErr bool
	}{
		{"secret", map[string]string{"AUDIT_CONTEXT_KEY_SECRET_ID": "hmac-secret", "AUDIT_CONTEXT_KEY": "ignored"}, "from-secrets-manager", false},
		{"missing secret", map[string]string{"AUDIT_CONTEXT_KEY_SECRET_ID": "other"}, "", true},
		{"explicit local key", map[string]string{"AUDIT_CONTEXT_KEY": "mine"}, "mine", false},
		{"local endpoint default", map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"}, localContextKey, false},
		{"nothing against AWS", map[string]string{}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := contextKey(context.Background(), func(k string) string { return tt.env[k] }, secret)
			if (err != nil) != tt.wantErr || string(got) != tt.want {
				t.Fatalf("contextKey = %q, %v; want %q (error %v)", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestPositive(t *testing.T) {
	env := map[string]string{"A": "8", "B": "0", "C": "x"}
	get := func(k string) string { return env[k] }
	if n, err := positive(get, "A", 4); n != 8 || err != nil {
		t.Errorf("A = %d, %v", n, err)
	}
	if n, err := positive(get, "MISSING", 4); n != 4 || err != nil {
		t.Errorf("default = %d, %v", n, err)
	}
	for _, k := range []string{"B", "C"} {
		if _, err := positive(get, k, 4); err == nil {
			t.Errorf("%s accepted", k)
		}
	}
}

func TestObjectUnitAndLogFileFilter(t *testing.T) {
	o := object{Bucket: "b", Key: "AWSLogs/1/CloudTrail/us-east-1/x.json.gz", ETag: "e"}
	if o.unit() != "s3:b/AWSLogs/1/CloudTrail/us-east-1/x.json.gz" {
		t.Errorf("unit %q", o.unit())
	}
	for key, want := range map[string]bool{
		"AWSLogs/o-1/111122223333/CloudTrail/us-east-1/2026/12/01/f.json.gz":        true,
		"AWSLogs/o-1/111122223333/CloudTrail-Digest/us-east-1/2026/12/01/f.json.gz": false,
		"AWSLogs/o-1/111122223333/CloudTrail-Insight/us-east-1/f.json.gz":           false,
		"AWSLogs/111122223333/CloudTrail/us-east-1/f.txt":                           false,
	} {
		if isLogFile(key) != want {
			t.Errorf("isLogFile(%q) = %v", key, !want)
		}
	}
}
