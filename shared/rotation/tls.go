package rotation

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"strings"
)

// IsLoopback reports whether host names this machine (localhost or a loopback IP).
func IsLoopback(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(h, "[]"))
	return ip != nil && ip.IsLoopback()
}

// TLSConfig decides how to reach host. TLS with full certificate and host name
// verification is the default; plaintext is used only when the secret says
// "ssl": false explicitly, or when ssl is absent and the host is loopback. There is
// no fallback from TLS to plaintext: a nil config means "plaintext by choice".
func TLSConfig(host string, ssl *bool, roots *x509.CertPool) (*tls.Config, error) {
	useTLS := !IsLoopback(host)
	if ssl != nil {
		useTLS = *ssl
	}
	if !useTLS {
		return nil, nil
	}
	if host == "" {
		return nil, fmt.Errorf("%w: TLS needs a host name", ErrInsecureTransport)
	}
	return &tls.Config{
		ServerName: strings.Trim(host, "[]"),
		RootCAs:    roots, // nil: the system roots
		MinVersion: tls.VersionTLS12,
	}, nil
}
