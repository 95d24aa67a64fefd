package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/keyward/keyward/shared/rotation"
	"github.com/keyward/keyward/shared/rotation/rotationtest"
)

var userSeq atomic.Int64

func uniqueUser(prefix string) string {
	return fmt.Sprintf("%s_%d", prefix, userSeq.Add(1))
}

func dbSecret(d rotation.DBSecret) rotation.Secret {
	s := rotation.Secret{"engine": "postgres", "host": d.Host, "port": d.Port, "username": d.Username, "password": d.Password, "dbname": d.DBName}
	if d.MasterARN != "" {
		s["masterarn"] = d.MasterARN
	}
	return s
}

func encode(t *testing.T, s rotation.Secret) string {
	t.Helper()
	str, err := s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return str
}

func loginSecret(ctx context.Context, s rotation.Secret) error {
	d, err := rotation.ParseDBSecret(s, DefaultPort)
	if err != nil {
		return err
	}
	return login(ctx, d, Options{RootCAs: testCA})
}

// unreachableSecret provisions a secret (and, for alternating users, its master)
// pointing at a port nothing listens on.
func unreachableSecret(alternating bool) func(t *testing.T, c rotationtest.Client, username string) string {
	return func(t *testing.T, c rotationtest.Client, username string) string {
		port, _ := freePort() // nothing listens there any more
		d := rotation.DBSecret{Engine: "postgres", Host: "127.0.0.1", Port: port, Username: uniqueUser(username), Password: "initial-pw", DBName: "postgres"}
		if alternating {
			m := d
			m.Username, m.Password = "postgres", superPassword
			out, err := c.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
				Name: aws.String("pg-master-" + uniqueUser("m")), SecretString: aws.String(encode(t, dbSecret(m))),
			})
			if err != nil {
				t.Fatal(err)
			}
			d.MasterARN = aws.ToString(out.ARN)
		}
		return encode(t, dbSecret(d))
	}
}

func newRotator(strategy rotation.Strategy) rotationtest.NewRotator {
	return func(sm rotation.SecretsManager, log *slog.Logger) *rotation.Rotator {
		return &rotation.Rotator{SM: sm, Passwords: rotation.DefaultPasswordPolicy(), Log: log,
			Select: func(rotation.Secret) (rotation.Strategy, error) { return strategy, nil }}
	}
}

// Usernames that need quoting: mixed case, spaces, quotes, a backslash, non-ASCII.
var hostileUsers = []string{"kw_app", `Kw App "O'Brien\x`, "kw_ünïcode"}

func singleTarget() rotationtest.Target {
	return rotationtest.Target{
		NewSecret: func(t *testing.T, _ rotationtest.Client, username string) string {
			m := master(t)
			u := uniqueUser(username)
			masterExec(t, "CREATE ROLE "+quoteIdent(u)+" LOGIN PASSWORD "+quoteLiteral("initial-pw-"+u))
			m.Username, m.Password, m.SSL = u, "initial-pw-"+u, nil
			return encode(t, dbSecret(m))
		},
		Login:       loginSecret,
		Unreachable: unreachableSecret(false),
		Usernames:   hostileUsers,
	}
}

func alternatingTarget() rotationtest.Target {
	return rotationtest.Target{
		NewSecret: func(t *testing.T, c rotationtest.Client, username string) string {
			m := master(t)
			m.SSL = nil
			out, err := c.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
				Name: aws.String("pg-master-" + uniqueUser("m")), SecretString: aws.String(encode(t, dbSecret(m))),
			})
			if err != nil {
				t.Fatal(err)
			}
			u := uniqueUser(username)
			masterExec(t, "CREATE ROLE "+quoteIdent(u)+" LOGIN PASSWORD "+quoteLiteral("initial-pw-"+u))
			s := m
			s.Username, s.Password, s.MasterARN = u, "initial-pw-"+u, aws.ToString(out.ARN)
			return encode(t, dbSecret(s))
		},
		Login:       loginSecret,
		Unreachable: unreachableSecret(true),
		Usernames:   hostileUsers,
		Alternating: true,
	}
}

func TestSingleUserMatrix(t *testing.T) {
	rotationtest.RunMatrix(t, backend, singleTarget(), newRotator(NewSingle(Options{})))
}

func TestAlternatingUsersMatrix(t *testing.T) {
	rotationtest.RunMatrix(t, backend, alternatingTarget(), newRotator(NewAlternating(Options{})))
}

// The single-user rotation over verified TLS ("ssl": true, the private CA).
func TestSingleUserOverTLS(t *testing.T) {
	tgt := singleTarget()
	plain := tgt.NewSecret
	tgt.NewSecret = func(t *testing.T, c rotationtest.Client, username string) string {
		s, err := rotation.ParseSecret(plain(t, c, username))
		if err != nil {
			t.Fatal(err)
		}
		return encode(t, s.With(map[string]any{"ssl": true}))
	}
	tgt.Usernames = tgt.Usernames[:1]
	rotationtest.RunMatrix(t, backend, tgt, newRotator(NewSingle(Options{RootCAs: testCA})))
}
