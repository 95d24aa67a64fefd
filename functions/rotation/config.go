package main

import (
	"crypto/x509"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/keyward/keyward/shared/rotation"
	"github.com/keyward/keyward/shared/table"
)

// Config is the function's environment.
type Config struct {
	Table          string                  // TABLE_NAME (default "keyward")
	Passwords      rotation.PasswordPolicy // PASSWORD_LENGTH, PASSWORD_EXCLUDE_CHARACTERS
	RevokeGrace    time.Duration           // API_KEY_REVOKE_GRACE, e.g. "5m" (default 0)
	ConnectTimeout time.Duration           // CONNECT_TIMEOUT (default 5s)
	RootCAs        *x509.CertPool          // CA_BUNDLE: PEM file added to the system roots (e.g. the RDS bundle)
}

// ConfigFromEnv reads the configuration. lookup is os.LookupEnv in production:
// PASSWORD_EXCLUDE_CHARACTERS set to "" really means "exclude nothing".
func ConfigFromEnv(lookup func(string) (string, bool)) (Config, error) {
	c := Config{Table: table.DefaultName, Passwords: rotation.DefaultPasswordPolicy(), ConnectTimeout: 5 * time.Second}
	if v, ok := lookup("TABLE_NAME"); ok && v != "" {
		c.Table = v
	}
	if v, ok := lookup("PASSWORD_LENGTH"); ok && v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 16 || n > 4096 {
			return Config{}, fmt.Errorf("PASSWORD_LENGTH must be an integer from 16 to 4096")
		}
		c.Passwords.Length = n
	}
	if v, ok := lookup("PASSWORD_EXCLUDE_CHARACTERS"); ok {
		c.Passwords.ExcludeCharacters = v
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"API_KEY_REVOKE_GRACE", &c.RevokeGrace}, {"CONNECT_TIMEOUT", &c.ConnectTimeout}} {
		if v, ok := lookup(d.name); ok && v != "" {
			t, err := time.ParseDuration(v)
			if err != nil || t < 0 {
				return Config{}, fmt.Errorf("%s must be a non-negative duration such as 30s", d.name)
			}
			*d.dst = t
		}
	}
	if v, ok := lookup("CA_BUNDLE"); ok && v != "" {
		pem, err := os.ReadFile(v)
		if err != nil {
			return Config{}, fmt.Errorf("CA_BUNDLE: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return Config{}, fmt.Errorf("CA_BUNDLE %s holds no PEM certificate", v)
		}
		c.RootCAs = pool
	}
	return c, nil
}
