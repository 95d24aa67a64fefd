package main

import (
	"errors"
	"testing"
	"time"

	"github.com/keyward/keyward/shared/rotation"
)

func TestSelect(t *testing.T) {
	s := NewStrategies(Config{})
	for _, tc := range []struct {
		secret rotation.Secret
		want   string
	}{
		{rotation.Secret{"engine": "postgres"}, "postgres-single"},
		{rotation.Secret{"engine": "aurora-postgresql", "masterarn": "arn:m"}, "postgres-alternating"},
		{rotation.Secret{"engine": "mysql"}, "mysql-single"},
		{rotation.Secret{"engine": "MariaDB", "masterarn": "arn:m"}, "mysql-alternating"},
		{rotation.Secret{"engine": "apikey"}, "apikey"},
		{rotation.Secret{"engine": "oracle"}, ""},
		{rotation.Secret{}, ""},
		{rotation.Secret{"engine": 5}, ""},
	} {
		got, err := s.Select(tc.secret)
		if tc.want == "" {
			if err == nil {
				t.Errorf("Select(%v) = %s, want an error", tc.secret, got.Name())
			}
			continue
		}
		if err != nil || got.Name() != tc.want {
			t.Errorf("Select(%v) = %v, %v; want %s", tc.secret, got, err, tc.want)
		}
	}
	if _, err := s.Select(rotation.Secret{"engine": "oracle"}); !errors.Is(err, rotation.ErrUnsupported) {
		t.Errorf("unknown engine: %v", err)
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	c, err := ConfigFromEnv(env(nil))
	if err != nil || c.Table != "keyward" || c.Passwords.Length != 32 || c.Passwords.ExcludeCharacters != rotation.DefaultExcludeCharacters || c.ConnectTimeout != 5*time.Second {
		t.Fatalf("defaults: %+v, %v", c, err)
	}
	c, err = ConfigFromEnv(env(map[string]string{"TABLE_NAME": "t", "PASSWORD_LENGTH": "64", "PASSWORD_EXCLUDE_CHARACTERS": "", "API_KEY_REVOKE_GRACE": "2m"}))
	if err != nil || c.Table != "t" || c.Passwords.Length != 64 || c.Passwords.ExcludeCharacters != "" || c.RevokeGrace != 2*time.Minute {
		t.Fatalf("set: %+v, %v", c, err)
	}
	for _, bad := range []map[string]string{
		{"PASSWORD_LENGTH": "8"}, {"PASSWORD_LENGTH": "x"}, {"API_KEY_REVOKE_GRACE": "-1s"}, {"CONNECT_TIMEOUT": "soon"}, {"CA_BUNDLE": "/nonexistent.pem"},
	} {
		if _, err := ConfigFromEnv(env(bad)); err == nil {
			t.Errorf("ConfigFromEnv(%v) accepted", bad)
		}
	}
}
