package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/keyward/keyward/localstack/awsapi"
)

// rotator is a rotation function that does what AWS's templates do, calling the
// service in process.
func rotator(t *testing.T, f *fixture, failStep string, steps *[]string) invokerFunc {
	return func(ctx context.Context, fn string, payload []byte) ([]byte, error) {
		var ev rotationEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			t.Errorf("payload %s: %v", payload, err)
		}
		*steps = append(*steps, ev.Step)
		if ev.Step == failStep {
			return nil, errors.New("step failed")
		}
		switch ev.Step {
		case "createSecret":
			_, err := f.call(t, "GetSecretValue", map[string]any{"SecretId": ev.SecretID, "VersionId": ev.ClientRequestToken, "VersionStage": "AWSPENDING"})
			var ae *awsapi.Error
			if !errors.As(err, &ae) || ae.Code != "ResourceNotFoundException" {
				t.Errorf("pending value before createSecret: %v", err)
			}
			_, err = f.call(t, "PutSecretValue", map[string]any{"SecretId": ev.SecretID, "ClientRequestToken": ev.ClientRequestToken, "SecretString": "rotated", "VersionStages": []string{"AWSPENDING"}})
			return nil, err
		case "finishSecret":
			cur := f.svc.byName["db"].stageOwner(stageCurrent).ID
			_, err := f.call(t, "UpdateSecretVersionStage", map[string]any{"SecretId": ev.SecretID, "VersionStage": "AWSCURRENT", "MoveToVersionId": ev.ClientRequestToken, "RemoveFromVersionId": cur})
			return nil, err
		}
		return nil, nil
	}
}

func TestRotateSecret(t *testing.T) {
	f := newFixture(t)
	var steps []string
	f.invoke = rotator(t, f, "", &steps)
	f.must(t, "CreateSecret", map[string]any{"Name": "db", "SecretString": "old", "ClientRequestToken": token('o')})
	out := f.must(t, "RotateSecret", map[string]any{"SecretId": "db", "RotationLambdaARN": "arn:aws:lambda:us-east-1:111122223333:function:rot",
		"RotationRules": map[string]any{"AutomaticallyAfterDays": 30}, "ClientRequestToken": token('n')})
	if out["VersionId"] != token('n') {
		t.Errorf("VersionId = %v", out["VersionId"])
	}
	if want := rotationSteps; !reflect.DeepEqual(steps, want) {
		t.Errorf("steps = %v, want %v", steps, want)
	}
	if got := f.must(t, "GetSecretValue", map[string]any{"SecretId": "db"}); got["SecretString"] != "rotated" {
		t.Errorf("AWSCURRENT = %v", got["SecretString"])
	}
	want := map[string][]string{token('o'): {"AWSPREVIOUS"}, token('n'): {"AWSCURRENT"}}
	if got := stagesOf(t, f, "db"); !reflect.DeepEqual(got, want) {
		t.Errorf("stages = %v, want %v", got, want)
	}
	d := f.must(t, "DescribeSecret", map[string]any{"SecretId": "db"})
	if d["RotationEnabled"] != true || d["LastRotatedDate"] == nil || d["NextRotationDate"] == nil {
		t.Errorf("DescribeSecret = %v", d)
	}
	if got := f.events.names(); !reflect.DeepEqual(got, []string{"RotationStarted", "RotationSucceeded"}) {
		t.Errorf("events = %v", got)
	}
}

func TestRotateSecretFailureLeavesPending(t *testing.T) {
	f := newFixture(t)
	var steps []string
	f.invoke = rotator(t, f, "testSecret", &steps)
	f.must(t, "CreateSecret", map[string]any{"Name": "db", "SecretString": "old"})
	f.must(t, "RotateSecret", map[string]any{"SecretId": "db", "RotationLambdaARN": "rot", "ClientRequestToken": token('n')})
	if !reflect.DeepEqual(steps, []string{"createSecret", "setSecret", "testSecret"}) {
		t.Errorf("steps = %v", steps)
	}
	if got := f.events.names(); !reflect.DeepEqual(got, []string{"RotationStarted", "RotationFailed"}) {
		t.Errorf("events = %v", got)
	}
	if got := f.must(t, "GetSecretValue", map[string]any{"SecretId": "db"}); got["SecretString"] != "old" {
		t.Errorf("AWSCURRENT changed: %v", got["SecretString"])
	}
	_, err := f.call(t, "RotateSecret", map[string]any{"SecretId": "db"})
	wantCode(t, err, "InvalidRequestException")
	if err.(*awsapi.Error).Message != "A previous rotation isn't complete. That rotation will be reattempted." {
		t.Errorf("message = %q", err.(*awsapi.Error).Message)
	}
	c := f.must(t, "CancelRotateSecret", map[string]any{"SecretId": "db"})
	if c["VersionId"] != token('n') {
		t.Errorf("CancelRotateSecret = %v", c)
	}
	f.must(t, "UpdateSecretVersionStage", map[string]any{"SecretId": "db", "VersionStage": "AWSPENDING", "RemoveFromVersionId": token('n')})
	steps = nil
	f.invoke = rotator(t, f, "", &steps)
	f.must(t, "RotateSecret", map[string]any{"SecretId": "db"}) // uses the stored function
	if len(steps) != 4 {
		t.Errorf("second rotation steps = %v", steps)
	}
}

func TestRotateSecretErrors(t *testing.T) {
	cases := []struct {
		name string
		in   map[string]any
		code string
	}{
		{"no function", map[string]any{"SecretId": "db"}, "InvalidRequestException"},
		{"both schedules", map[string]any{"SecretId": "db", "RotationLambdaARN": "f", "RotationRules": map[string]any{"AutomaticallyAfterDays": 1, "ScheduleExpression": "rate(1 days)"}}, "InvalidParameterException"},
		{"days out of range", map[string]any{"SecretId": "db", "RotationLambdaARN": "f", "RotationRules": map[string]any{"AutomaticallyAfterDays": 1001}}, "ValidationException"},
		{"bad expression", map[string]any{"SecretId": "db", "RotationLambdaARN": "f", "RotationRules": map[string]any{"ScheduleExpression": "every day"}}, "InvalidParameterException"},
		{"bad duration", map[string]any{"SecretId": "db", "RotationLambdaARN": "f", "RotationRules": map[string]any{"ScheduleExpression": "rate(10 days)", "Duration": "25h"}}, "InvalidParameterException"},
		{"unknown function", map[string]any{"SecretId": "db", "RotationLambdaARN": "nope"}, "AccessDeniedException"},
		{"unknown secret", map[string]any{"SecretId": "x", "RotationLambdaARN": "f"}, "ResourceNotFoundException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.invoke = func(context.Context, string, []byte) ([]byte, error) {
				return nil, awsapi.NewError(http.StatusNotFound, "ResourceNotFoundException", "Function not found")
			}
			f.must(t, "CreateSecret", map[string]any{"Name": "db", "SecretString": "v"})
			_, err := f.call(t, "RotateSecret", tc.in)
			wantCode(t, err, tc.code)
			d := f.must(t, "DescribeSecret", map[string]any{"SecretId": "db"})
			if d["RotationEnabled"] != false || len(f.svc.byName["db"].Versions) != 1 {
				t.Errorf("failed RotateSecret changed the secret: %v", d)
			}
		})
	}
}

func TestRotateNotImmediately(t *testing.T) {
	f := newFixture(t)
	var steps []string
	f.invoke = rotator(t, f, "", &steps)
	f.must(t, "CreateSecret", map[string]any{"Name": "db", "SecretString": "v"})
	f.must(t, "RotateSecret", map[string]any{"SecretId": "db", "RotationLambdaARN": "f", "RotateImmediately": false,
		"RotationRules": map[string]any{"ScheduleExpression": "rate(10 days)", "Duration": "3h"}})
	if !reflect.DeepEqual(steps, []string{"testSecret"}) {
		t.Errorf("steps = %v, want only testSecret", steps)
	}
	if len(f.svc.byName["db"].Versions) != 1 || f.svc.byName["db"].rotationInProgress() {
		t.Error("the test rotation left a version behind")
	}
	d := f.must(t, "DescribeSecret", map[string]any{"SecretId": "db"})
	if d["RotationEnabled"] != true || d["NextRotationDate"] == nil {
		t.Errorf("DescribeSecret = %v", d)
	}
}
