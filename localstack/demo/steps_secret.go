package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/jackc/pgx/v5"
)

// rotationLambda is the ARN RotateSecret names for the demo secret.
func (w *Walk) rotationLambda() string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", w.cfg.Region, w.cfg.Account, w.cfg.Env.Function("rotation"))
}

// passwordHash is the server-side verifier of the demo user (changes on rotation).
func (w *Walk) passwordHash(ctx context.Context, db *pgx.Conn) (string, error) {
	var h *string
	err := db.QueryRow(ctx, "SELECT rolpassword FROM pg_authid WHERE rolname = $1", w.DBUser).Scan(&h)
	if err != nil {
		return "", fmt.Errorf("password of %s: %w", w.DBUser, err)
	}
	if h == nil {
		return "", nil
	}
	return *h, nil
}

func (w *Walk) rotateSecret(ctx context.Context) error {
	db, err := pgx.Connect(ctx, w.cfg.Postgres)
	if err != nil {
		return fmt.Errorf("PostgreSQL (%s) is needed for this step: %w", w.cfg.Postgres, err)
	}
	defer db.Close(ctx)
	initial := "demo-initial-" + w.cfg.Suffix
	if _, err := db.Exec(ctx, "CREATE ROLE "+pgx.Identifier{w.DBUser}.Sanitize()+" LOGIN PASSWORD '"+initial+"'"); err != nil {
		return fmt.Errorf("create role %s: %w", w.DBUser, err)
	}
	w.say("PostgreSQL role %s created with an initial password", w.DBUser)
	before, err := w.passwordHash(ctx, db)
	if err != nil {
		return err
	}

	sm := secretsmanager.NewFromConfig(w.aws)
	value, _ := json.Marshal(map[string]any{"engine": "postgres", "host": "127.0.0.1", "port": 5432,
		"username": w.DBUser, "password": initial, "dbname": "postgres"})
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(w.Secret),
		SecretString: aws.String(string(value)), Description: aws.String("keyward demo database user")}); err != nil {
		var exists *smtypes.ResourceExistsException
		if !errors.As(err, &exists) {
			return fmt.Errorf("create secret %s: %w", w.Secret, err)
		}
	}
	// What a RotationSchedule of the compute stack configures.
	if _, err := sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(w.Secret),
		RotationLambdaARN: aws.String(w.rotationLambda()), RotateImmediately: aws.Bool(false),
		RotationRules: &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}}); err != nil {
		return fmt.Errorf("configure rotation of %s: %w", w.Secret, err)
	}
	w.say("secret %s → rotation by %s every 30 days", w.Secret, w.cfg.Env.Function("rotation"))

	old, err := w.readSecret(ctx)
	if err != nil {
		return err
	}
	if old != string(value) {
		return fmt.Errorf("GET /v1/secrets/%s before rotation returned another value", w.Secret)
	}
	w.OldValue = old
	w.say("GET /v1/secrets/%s → the initial value (now cached for %s)", w.Secret, w.cfg.SecretTTL)

	var v struct {
		VersionID string `json:"versionId"`
	}
	t0 := time.Now()
	if _, err := w.api.call(ctx, http.MethodPost, "/v1/secrets/"+w.Secret+"/rotate", nil, http.StatusOK, &v); err != nil {
		return err
	}
	w.say("POST /v1/secrets/%s/rotate → version %s (createSecret → setSecret → testSecret → finishSecret, %s)",
		w.Secret, v.VersionID, time.Since(t0).Round(time.Millisecond))
	cur, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(w.Secret)})
	if err != nil {
		return err
	}
	if aws.ToString(cur.VersionId) != v.VersionID {
		return fmt.Errorf("AWSCURRENT is version %s, want the rotated %s", aws.ToString(cur.VersionId), v.VersionID)
	}
	var s struct {
		Username, Password string
	}
	if err := json.Unmarshal([]byte(aws.ToString(cur.SecretString)), &s); err != nil || s.Username != w.DBUser || s.Password == initial || len(s.Password) < 16 {
		return fmt.Errorf("rotated secret: user %q, new password %v (err %v)", s.Username, s.Password != initial, err)
	}
	w.say("AWSCURRENT is the new version, with a new %d-character password", len(s.Password))
	if err := w.checkDatabase(ctx, db, before, s.Password); err != nil {
		return err
	}
	w.NewValue = aws.ToString(cur.SecretString)
	return nil
}

func (w *Walk) readSecret(ctx context.Context) (string, error) {
	var s struct {
		Value string `json:"value"`
	}
	_, err := w.api.call(ctx, http.MethodGet, "/v1/secrets/"+w.Secret, nil, http.StatusOK, &s)
	return s.Value, err
}

func (w *Walk) cachedRead(ctx context.Context) error {
	v, err := w.readSecret(ctx)
	if err != nil {
		return err
	}
	switch v {
	case w.OldValue:
		w.say("GET right after the rotation → the cached previous value (TTL %s not over)", w.cfg.SecretTTL)
	case w.NewValue:
		w.say("GET right after the rotation → already the new value (the cached entry had expired)")
	default:
		return errors.New("GET after rotation returned neither the previous nor the new value")
	}
	t0 := time.Now()
	err = poll(ctx, w.cfg.SecretTTL+15*time.Second, 500*time.Millisecond, func() (bool, error) {
		v, err := w.readSecret(ctx)
		return err == nil && v == w.NewValue, err
	})
	if err != nil {
		return fmt.Errorf("the cached read never returned the new value: %w", err)
	}
	w.say("GET after %s → the new value", time.Since(t0).Round(100*time.Millisecond))
	return nil
}

// checkDatabase checks the rotation reached PostgreSQL: the new password logs in
// and the role's verifier changed. A server that trusts local connections (any
// password logs in, as a CI PostgreSQL with `trust` does) makes the rotation
// function's idempotence check find the pending password already working, so it
// leaves the role alone; the walk says so instead of pretending.
func (w *Walk) checkDatabase(ctx context.Context, admin *pgx.Conn, before, password string) error {
	cfg, err := pgx.ParseConfig(w.cfg.Postgres)
	if err != nil {
		return err
	}
	try := func(pw string) error {
		c := cfg.Copy()
		c.User, c.Password = w.DBUser, pw
		conn, err := pgx.ConnectConfig(ctx, c)
		if err == nil {
			conn.Close(ctx)
		}
		return err
	}
	if try("not-the-password-"+w.cfg.Suffix) == nil {
		w.say("PostgreSQL here trusts local connections (any password logs in): the rotation's setSecret found")
		w.say("the pending password already working and left the role as it was (its idempotence check)")
		return nil
	}
	if err := try(password); err != nil {
		return fmt.Errorf("the rotated password does not log in as %s: %w", w.DBUser, err)
	}
	after, err := w.passwordHash(ctx, admin)
	if err != nil {
		return err
	}
	if after == before {
		return fmt.Errorf("the password verifier of %s in PostgreSQL did not change", w.DBUser)
	}
	w.say("the new password logs in as %s; the old one no longer does", w.DBUser)
	return nil
}
