package postgres

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/keyward/keyward/shared/rotation"
	"github.com/keyward/keyward/shared/rotation/rotationtest"
)

// TestAlternatingNoOwnershipDrift proves the owner-role design: a table created
// by the first user before any rotation (the drift AWS's template leaves), and
// one created by each user after a switch, stay fully usable — insert, alter,
// drop — by the other user.
func TestAlternatingNoOwnershipDrift(t *testing.T) {
	ctx := context.Background()
	m := master(t)
	dbName := uniqueUser("kw_drift_db")
	masterExec(t, "CREATE DATABASE "+quoteIdent(dbName))
	user := uniqueUser("kw_drift")
	masterExec(t, "CREATE ROLE "+quoteIdent(user)+" LOGIN PASSWORD 'initial-pw'")
	masterExec(t, "ALTER DATABASE "+quoteIdent(dbName)+" OWNER TO "+quoteIdent(user))

	var sm *rotationtest.SecretsManager
	var rot *rotation.Rotator
	inv := invokerFunc(func(ctx context.Context, payload []byte) error { return invokeRotator(ctx, rot, payload) })
	sm = rotationtest.New(inv)
	rot = newRotator(NewAlternating(Options{}))(sm, nil)

	ms := m
	ms.SSL = nil
	mout, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("drift-master"), SecretString: aws.String(encode(t, dbSecret(ms)))})
	if err != nil {
		t.Fatal(err)
	}
	us := rotation.DBSecret{Engine: "postgres", Host: m.Host, Port: m.Port, Username: user, Password: "initial-pw", DBName: dbName, MasterARN: aws.ToString(mout.ARN)}
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("drift"), SecretString: aws.String(encode(t, dbSecret(us)))}); err != nil {
		t.Fatal(err)
	}
	current := func() rotation.DBSecret {
		out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("drift"), VersionStage: aws.String("AWSCURRENT")})
		if err != nil {
			t.Fatal(err)
		}
		s, _ := rotation.ParseSecret(aws.ToString(out.SecretString))
		d, err := rotation.ParseDBSecret(s, DefaultPort)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	run := func(d rotation.DBSecret, sqls ...string) {
		t.Helper()
		conn, err := connect(ctx, d, Options{})
		if err != nil {
			t.Fatalf("%s: %v", d.Username, err)
		}
		defer conn.Close(ctx)
		for _, sql := range sqls {
			if _, err := conn.Exec(ctx, sql); err != nil {
				t.Fatalf("as %s: %s: %v", d.Username, sql, err)
			}
		}
	}
	rotate := func() {
		t.Helper()
		if _, err := sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("drift"),
			RotationLambdaARN: aws.String(rotationtest.FunctionName), RotationRules: &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}}); err != nil {
			t.Fatal(err)
		}
	}

	// Before keyward manages the pair: the first user owns a table outright.
	run(current(), "CREATE TABLE legacy (id int)", "INSERT INTO legacy VALUES (1)")
	rotate()
	clone := current()
	if clone.Username != user+CloneSuffix {
		t.Fatalf("rotation 1 switched to %q, want the clone", clone.Username)
	}
	run(clone,
		"INSERT INTO legacy VALUES (2)", "ALTER TABLE legacy ADD COLUMN note text",
		"CREATE TABLE made_by_clone (id int)", "INSERT INTO made_by_clone VALUES (1)")
	rotate()
	base := current()
	if base.Username != user {
		t.Fatalf("rotation 2 switched to %q, want the base user", base.Username)
	}
	run(base,
		"INSERT INTO made_by_clone VALUES (2)", "ALTER TABLE made_by_clone ADD COLUMN note text",
		"CREATE TABLE made_by_base (id int)", "DROP TABLE legacy")
	rotate()
	run(current(), "ALTER TABLE made_by_base ADD COLUMN note text", "DROP TABLE made_by_base", "DROP TABLE made_by_clone")

	// Every object is owned by the owner role, never by a login user.
	conn, err := connect(ctx, rotation.DBSecret{Host: m.Host, Port: m.Port, Username: m.Username, Password: m.Password, DBName: dbName, SSL: m.SSL}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname IN ($1, $2)", user, user+CloneSuffix).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d relations still owned by a login user", n)
	}
}
