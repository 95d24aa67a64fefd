package main

import (
	"fmt"
	"strings"

	"github.com/keyward/keyward/shared/rotation"
	"github.com/keyward/keyward/shared/rotation/apikey"
	"github.com/keyward/keyward/shared/rotation/mysql"
	"github.com/keyward/keyward/shared/rotation/postgres"
)

// Strategies holds one instance of every strategy the function offers.
type Strategies struct {
	PostgresSingle, PostgresAlternating rotation.Strategy
	MySQLSingle, MySQLAlternating       rotation.Strategy
	APIKey                              rotation.Strategy
}

// NewStrategies builds the strategies from the configuration.
func NewStrategies(c Config) Strategies {
	pg := postgres.Options{RootCAs: c.RootCAs, ConnectTimeout: c.ConnectTimeout}
	my := mysql.Options{RootCAs: c.RootCAs, ConnectTimeout: c.ConnectTimeout}
	return Strategies{
		PostgresSingle: postgres.NewSingle(pg), PostgresAlternating: postgres.NewAlternating(pg),
		MySQLSingle: mysql.NewSingle(my), MySQLAlternating: mysql.NewAlternating(my),
		APIKey: apikey.New(apikey.Options{RevokeGrace: c.RevokeGrace, RootCAs: c.RootCAs}),
	}
}

// Select picks the strategy from the secret's "engine"; a "masterarn" selects
// alternating users.
func (s Strategies) Select(current rotation.Secret) (rotation.Strategy, error) {
	engine, err := current.String("engine")
	if err != nil {
		return nil, err
	}
	master, err := current.String("masterarn")
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(engine) {
	case "postgres", "postgresql", "aurora-postgresql":
		if master != "" {
			return s.PostgresAlternating, nil
		}
		return s.PostgresSingle, nil
	case "mysql", "mariadb", "aurora-mysql", "aurora":
		if master != "" {
			return s.MySQLAlternating, nil
		}
		return s.MySQLSingle, nil
	case "apikey":
		return s.APIKey, nil
	case "":
		return nil, fmt.Errorf("%w: the secret has no \"engine\" field", rotation.ErrUnsupported)
	default:
		return nil, fmt.Errorf("%w: engine %q", rotation.ErrUnsupported, engine)
	}
}
