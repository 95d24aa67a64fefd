package rotation

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Rotator runs one rotation step per call, as Secrets Manager invokes it.
type Rotator struct {
	SM        SecretsManager
	Select    Selector
	Passwords PasswordPolicy
	Ledger    Ledger       // optional
	Metrics   *Metrics     // optional
	Log       *slog.Logger // optional; gets one line per step, never secret material
	Now       func() time.Time
}

// Outcomes recorded in the ledger.
const (
	OutcomeSucceeded = "Succeeded"
	OutcomeSkipped   = "Skipped" // the token was already AWSCURRENT
	OutcomeFailed    = "Failed"
)

// Rotate validates the event, runs its step and records the result in the ledger
// and the metrics. The returned error wraps one of the Err* classes.
func (r *Rotator) Rotate(ctx context.Context, ev events.SecretsManagerSecretRotationEvent) error {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	start := now()
	res := r.run(ctx, ev)
	entry := LedgerEntry{
		SecretID:   res.secretARN,
		Token:      ev.ClientRequestToken,
		Step:       ev.Step,
		Strategy:   res.strategy,
		Outcome:    res.outcome,
		ErrorClass: ErrorClass(res.err),
		At:         start,
		Duration:   now().Sub(start),
	}
	if entry.SecretID == "" {
		entry.SecretID = ev.SecretID
	}
	if r.Ledger != nil && entry.SecretID != "" {
		if err := r.Ledger.Record(ctx, entry); err != nil && r.Log != nil {
			// The rotation's own result matters more than its ledger line.
			r.Log.WarnContext(ctx, "rotation ledger write failed", "secret", entry.SecretID, "step", entry.Step, "error", err.Error())
		}
	}
	if r.Metrics != nil {
		switch {
		case res.err != nil:
			r.Metrics.Failed(entry.Strategy, entry.Step, entry.ErrorClass)
		case Step(ev.Step) == StepFinish && res.outcome == OutcomeSucceeded:
			r.Metrics.Succeeded(entry.Strategy)
		}
	}
	if r.Log != nil {
		attrs := []any{"secret", entry.SecretID, "token", entry.Token, "step", entry.Step,
			"strategy", entry.Strategy, "outcome", entry.Outcome, "duration_ms", entry.Duration.Milliseconds()}
		if res.err != nil {
			r.Log.ErrorContext(ctx, "rotation step failed", append(attrs, "error_class", entry.ErrorClass, "error", res.err.Error())...)
		} else {
			r.Log.InfoContext(ctx, "rotation step done", attrs...)
		}
	}
	return res.err
}

type result struct {
	secretARN, strategy, outcome string
	err                          error
}

func (r *Rotator) run(ctx context.Context, ev events.SecretsManagerSecretRotationEvent) (res result) {
	res.strategy = "unknown"
	res.outcome = OutcomeFailed
	step, err := ParseStep(ev.Step)
	if err != nil {
		res.err = err
		return res
	}
	if ev.SecretID == "" || ev.ClientRequestToken == "" {
		res.err = fmt.Errorf("%w: SecretId and ClientRequestToken are required", ErrBadEvent)
		return res
	}
	desc, err := r.SM.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(ev.SecretID)})
	if err != nil {
		res.err = Classify(ErrSecretsManager, "DescribeSecret", err)
		return res
	}
	res.secretARN = aws.ToString(desc.ARN)
	if !aws.ToBool(desc.RotationEnabled) {
		res.err = fmt.Errorf("secret %s: %w", ev.SecretID, ErrRotationDisabled)
		return res
	}
	token := ev.ClientRequestToken
	stages, ok := desc.VersionIdsToStages[token]
	if !ok {
		res.err = fmt.Errorf("secret %s version %s: %w", ev.SecretID, token, ErrTokenNotStaged)
		return res
	}
	req := &Request{SecretID: ev.SecretID, Token: token, Passwords: r.Passwords, SM: r.SM}
	if slices.Contains(stages, StageCurrent) {
		res.outcome = OutcomeSkipped
		if step == StepFinish {
			// finishSecret delivered again after the stage move: let the strategy
			// finish work a crash may have cut short (idempotent by contract).
			res.strategy, res.err = r.afterFinish(ctx, req, true)
		}
		if res.err != nil {
			res.outcome = OutcomeFailed
		}
		return res
	}
	if !slices.Contains(stages, StagePending) {
		res.err = fmt.Errorf("secret %s version %s: %w", ev.SecretID, token, ErrTokenNotPending)
		return res
	}
	current, err := readSecret(ctx, r.SM, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(ev.SecretID), VersionStage: aws.String(StageCurrent),
	}, "read AWSCURRENT")
	if err != nil {
		res.err = err
		return res
	}
	req.Current = current
	strategy, err := r.Select(current)
	if err != nil {
		res.err = err
		return res
	}
	res.strategy = strategy.Name()
	switch step {
	case StepCreate:
		res.err = r.create(ctx, req, strategy)
	case StepSet, StepTest:
		if req.Pending, res.err = r.readPending(ctx, req); res.err != nil {
			break
		}
		if step == StepSet {
			res.err = strategy.Set(ctx, req)
		} else {
			res.err = strategy.Test(ctx, req)
		}
	case StepFinish:
		res.err = r.finish(ctx, req, desc.VersionIdsToStages)
		if res.err == nil {
			_, res.err = r.afterFinish(ctx, req, false)
		}
	}
	if res.err == nil {
		res.outcome = OutcomeSucceeded
	}
	return res
}

func (r *Rotator) readPending(ctx context.Context, req *Request) (Secret, error) {
	return readSecret(ctx, r.SM, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(req.SecretID), VersionId: aws.String(req.Token), VersionStage: aws.String(StagePending),
	}, "read AWSPENDING")
}

// create puts the pending value unless one already exists for the token.
func (r *Rotator) create(ctx context.Context, req *Request, s Strategy) error {
	_, err := r.SM.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(req.SecretID), VersionId: aws.String(req.Token), VersionStage: aws.String(StagePending),
	})
	if err == nil {
		return nil
	}
	if !IsNotFound(err) {
		return Classify(ErrSecretsManager, "read AWSPENDING", err)
	}
	pending, err := s.Create(ctx, req)
	if err != nil {
		return err
	}
	str, err := pending.Encode()
	if err != nil {
		return err
	}
	_, err = r.SM.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId:           aws.String(req.SecretID),
		ClientRequestToken: aws.String(req.Token),
		SecretString:       aws.String(str),
		VersionStages:      []string{StagePending},
	})
	if err != nil {
		return Classify(ErrSecretsManager, "PutSecretValue AWSPENDING", err)
	}
	return nil
}

// finish moves AWSCURRENT to the token, naming the version it leaves.
func (r *Rotator) finish(ctx context.Context, req *Request, versions map[string][]string) error {
	from := ""
	for id, stages := range versions {
		if slices.Contains(stages, StageCurrent) {
			from = id
			break
		}
	}
	in := &secretsmanager.UpdateSecretVersionStageInput{
		SecretId:        aws.String(req.SecretID),
		VersionStage:    aws.String(StageCurrent),
		MoveToVersionId: aws.String(req.Token),
	}
	if from != "" {
		in.RemoveFromVersionId = aws.String(from)
	}
	if _, err := r.SM.UpdateSecretVersionStage(ctx, in); err != nil {
		return Classify(ErrSecretsManager, "UpdateSecretVersionStage AWSCURRENT", err)
	}
	return nil
}

// afterFinish runs the strategy's Finisher, if any, with req.Current set to the
// value that is AWSCURRENT now (the token's version).
func (r *Rotator) afterFinish(ctx context.Context, req *Request, alreadyCurrent bool) (string, error) {
	readCurrent := func() error {
		cur, err := readSecret(ctx, r.SM, &secretsmanager.GetSecretValueInput{
			SecretId: aws.String(req.SecretID), VersionStage: aws.String(StageCurrent),
		}, "read AWSCURRENT")
		req.Current = cur
		return err
	}
	if alreadyCurrent {
		if err := readCurrent(); err != nil {
			return "unknown", err
		}
	}
	s, err := r.Select(req.Current)
	if err != nil {
		return "unknown", err
	}
	f, ok := s.(Finisher)
	if !ok {
		return s.Name(), nil
	}
	if !alreadyCurrent {
		if err := readCurrent(); err != nil {
			return s.Name(), err
		}
	}
	return s.Name(), f.Finish(ctx, req)
}
