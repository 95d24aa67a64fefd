package rotation

import (
	"fmt"
	"strings"
)

// DBSecret is the typed view of a database secret, in the JSON shape the AWS
// rotation templates use: engine, host, port, username, password, dbname,
// masterarn (alternating users) and ssl.
type DBSecret struct {
	Engine    string
	Host      string
	Port      int
	Username  string
	Password  string
	DBName    string
	MasterARN string
	SSL       *bool // nil: TLS unless the host is loopback
}

// ParseDBSecret reads the database fields of s; host and username are required
// and defaultPort fills a missing port.
func ParseDBSecret(s Secret, defaultPort int) (DBSecret, error) {
	var d DBSecret
	var err error
	get := func(key string, dst *string) {
		if err == nil {
			*dst, err = s.String(key)
		}
	}
	get("engine", &d.Engine)
	get("host", &d.Host)
	get("username", &d.Username)
	get("password", &d.Password)
	get("dbname", &d.DBName)
	get("masterarn", &d.MasterARN)
	if err != nil {
		return DBSecret{}, err
	}
	if d.Port, err = s.Int("port"); err != nil {
		return DBSecret{}, err
	}
	if d.SSL, err = s.Bool("ssl"); err != nil {
		return DBSecret{}, err
	}
	if d.Port == 0 {
		d.Port = defaultPort
	}
	var missing []string
	if d.Host == "" {
		missing = append(missing, "host")
	}
	if d.Username == "" {
		missing = append(missing, "username")
	}
	if len(missing) > 0 {
		return DBSecret{}, fmt.Errorf("%w: missing %s", ErrSecretFormat, strings.Join(missing, ", "))
	}
	if d.Port < 1 || d.Port > 65535 {
		return DBSecret{}, fmt.Errorf("%w: port out of range", ErrSecretFormat)
	}
	return d, nil
}

// SameTarget reports whether two secrets point at the same server.
func (d DBSecret) SameTarget(o DBSecret) bool {
	return strings.EqualFold(d.Host, o.Host) && d.Port == o.Port
}
