package apikey

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/keyward/keyward/shared/rotation"
)

// config is the provider part of a rotated secret.
type config struct {
	createURL, testURL, revokeURL string
	credentialARN                 string
	keyID, key                    string
	ssl                           *bool
	grace                         *time.Duration
}

func parse(s rotation.Secret) (config, error) {
	var c config
	var err error
	for _, f := range []struct {
		key string
		dst *string
	}{
		{"createurl", &c.createURL}, {"testurl", &c.testURL}, {"revokeurl", &c.revokeURL},
		{"credentialarn", &c.credentialARN}, {"keyid", &c.keyID}, {"apikey", &c.key},
	} {
		if *f.dst, err = s.String(f.key); err != nil {
			return config{}, err
		}
	}
	if c.ssl, err = s.Bool("ssl"); err != nil {
		return config{}, err
	}
	if _, ok := s["revokegraceseconds"]; ok {
		n, err := s.Int("revokegraceseconds")
		if err != nil || n < 0 {
			return config{}, fmt.Errorf("%w: revokegraceseconds must be a non-negative integer", rotation.ErrSecretFormat)
		}
		d := time.Duration(n) * time.Second
		c.grace = &d
	}
	var missing []string
	for k, v := range map[string]string{"createurl": c.createURL, "testurl": c.testURL, "revokeurl": c.revokeURL, "credentialarn": c.credentialARN} {
		if v == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return config{}, fmt.Errorf("%w: missing %s", rotation.ErrSecretFormat, strings.Join(missing, ", "))
	}
	return c, nil
}

func (c config) revokeURLFor(id string) string {
	return strings.ReplaceAll(c.revokeURL, "{id}", url.PathEscape(id))
}

// redacted names a URL without its query (which could carry a token).
func redacted(u *url.URL) string {
	return u.Scheme + "://" + u.Host + u.Path
}

// call sends one request with a bearer credential and decodes a JSON answer
// into out (when not nil). Errors carry the method, the URL without query and the
// status — never the credential or the body.
func (s *Strategy) call(ctx context.Context, c config, method, rawURL, bearer string, headers map[string]string, out any) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%w: invalid provider URL", rotation.ErrSecretFormat)
	}
	where := method + " " + redacted(u)
	useTLS := c.ssl == nil || *c.ssl
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && (rotation.IsLoopback(u.Hostname()) || !useTLS):
	default:
		return fmt.Errorf("%s: %w: https required (set \"ssl\": false to allow http)", where, rotation.ErrInsecureTransport)
	}
	tlsConf, err := rotation.TLSConfig(u.Hostname(), nil, s.o.RootCAs)
	if err != nil {
		return err
	}
	client := &http.Client{
		Timeout:   s.o.Timeout,
		Transport: &http.Transport{TLSClientConfig: tlsConf, Proxy: http.ProxyFromEnvironment},
		// A redirect could downgrade to http or leak the credential elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	req.Header.Set("Accept", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // url.Error repeats the URL with its query
		}
		return rotation.Classify(rotation.ErrUnreachable, where, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return rotation.Classify(rotation.ErrUnreachable, where, errors.New("reading the response failed"))
	}
	switch {
	case method == http.MethodDelete && (resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone):
		return nil // already revoked
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return rotation.Classify(rotation.ErrAuth, where, fmt.Errorf("status %d", resp.StatusCode))
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return rotation.Classify(rotation.ErrTarget, where, fmt.Errorf("status %d", resp.StatusCode))
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return rotation.Classify(rotation.ErrTarget, where, errors.New("response is not the expected JSON"))
		}
	}
	return nil
}
