package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/keyward/keyward/shared/keyops"
)

// api calls the keyops HTTP API as one caller.
type api struct {
	base      string
	principal string
	http      *http.Client
}

// response is one HTTP exchange, kept whole for error messages.
type response struct {
	method, path string
	status       int
	body         []byte
}

func (r response) String() string {
	b := r.body
	if len(b) > 400 {
		b = append(b[:400:400], "…"...)
	}
	return fmt.Sprintf("%s %s → %d %s", r.method, r.path, r.status, b)
}

// errorCode is the error.code of a keyops error body.
func (r response) errorCode() string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.body, &e)
	return e.Error.Code
}

func (a api) do(ctx context.Context, method, path string, body any) (response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return response{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if a.principal != "" {
		req.Header.Set(keyops.PrincipalHeader, a.principal)
	}
	res, err := a.http.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return response{method: method, path: path, status: res.StatusCode, body: b}, err
}

// call does one request and wants status want; out, when set, receives the body.
func (a api) call(ctx context.Context, method, path string, body any, want int, out any) (response, error) {
	r, err := a.do(ctx, method, path, body)
	if err != nil {
		return r, err
	}
	if r.status != want {
		return r, fmt.Errorf("want %d: %s", want, r)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			return r, fmt.Errorf("%s: %w", r, err)
		}
	}
	return r, nil
}

// poll retries f every interval until it returns true or timeout passes.
func poll(ctx context.Context, timeout, interval time.Duration, f func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	for {
		ok, err := f()
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("not within %s", timeout)
			}
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(interval):
		}
	}
}
