package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/keyward/keyward/shared/rotation"
	"github.com/keyward/keyward/shared/rotation/rotationtest"
)

// An RDS-like master: not a superuser, only CREATEROLE. Alternating rotation
// works with it; objects a login user owned before the pair was managed need the
// master to have the roles' privileges, and the error says so.
func TestAlternatingWithCreateRoleMaster(t *testing.T) {
	ctx := context.Background()
	m := master(t)
	masterUser := uniqueUser("kw_master")
	masterExec(t, "CREATE ROLE "+quoteIdent(masterUser)+" LOGIN CREATEROLE PASSWORD 'master-pw'")
	dbName := uniqueUser("kw_master_db")
	masterExec(t, "CREATE DATABASE "+quoteIdent(dbName))
	user := uniqueUser("kw_app")
	masterExec(t, "CREATE ROLE "+quoteIdent(user)+" LOGIN PASSWORD 'initial-pw'")

	sm := rotationtest.New(nil)
	r := newRotator(NewAlternating(Options{}))(sm, nil)
	sm.Invoker = rotationtest.HandlerInvoker(r)
	ms := rotation.DBSecret{Engine: "postgres", Host: m.Host, Port: m.Port, Username: masterUser, Password: "master-pw", DBName: dbName}
	mout, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("master"), SecretString: aws.String(encode(t, dbSecret(ms)))})
	if err != nil {
		t.Fatal(err)
	}
	us := rotation.DBSecret{Engine: "postgres", Host: m.Host, Port: m.Port, Username: user, Password: "initial-pw", DBName: dbName, MasterARN: aws.ToString(mout.ARN)}
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("app"), SecretString: aws.String(encode(t, dbSecret(us)))}); err != nil {
		t.Fatal(err)
	}
	rotationtest.Rotate(t, sm, "app")
	rotationtest.Rotate(t, sm, "app")
	cur, _ := rotation.ParseSecret(rotationtest.Current(t, sm, "app"))
	if err := loginSecret(ctx, cur); err != nil {
		t.Fatal(err)
	}

	// A table the user owns outright (created by a superuser on its behalf).
	d := m
	d.DBName = dbName
	conn, err := connect(ctx, d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE TABLE drifted (id int); ALTER TABLE drifted OWNER TO "+quoteIdent(user)); err != nil {
		t.Fatal(err)
	}
	_, err = sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	d2, _ := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("app")})
	var pending string
	for id, st := range d2.VersionIdsToStages {
		if len(st) == 1 && st[0] == "AWSPENDING" {
			pending = id
		}
	}
	setErr := r.Rotate(ctx, rotationEvent(aws.ToString(d2.ARN), "setSecret", pending))
	if setErr == nil || !strings.Contains(setErr.Error(), "needs the privileges") {
		t.Fatalf("setSecret with a drifted table: got %v, want the privileges hint", setErr)
	}
	if _, err := conn.Exec(ctx, "GRANT "+quoteIdent(user)+", "+quoteIdent(user+CloneSuffix)+", "+quoteIdent(user+OwnerSuffix)+" TO "+quoteIdent(masterUser)); err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"setSecret", "testSecret", "finishSecret"} {
		if err := r.Rotate(ctx, rotationEvent(aws.ToString(d2.ARN), step, pending)); err != nil {
			t.Fatalf("%s after the grant: %v", step, err)
		}
	}
	var owner string
	if err := conn.QueryRow(ctx, "SELECT tableowner FROM pg_tables WHERE tablename = 'drifted'").Scan(&owner); err != nil || owner != user+OwnerSuffix {
		t.Fatalf("drifted table owner = %q (%v), want the owner role", owner, err)
	}
}
