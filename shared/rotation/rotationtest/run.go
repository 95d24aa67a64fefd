package rotationtest

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/keyward/keyward/shared/rotation"
)

// RunMatrix runs the failure matrix of issue 6 against one strategy: complete
// rotations (twice, for every username), a crash after each step then a retry,
// duplicate delivery of every step, a second RotateSecret during a rotation,
// wrong and non-pending tokens, rotation disabled, an unreachable target and
// passwords made of every character excluded by default.
func RunMatrix(t *testing.T, b Backend, tgt Target, nr NewRotator) {
	RunMatrixWith(t, b, tgt, InProcess(nr))
}

// RunMatrixWith runs the matrix against any handler, e.g. the function's real
// bootstrap behind the local Lambda Runtime API. A handler that builds its own
// Secrets Manager client skips the hostile-password case (set Target.NoHostile).
func RunMatrixWith(t *testing.T, b Backend, tgt Target, nr HandlerFactory) {
	for _, user := range tgt.Usernames {
		t.Run("rotate-twice/"+user, func(t *testing.T) {
			h := newHarness(t, b, tgt, nr, nil)
			name := h.create(user)
			v0, id0 := h.get(name, rotation.StageCurrent)
			h.mustLogin("initial secret", v0)
			if err := h.rotate(name); err != nil {
				t.Fatalf("first rotation: %v", err)
			}
			v1, id1 := h.get(name, rotation.StageCurrent)
			if id1 == id0 {
				t.Fatal("AWSCURRENT did not move")
			}
			if _, prevID := h.get(name, rotation.StagePrevious); prevID != id0 {
				t.Fatalf("AWSPREVIOUS = %s, want the replaced version %s", prevID, id0)
			}
			h.mustLogin("AWSCURRENT after rotation 1", v1)
			if tgt.Alternating {
				h.mustLogin("previous user after rotation 1", v0)
			} else {
				h.mustNotLogin("old credentials after rotation 1", v0)
			}
			if err := h.rotate(name); err != nil {
				t.Fatalf("second rotation: %v", err)
			}
			v2, _ := h.get(name, rotation.StageCurrent)
			h.mustLogin("AWSCURRENT after rotation 2", v2)
			if tgt.Alternating {
				u0, _ := v0.String("username")
				u2, _ := v2.String("username")
				if u0 != u2 {
					t.Fatalf("alternating users: rotation 2 should return to the first user")
				}
				h.mustLogin("previous user after rotation 2", v1)
				h.mustNotLogin("credentials from two rotations ago", v0)
			} else {
				h.mustNotLogin("credentials from rotation 1", v1)
			}
			h.checkLeaks()
		})
	}
	user := tgt.Usernames[0]
	for _, step := range rotation.Steps {
		t.Run("killed-after-"+string(step), func(t *testing.T) {
			h := newHarness(t, b, tgt, nr, nil)
			name := h.create(user)
			v0, _ := h.get(name, rotation.StageCurrent)
			h.inv.killAfter = string(step)
			err := h.rotate(name)
			if step == rotation.StepFinish {
				// The stage moved before the crash: the rotation is complete.
				// Secrets Manager, seeing a failure, delivers the steps again;
				// each returns at once for the AWSCURRENT token.
				if err != nil {
					t.Fatalf("stage move before the crash did not complete the rotation: %v", err)
				}
				_, token := h.get(name, rotation.StageCurrent)
				for _, st := range rotation.Steps {
					if err := h.invokeStep(name, string(st), token); err != nil {
						t.Fatalf("redelivered %s after the stage move: %v", st, err)
					}
				}
				err = errors.New("crashed after finishSecret")
			}
			if err == nil {
				t.Fatal("rotation with a crash completed")
			}
			crashErr := err.Error()
			cur, _ := h.get(name, rotation.StageCurrent)
			if !tgt.Alternating && !tgt.NoPasswords && (step == rotation.StepSet || step == rotation.StepTest) {
				// Single user: the password has changed on the target but not yet
				// in AWSCURRENT (the window AWS documents); AWSPENDING logs in.
				pend, _ := h.get(name, rotation.StagePending)
				h.mustLogin("AWSPENDING after the crash", pend)
			} else {
				h.mustLogin("AWSCURRENT after the crash", cur)
			}
			if step == rotation.StepFinish {
				err = h.rotate(name) // a new rotation starts normally
			} else {
				err = h.reattempt(name)
			}
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			v1, _ := h.get(name, rotation.StageCurrent)
			h.mustLogin("AWSCURRENT after the retry", v1)
			if p0, _ := v0.String("password"); !tgt.NoPasswords && p0 == mustString(v1, "password") {
				t.Fatal("password unchanged after the retried rotation")
			}
			h.checkLeaks(crashErr)
		})
	}
	t.Run("duplicate-delivery", func(t *testing.T) {
		h := newHarness(t, b, tgt, nr, nil)
		name := h.create(user)
		h.inv.duplicate = true
		if err := h.rotate(name); err != nil {
			t.Fatalf("rotation with every step delivered twice: %v", err)
		}
		v1, _ := h.get(name, rotation.StageCurrent)
		h.mustLogin("AWSCURRENT", v1)
		h.checkLeaks()
	})
	t.Run("second-rotate-refused", func(t *testing.T) {
		h := newHarness(t, b, tgt, nr, nil)
		name := h.create(user)
		var inner error
		h.inv.during[string(rotation.StepSet)] = func(ctx context.Context) {
			_, inner = h.c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(name)})
		}
		if err := h.rotate(name); err != nil {
			t.Fatalf("rotation: %v", err)
		}
		var ir *smtypes.InvalidRequestException
		if !errors.As(inner, &ir) {
			t.Fatalf("second RotateSecret during a rotation: got %v, want InvalidRequestException", inner)
		}
		v1, _ := h.get(name, rotation.StageCurrent)
		h.mustLogin("AWSCURRENT", v1)
	})
	t.Run("wrong-token", func(t *testing.T) {
		h := newHarness(t, b, tgt, nr, nil)
		name := h.create(user)
		if err := h.rotate(name); err != nil {
			t.Fatal(err)
		}
		err := h.invokeStep(name, string(rotation.StepSet), "11111111-2222-4333-8444-555555555555")
		wantClass(t, err, rotation.ErrTokenNotStaged)
		_, prev := h.get(name, rotation.StagePrevious)
		err = h.invokeStep(name, string(rotation.StepSet), prev)
		wantClass(t, err, rotation.ErrTokenNotPending)
		_, cur := h.get(name, rotation.StageCurrent)
		if err := h.invokeStep(name, string(rotation.StepTest), cur); err != nil {
			t.Fatalf("step for the AWSCURRENT token must return at once: %v", err)
		}
		err = h.invokeStep(name, "rotateEverything", cur)
		wantClass(t, err, rotation.ErrBadEvent)
	})
	t.Run("rotation-disabled", func(t *testing.T) {
		h := newHarness(t, b, tgt, nr, nil)
		name := h.create(user)
		_, cur := h.get(name, rotation.StageCurrent)
		err := h.invokeStep(name, string(rotation.StepCreate), cur)
		wantClass(t, err, rotation.ErrRotationDisabled)
		if err := h.rotate(name); err != nil {
			t.Fatal(err)
		}
		if _, err := h.c.CancelRotateSecret(h.ctx, &secretsmanager.CancelRotateSecretInput{SecretId: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		_, cur = h.get(name, rotation.StageCurrent)
		err = h.invokeStep(name, string(rotation.StepFinish), cur)
		wantClass(t, err, rotation.ErrRotationDisabled)
	})
	if tgt.Unreachable != nil {
		t.Run("target-unreachable", func(t *testing.T) {
			h := newHarness(t, b, tgt, nr, nil)
			bad := tgt.Unreachable(t, h.c, user)
			name := uniqueName("rotation-unreachable")
			if _, err := h.c.CreateSecret(h.ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(bad)}); err != nil {
				t.Fatal(err)
			}
			h.note(bad)
			_, id0 := h.get(name, rotation.StageCurrent)
			err := h.rotate(name)
			if err == nil {
				t.Fatal("rotation against an unreachable target reported success")
			}
			if !strings.Contains(err.Error(), rotation.ErrUnreachable.Error()) {
				t.Fatalf("error does not say the target is unreachable: %v", err)
			}
			if _, id := h.get(name, rotation.StageCurrent); id != id0 {
				t.Fatal("AWSCURRENT moved although the target was unreachable")
			}
			h.noteAll(name)
			h.checkLeaks(err.Error())
		})
	}
	if !tgt.NoPasswords && !tgt.NoHostile {
		t.Run("hostile-passwords", func(t *testing.T) {
			h := newHarness(t, b, tgt, nr, func(c Client) Client { return hostile{Client: c, n: &atomic.Int64{}} })
			name := h.create(user)
			for i := range 2 {
				if err := h.rotate(name); err != nil {
					t.Fatalf("rotation %d: %v", i+1, err)
				}
				v, _ := h.get(name, rotation.StageCurrent)
				if !strings.Contains(mustString(v, "password"), `'"\`) {
					t.Fatal("hostile password was not used")
				}
				h.mustLogin("AWSCURRENT with a hostile password", v)
			}
			h.checkLeaks()
		})
	}
}

func mustString(s rotation.Secret, k string) string {
	v, _ := s.String(k)
	return v
}

func wantClass(t *testing.T, err, class error) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), class.Error()) {
		t.Fatalf("got %v, want an error of class %q", err, class)
	}
}

// HostileCharacters is every character DefaultExcludeCharacters keeps out.
const HostileCharacters = rotation.DefaultExcludeCharacters

// hostile answers GetRandomPassword with a password holding every character
// excluded by default (the policy a user may choose by allowing them back in).
type hostile struct {
	Client
	n *atomic.Int64
}

func (h hostile) GetRandomPassword(ctx context.Context, in *secretsmanager.GetRandomPasswordInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetRandomPasswordOutput, error) {
	out, err := h.Client.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{
		PasswordLength: aws.Int64(12), ExcludeCharacters: aws.String(rotation.DefaultExcludeCharacters),
	}, optFns...)
	if err != nil {
		return nil, err
	}
	// Every other password also holds a non-ASCII letter, so both ways a
	// strategy may send a password (e.g. PostgreSQL's SCRAM verifier for ASCII,
	// a quoted literal otherwise) meet the hostile characters.
	extra := ""
	if h.n.Add(1)%2 == 1 {
		extra = "é"
	}
	return &secretsmanager.GetRandomPasswordOutput{RandomPassword: aws.String(`'"\` + HostileCharacters + extra + aws.ToString(out.RandomPassword))}, nil
}
