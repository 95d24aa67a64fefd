package secrets

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keyward/keyward/localstack/awsapi"
)

// The four steps Secrets Manager drives a rotation function through, in order.
var rotationSteps = []string{"createSecret", "setSecret", "testSecret", "finishSecret"}

type rotateSecretInput struct {
	SecretId           string
	ClientRequestToken *string
	RotationLambdaARN  *string
	RotationRules      *RotationRules
	RotateImmediately  *bool
}

// rotationEvent is the payload a rotation function receives
// (events.SecretsManagerSecretRotationEvent).
type rotationEvent struct {
	Step               string `json:"Step"`
	SecretID           string `json:"SecretId"`
	ClientRequestToken string `json:"ClientRequestToken"`
	RotationToken      string `json:"RotationToken,omitempty"`
}

// rotation is one rotation started by RotateSecret.
type rotation struct {
	arn, function, token, rotationToken string
}

func (s *Service) rotateSecret(ctx context.Context, call *awsapi.Call) (any, error) {
	var in rotateSecretInput
	if err := decode(call.Body, &in); err != nil {
		return nil, err
	}
	if err := firstErr(checkToken(in.ClientRequestToken), checkRules(in.RotationRules)); err != nil {
		return nil, err
	}
	if in.RotationLambdaARN != nil && len(*in.RotationLambdaARN) > 2048 {
		return nil, errLength("rotationLambdaARN", 2048)
	}
	r, out, undo, err := s.startRotation(in)
	if err != nil {
		return nil, err
	}
	ctx = context.WithoutCancel(ctx) // a client hanging up does not stop a rotation
	if in.RotateImmediately != nil && !*in.RotateImmediately {
		// Secrets Manager only tests the configuration: testSecret, then the
		// AWSPENDING version it created is removed again.
		_, _ = s.invoke(ctx, r, "testSecret")
		s.dropPending(r)
		return out, nil
	}
	if err := s.runRotation(ctx, r, undo); err != nil {
		return nil, err
	}
	return out, nil
}

// runRotation drives the rotation function through its four steps and reports
// the outcome as service events. Only a function that does not exist is an
// error (the rotation is undone); a failing step leaves AWSPENDING, as on AWS.
func (s *Service) runRotation(ctx context.Context, r *rotation, undo func()) error {
	s.event("RotationStarted", r.arn)
	for _, step := range rotationSteps {
		if _, err := s.invoke(ctx, r, step); err != nil {
			s.event("RotationFailed", r.arn)
			if step == rotationSteps[0] && functionNotFound(err) {
				undo()
				return awsapi.NewError(http.StatusBadRequest, "AccessDeniedException",
					"Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.")
			}
			return nil
		}
	}
	if s.finishRotation(r) {
		s.event("RotationSucceeded", r.arn)
	} else {
		s.event("RotationFailed", r.arn)
	}
	return nil
}

// startRotation records the rotation configuration and creates the AWSPENDING
// version (without a value: createSecret puts it). undo reverts both.
func (s *Service) startRotation(in rotateSecretInput) (*rotation, secretRef, func(), error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.lookupLive(in.SecretId)
	if err != nil {
		return nil, secretRef{}, nil, err
	}
	if sec.rotationInProgress() {
		return nil, secretRef{}, nil, errRequest("A previous rotation isn't complete. That rotation will be reattempted.")
	}
	function := deref(in.RotationLambdaARN)
	if function == "" {
		function = sec.RotationLambdaARN
	}
	if function == "" {
		return nil, secretRef{}, nil, errRequest("No Lambda rotation function ARN is associated with this secret.")
	}
	if s.opts.Invoker == nil {
		return nil, secretRef{}, nil, errRequest("This endpoint has no local function registry to run the rotation function.")
	}
	token := deref(in.ClientRequestToken)
	if token == "" {
		token = awsapi.NewUUID()
	}
	if _, ok := sec.Versions[token]; ok {
		return nil, secretRef{}, nil, errExists("A version with ClientRequestToken %s already exists.", token)
	}
	old := struct {
		enabled bool
		fn      string
		rules   *RotationRules
		at      time.Time
	}{sec.RotationEnabled, sec.RotationLambdaARN, sec.RotationRules, sec.RotationEnabledAt}
	now := s.now()
	if !sec.RotationEnabled {
		sec.RotationEnabledAt = now
	}
	sec.RotationEnabled, sec.RotationLambdaARN = true, function
	if in.RotationRules != nil {
		sec.RotationRules = in.RotationRules
	}
	sec.Seq++
	sec.Versions[token] = &version{ID: token, Stages: []string{stagePending}, Created: now, Seq: sec.Seq}
	sec.addStage(sec.Versions[token], stagePending)
	sec.LastChanged = now
	undo := func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if v, ok := sec.Versions[token]; ok && v.Value == nil {
			delete(sec.Versions, token)
		}
		sec.RotationEnabled, sec.RotationLambdaARN, sec.RotationRules, sec.RotationEnabledAt = old.enabled, old.fn, old.rules, old.at
	}
	r := &rotation{arn: sec.ARN, function: function, token: token, rotationToken: awsapi.NewUUID()}
	return r, secretRef{ARN: sec.ARN, Name: sec.Name, VersionId: &token}, undo, nil
}

// functionNotFound recognises the invoker's "no such function" error, whether an
// *awsapi.Error or a Lambda-style function error ("ResourceNotFoundException: …").
func functionNotFound(err error) bool {
	return strings.HasPrefix(err.Error(), "ResourceNotFoundException:")
}

func (s *Service) invoke(ctx context.Context, r *rotation, step string) ([]byte, error) {
	payload, _ := json.Marshal(rotationEvent{Step: step, SecretID: r.arn, ClientRequestToken: r.token, RotationToken: r.rotationToken})
	return s.opts.Invoker.Invoke(ctx, r.function, payload)
}

// finishRotation reports whether the rotation's version became AWSCURRENT; if so
// it records LastRotatedDate and takes AWSPENDING off it.
func (s *Service) finishRotation(r *rotation) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, ok := s.secrets[r.arn]
	if !ok {
		return false
	}
	v, ok := sec.Versions[r.token]
	if !ok || !slices.Contains(v.Stages, stageCurrent) {
		return false
	}
	v.removeStage(stagePending)
	sec.LastRotated = s.now()
	return true
}

// dropPending removes the AWSPENDING version a configuration test created.
func (s *Service) dropPending(r *rotation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sec, ok := s.secrets[r.arn]; ok {
		if v, ok := sec.Versions[r.token]; ok && !slices.Contains(v.Stages, stageCurrent) {
			delete(sec.Versions, r.token)
		}
	}
}

func (s *Service) event(name, arn string) {
	if s.opts.Events == nil {
		return
	}
	s.opts.Events.ServiceEvent(awsapi.ServiceEvent{
		Source: "secretsmanager.amazonaws.com", EventName: name, Time: s.now(),
		Region: s.opts.Region, AccountID: s.opts.AccountID,
		AdditionalEventData: map[string]any{"SecretId": arn},
		Resources:           []awsapi.Resource{{ARN: arn, AccountID: s.opts.AccountID, Type: resourceType}},
	})
}

var (
	rateExpr = regexp.MustCompile(`^rate\(([0-9]+) (hours?|days?)\)$`)
	cronExpr = regexp.MustCompile(`^cron\([^()]+\)$`)
	duration = regexp.MustCompile(`^([0-9]+)h$`)
)

// parseRate reads "rate(N days)" / "rate(N hours)".
func parseRate(expr string) (int, time.Duration, bool) {
	m := rateExpr.FindStringSubmatch(expr)
	if m == nil {
		return 0, 0, false
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0, 0, false
	}
	if m[2][0] == 'd' {
		return n, 24 * time.Hour, true
	}
	return n, time.Hour, true
}

func checkRules(r *RotationRules) *awsapi.Error {
	if r == nil {
		return nil
	}
	if r.AutomaticallyAfterDays != nil && r.ScheduleExpression != nil {
		return errParam("You can't specify both AutomaticallyAfterDays and ScheduleExpression.")
	}
	if d := r.AutomaticallyAfterDays; d != nil && (*d < 1 || *d > 1000) {
		return awsapi.Validation("1 validation error detected: Value '%d' at 'rotationRules.automaticallyAfterDays' failed to satisfy constraint: Member must have value between 1 and 1000", *d)
	}
	if e := r.ScheduleExpression; e != nil {
		n, unit, ok := parseRate(*e)
		switch {
		case ok && (n < 1 || unit == time.Hour && n < 4 || unit == time.Hour && n > 23 || unit == 24*time.Hour && n > 1000):
			return errParam("The schedule expression %s is out of range.", *e)
		case !ok && !cronExpr.MatchString(*e):
			return errParam("Invalid ScheduleExpression: %s", *e)
		}
	}
	if d := r.Duration; d != nil {
		m := duration.FindStringSubmatch(*d)
		if m == nil {
			return errParam("Invalid Duration: %s", *d)
		}
		if h, _ := strconv.Atoi(m[1]); h < 1 || h > 24 {
			return errParam("The Duration %s must be between 1h and 24h.", *d)
		}
	}
	return nil
}

type cancelRotateSecretOutput struct {
	ARN       string  `json:"ARN"`
	Name      string  `json:"Name"`
	VersionId *string `json:"VersionId,omitempty"`
}

// cancelRotateSecret turns rotation off. As on AWS, an AWSPENDING label left by
// an unfinished rotation stays until UpdateSecretVersionStage removes it.
func (s *Service) cancelRotateSecret(_ context.Context, call *awsapi.Call) (any, error) {
	var in secretIDInput
	if err := decode(call.Body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.lookupLive(in.SecretId)
	if err != nil {
		return nil, err
	}
	sec.RotationEnabled = false
	sec.LastChanged = s.now()
	out := cancelRotateSecretOutput{ARN: sec.ARN, Name: sec.Name}
	if p := sec.stageOwner(stagePending); p != nil && sec.rotationInProgress() {
		out.VersionId = &p.ID
	}
	return out, nil
}
