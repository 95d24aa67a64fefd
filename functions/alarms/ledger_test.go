package main

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/keyward/keyward/shared/alarmstate"
	"github.com/keyward/keyward/shared/rules"
	"github.com/keyward/keyward/shared/table"
)

func (e *env) put(item any) {
	e.t.Helper()
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.db.Client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(e.ev.Alarms.Table), Item: av}); err != nil {
		e.t.Fatal(err)
	}
}

// A failed step in the rotation ledger fires rotation-failed; the completed
// rotation recorded later resolves it; a step failed outside the window is quiet.
func TestRotationLedgerFailureAndRecovery(t *testing.T) {
	e := newEnv(t, nil)
	other := secretA + "-other"
	e.put(table.NewRotationEntry(secretA, "tok-1", "setSecret", "postgres-single", "Failed", "db-unreachable", min_(2), time.Second))
	e.put(table.NewRotationEntry(other, "tok-9", "setSecret", "postgres-single", "Failed", "db-unreachable", min_(-20), time.Second))
	e.evaluate(win, win.End)
	a := e.state("rotation-failed", secretA)
	if a.State != rules.StateAlarm || a.Evidence.Details["errorClass"] != "db-unreachable" || a.Evidence.Details["token"] != "tok-1" {
		t.Fatalf("ledger failure: %+v", a)
	}
	if e.state("rotation-failed", other).State != "" {
		t.Fatal("failure outside the window fired")
	}
	w2 := next(win, 1)
	e.evaluate(w2, w2.End) // nothing new: latched, stays in ALARM
	if a := e.state("rotation-failed", secretA); a.State != rules.StateAlarm {
		t.Fatalf("latched alarm left ALARM without a success: %+v", a)
	}
	e.put(table.NewRotationStatus(secretA, "postgres-single", "tok-2", w2.End.Add(time.Minute)))
	e.sent.take()
	w3 := next(win, 2)
	e.evaluate(w3, w3.End)
	if a := e.state("rotation-failed", secretA); a.State != rules.StateOK {
		t.Fatalf("completed rotation did not resolve: %+v", a)
	}
	if got := kinds(e.sent.take()); len(got) != 1 || got[0] != string(alarmstate.KindResolved)+" rotation-failed" {
		t.Fatalf("sent %v", got)
	}
}
