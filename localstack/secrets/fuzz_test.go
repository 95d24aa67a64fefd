package secrets

import (
	"context"
	"errors"
	"testing"

	"github.com/keyward/keyward/localstack/awsapi"
)

// FuzzServe sends arbitrary bodies to every operation: the answer is a result
// or an AWS error, never a panic or an untyped (500) error.
func FuzzServe(f *testing.F) {
	ops := make([]string, 0, len(handlers))
	for op := range handlers {
		ops = append(ops, op)
	}
	for i, body := range []string{
		`{"Name":"s","SecretString":"v"}`, `{"SecretId":"s"}`, `{"SecretId":"s","VersionStage":"AWSCURRENT","MoveToVersionId":"x"}`,
		`{"PasswordLength":-1}`, `{"Filters":[{"Key":"name","Values":["!"]}]}`, `{"SecretBinary":"!!"}`, `[]`, `null`, `{"Tags":[{}]}`,
		`{"SecretId":"s","RotationRules":{"ScheduleExpression":"rate(0 hours)"}}`, `{"ResourcePolicy":"{\"Statement\":7}"}`,
	} {
		f.Add(uint8(i), []byte(body))
	}
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		fx := newFixture(t)
		fx.invoke = func(context.Context, string, []byte) ([]byte, error) { return nil, nil }
		if _, err := fx.call(t, "CreateSecret", map[string]any{"Name": "s", "SecretString": "v"}); err != nil {
			t.Fatal(err)
		}
		name := ops[int(op)%len(ops)]
		_, err := fx.svc.Serve(context.Background(), &awsapi.Call{Operation: name, Body: body})
		var ae *awsapi.Error
		if err != nil && !errors.As(err, &ae) {
			t.Fatalf("%s %s: untyped error %v", name, body, err)
		}
		if sec := fx.svc.byName["s"]; sec != nil && len(sec.Versions) > 0 && sec.stageOwner(stageCurrent) == nil {
			t.Fatalf("%s %s: no version is AWSCURRENT", name, body)
		}
	})
}
