package rotation

import (
	"strings"
	"testing"
)

func TestParseDBSecret(t *testing.T) {
	yes := true
	for _, tc := range []struct {
		name, json string
		want       DBSecret
		wantErr    string
	}{
		{"numeric port", `{"engine":"postgres","host":"db","port":5433,"username":"u","password":"p","dbname":"d"}`,
			DBSecret{Engine: "postgres", Host: "db", Port: 5433, Username: "u", Password: "p", DBName: "d"}, ""},
		{"string port and ssl", `{"host":"db","port":"3306","username":"u","ssl":"true"}`,
			DBSecret{Host: "db", Port: 3306, Username: "u", SSL: &yes}, ""},
		{"default port", `{"host":"db","username":"u"}`, DBSecret{Host: "db", Port: 9, Username: "u"}, ""},
		{"missing host", `{"username":"u","password":"hunter2-secret"}`, DBSecret{}, "missing host"},
		{"bad port", `{"host":"db","username":"u","port":"x"}`, DBSecret{}, `"port" is not an integer`},
		{"password not string", `{"host":"db","username":"u","password":12345678}`, DBSecret{}, `"password" is not a string`},
		{"not an object", `["hunter2-secret"]`, DBSecret{}, "not a JSON object"},
		{"not JSON", `{"password":"hunter2-secret"`, DBSecret{}, "not a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseSecret(tc.json)
			var d DBSecret
			if err == nil {
				d, err = ParseDBSecret(s, 9)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "12345678") {
					t.Fatal("error quotes the secret")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Engine != tc.want.Engine || d.Host != tc.want.Host || d.Port != tc.want.Port || d.Username != tc.want.Username ||
				d.Password != tc.want.Password || d.DBName != tc.want.DBName || (d.SSL == nil) != (tc.want.SSL == nil) {
				t.Fatalf("got %+v, want %+v", d, tc.want)
			}
		})
	}
}

func TestSecretKeepsUnknownFields(t *testing.T) {
	s, err := ParseSecret(`{"username":"u","password":"old","proxy":{"x":1},"port":5432}`)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := s.With(map[string]any{"password": "new"}).Encode()
	if out != `{"password":"new","port":5432,"proxy":{"x":1},"username":"u"}` {
		t.Fatalf("got %s", out)
	}
	if p, _ := s.String("password"); p != "old" {
		t.Fatal("With modified the original")
	}
}

func FuzzParseSecret(f *testing.F) {
	f.Add(`{"host":"db","port":"5432","username":"u","ssl":false}`)
	f.Add(`{"port":1e99}`)
	f.Add(`null`)
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSecret(in)
		if err != nil {
			return
		}
		_, _ = ParseDBSecret(s, 5432)
		if _, err := s.Encode(); err != nil {
			t.Fatalf("decoded secret does not encode: %v", err)
		}
	})
}

func TestTLSConfig(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		host    string
		ssl     *bool
		wantTLS bool
	}{
		{"db.example.com", nil, true},
		{"10.0.0.5", nil, true},
		{"127.0.0.1", nil, false},
		{"::1", nil, false},
		{"localhost", nil, false},
		{"127.0.0.1", &yes, true},
		{"db.example.com", &no, false},
		{"localhost.evil.com", nil, true},
	} {
		cfg, err := TLSConfig(tc.host, tc.ssl, nil)
		if err != nil {
			t.Fatal(err)
		}
		if (cfg != nil) != tc.wantTLS {
			t.Errorf("TLSConfig(%q, %v): TLS = %v, want %v", tc.host, tc.ssl, cfg != nil, tc.wantTLS)
		}
		if cfg != nil && (cfg.InsecureSkipVerify || cfg.ServerName == "") {
			t.Errorf("TLSConfig(%q) does not verify the server", tc.host)
		}
	}
}
