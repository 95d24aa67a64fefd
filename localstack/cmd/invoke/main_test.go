package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// testBootstrap builds localstack/runtimeapi's test function once.
func testBootstrap(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "fn", "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", out, "../../runtimeapi/testdata/fn")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build test function: %v\n%s", err, msg)
	}
	return out
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBadInputExitsTwoWithOneLine(t *testing.T) {
	good := writeFile(t, "good.json", `{"action":"echo"}`)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no function", []string{"-event", good}, "no function"},
		{"unknown function", []string{"-fn", "nosuch", "-event", good}, `unknown function "nosuch" (have: `},
		{"path as function", []string{"-fn", "../localstack", "-event", good}, "unknown function"},
		{"no event", []string{"-fn", "keyops"}, "no event"},
		{"missing event", []string{"-fn", "keyops", "-event", "/nonexistent/ev.json"}, "event file /nonexistent/ev.json not found"},
		{"malformed event", []string{"-fn", "keyops", "-event", writeFile(t, "bad.json", "{\n  \"a\": ,\n}")}, "is not valid JSON: invalid character ',' looking for beginning of value (line 2)"},
		{"empty event", []string{"-fn", "keyops", "-event", writeFile(t, "empty.json", "")}, "is not valid JSON"},
		{"bad flag", []string{"-nope"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if code != 2 {
				t.Errorf("exit code %d, want 2 (stderr %q)", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tt.want)
			}
			if tt.name != "bad flag" && strings.Count(stderr.String(), "\n") != 1 {
				t.Errorf("want one line, got %q", stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout not empty: %q", stdout.String())
			}
		})
	}
}

func TestInvokePrintsResponseAndReports(t *testing.T) {
	bs := testBootstrap(t)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-fn", "echo", "-bootstrap", bs,
		"-event", writeFile(t, "ev.json", `{"action":"echo","x":"y"}`)}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
	var got struct {
		Event        json.RawMessage `json:"event"`
		FunctionName string          `json:"functionName"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("stdout is not the JSON response: %q", stdout.String())
	}
	if string(got.Event) != `{"action":"echo","x":"y"}` || got.FunctionName != "echo" {
		t.Errorf("response %s", stdout.String())
	}
	for _, want := range []string{"INIT_REPORT Init Duration: ", "REPORT RequestId: ", "Duration: "} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr %q lacks %q", stderr.String(), want)
		}
	}
}

func TestInvokeFailureExitsOneWithLambdaError(t *testing.T) {
	bs := testBootstrap(t)
	tests := []struct{ event, timeout, wantType string }{
		{`{"action":"error"}`, "5s", "errorString"},
		{`{"action":"panic"}`, "5s", "string"},
		{`{"action":"sleep","ms":3000}`, "200ms", "Sandbox.Timedout"},
	}
	for _, tt := range tests {
		t.Run(tt.wantType, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"-fn", "echo", "-bootstrap", bs, "-timeout", tt.timeout,
				"-event", writeFile(t, "ev.json", tt.event)}, &stdout, &stderr)
			if code != 1 {
				t.Fatalf("exit %d, want 1; stderr %s", code, stderr.String())
			}
			var doc struct {
				Type    string `json:"errorType"`
				Message string `json:"errorMessage"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil || doc.Type != tt.wantType || doc.Message == "" {
				t.Errorf("stdout %q: want an error document of type %s", stdout.String(), tt.wantType)
			}
			if !strings.Contains(stderr.String(), "invoke: echo failed: "+tt.wantType+": ") {
				t.Errorf("stderr %q lacks the one-line failure", stderr.String())
			}
		})
	}
}

func TestEventNameIsLookedUpInEvents(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "events"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "events", "src-variant.json"), []byte(`{"k":1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := readEvent(root, "src-variant.json")
	if err != nil || string(got) != `{"k":1}` {
		t.Fatalf("readEvent = %s, %v", got, err)
	}
}
