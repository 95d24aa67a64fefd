package main

import (
	"io"
	"log/slog"

	"github.com/keyward/keyward/shared/rotation"
)

// NewRotator wires the rotation handler: Secrets Manager, the strategies, the
// ledger in the table and EMF metrics on metricsOut (stdout in Lambda).
func NewRotator(c Config, sm rotation.SecretsManager, ddb rotation.DynamoDBPutter, log *slog.Logger, metricsOut io.Writer) *rotation.Rotator {
	r := &rotation.Rotator{
		SM:        sm,
		Select:    NewStrategies(c).Select,
		Passwords: c.Passwords,
		Log:       log,
		Metrics:   &rotation.Metrics{W: metricsOut},
	}
	if ddb != nil {
		r.Ledger = rotation.TableLedger{DB: ddb, Table: c.Table}
	}
	return r
}
