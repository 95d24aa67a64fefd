package envelope_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/keyward/keyward/shared/envelope"
)

// jsKeyring describes a keyring to the node script interop/esdk.js.
type jsKeyring struct {
	Type      string `json:"type"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Key       string `json:"key,omitempty"`
	Padding   string `json:"padding,omitempty"`
	Private   string `json:"private,omitempty"`
	Public    string `json:"public,omitempty"`
}

type jsCase struct {
	ID          string            `json:"id"`
	Keyring     jsKeyring         `json:"keyring"`
	Policy      string            `json:"policy,omitempty"`
	Plaintext   string            `json:"plaintext,omitempty"`
	Ciphertext  string            `json:"ciphertext,omitempty"`
	Context     map[string]string `json:"context,omitempty"`
	Suite       int               `json:"suite,omitempty"`
	FrameLength int               `json:"frameLength,omitempty"`
}

type jsResult struct {
	ID         string            `json:"id"`
	Plaintext  string            `json:"plaintext"`
	Ciphertext string            `json:"ciphertext"`
	Context    map[string]string `json:"context"`
	Error      string            `json:"error"`
}

// runJS runs interop/esdk.js on a batch of cases. It fails the test with instructions when node or
// the JS SDK is missing (`make tools` installs it).
func runJS(t *testing.T, mode string, cases []jsCase) map[string]jsResult {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not installed: the JS interop test needs Node.js 20+ and `make tools`")
	}
	if _, err := os.Stat(filepath.Join("interop", "node_modules", "@aws-crypto", "client-node")); err != nil {
		t.Fatalf("the JS SDK is missing: run `make tools` (or `npm ci --prefix shared/envelope/interop`)")
	}
	job, _ := json.Marshal(map[string]any{"mode": mode, "cases": cases})
	resultFile := filepath.Join(t.TempDir(), "results.json")
	cmd := exec.Command(node, "--security-revert=CVE-2023-46809", "esdk.js", resultFile)
	cmd.Dir = "interop"
	cmd.Stdin = bytes.NewReader(job)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node esdk.js %s: %v\n%s", mode, err, stderr.String())
	}
	out, err := os.ReadFile(resultFile)
	if err != nil {
		t.Fatal(err)
	}
	var res struct{ Results []jsResult }
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("node esdk.js output: %v", err)
	}
	m := make(map[string]jsResult, len(res.Results))
	for _, r := range res.Results {
		m[r.ID] = r
	}
	return m
}

// interopKeyring is one keyring known to both sides.
type interopKeyring struct {
	name string
	kr   envelope.Keyring
	js   jsKeyring
}

func interopKeyrings(t *testing.T) []interopKeyring {
	priv := testRSAKey(t)
	privDER, _ := x509.MarshalPKCS8PrivateKey(priv)
	pubDER, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	privPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER}))
	pubPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))
	var out []interopKeyring
	for _, bits := range []int{128, 192, 256} {
		name := "aes-" + itoa(bits)
		out = append(out, interopKeyring{name: name, kr: mustAESKeyring(t, bits),
			js: jsKeyring{Type: "aes", Namespace: "keyward-test", Name: name, Key: base64.StdEncoding.EncodeToString(testAESKey(bits / 8))}})
	}
	for _, p := range []struct {
		padding envelope.RSAPadding
		js      string
	}{{envelope.PKCS1, "pkcs1"}, {envelope.OAEPSHA1, "oaep-sha1"}, {envelope.OAEPSHA256, "oaep-sha256"}, {envelope.OAEPSHA384, "oaep-sha384"}, {envelope.OAEPSHA512, "oaep-sha512"}} {
		out = append(out, interopKeyring{name: "rsa-" + p.js, kr: mustRSAKeyring(t, p.padding),
			js: jsKeyring{Type: "rsa", Namespace: "keyward-test", Name: "rsa-2048", Padding: p.js, Private: privPEM, Public: pubPEM}})
	}
	return out
}

var _ = rsa.PublicKey{}

// interopMatrix lists the messages both interop directions exercise: every suite with a raw AES
// key, every key type with the default and a signed suite, several sizes, frame lengths and contexts.
type interopCase struct {
	id      string
	kr      interopKeyring
	suite   envelope.SuiteID
	size    int
	frame   int
	framed  bool
	context map[string]string
}

func interopMatrix(t *testing.T) []interopCase {
	krs := interopKeyrings(t)
	contexts := []map[string]string{
		nil,
		{"purpose": "interop", "tenant": "t-42"},
		{"lang": "日本語 ✓ ünïcödé", "emoji": "🔑🗝"},
	}
	var out []interopCase
	n := 0
	add := func(kr interopKeyring, s envelope.SuiteID, size, frame int, framed bool, ec map[string]string) {
		n++
		out = append(out, interopCase{id: fmt.Sprintf("%03d-%s-%s-%d-%d-%v", n, kr.name, s, size, frame, framed), kr: kr, suite: s, size: size, frame: frame, framed: framed, context: ec})
	}
	for _, s := range envelope.Suites() {
		for i, size := range []int{0, 1, 300} {
			add(krs[2], s, size, 128, true, contexts[i%len(contexts)])
		}
		add(krs[0], s, 1000, 4096, false, contexts[1])
	}
	for _, kr := range krs {
		for i, s := range []envelope.SuiteID{envelope.AES256GCMHKDFSHA512Commit, envelope.AES256GCMHKDFSHA512CommitECDSAP384, envelope.AES128GCMHKDFSHA256ECDSAP256} {
			add(kr, s, 5000, []int{4096, 1000, 1}[i]*1, true, contexts[(i+1)%len(contexts)])
		}
	}
	for i := range out {
		if out[i].frame == 1 {
			out[i].size = 40 // 40 one-byte frames
		}
	}
	return out
}

func TestInteropKeywardToJS(t *testing.T) {
	ctx := context.Background()
	matrix := interopMatrix(t)
	var cases []jsCase
	want := map[string][]byte{}
	for _, c := range matrix {
		cfg := envelope.Config{Keyring: c.kr.kr, Suite: c.suite, FrameLength: c.frame, CommitmentPolicy: policyFor(c.suite)}
		if !c.framed {
			envelope.SetNonFramed(&cfg)
		}
		pt := pattern(c.size)
		msg, err := mustClient(t, cfg).Encrypt(ctx, pt, c.context)
		if err != nil {
			t.Fatalf("%s: %v", c.id, err)
		}
		want[c.id] = pt
		cases = append(cases, jsCase{ID: c.id, Keyring: c.kr.js, Ciphertext: base64.StdEncoding.EncodeToString(msg), Policy: "REQUIRE_ENCRYPT_ALLOW_DECRYPT"})
	}
	res := runJS(t, "decrypt", cases)
	for _, c := range matrix {
		r, ok := res[c.id]
		switch {
		case !ok:
			t.Errorf("%s: no result from JS", c.id)
		case r.Error != "":
			t.Errorf("%s: JS SDK cannot decrypt keyward's message: %s", c.id, r.Error)
		default:
			got, _ := base64.StdEncoding.DecodeString(r.Plaintext)
			if !bytes.Equal(got, want[c.id]) {
				t.Errorf("%s: JS SDK decrypted a different plaintext", c.id)
			}
			for k, v := range c.context {
				if r.Context[k] != v {
					t.Errorf("%s: JS sees context %q = %q, want %q", c.id, k, r.Context[k], v)
				}
			}
		}
	}
	t.Logf("%d keyward messages decrypted by @aws-crypto/client-node", len(matrix))
}

func TestInteropJSToKeyward(t *testing.T) {
	ctx := context.Background()
	matrix := interopMatrix(t)
	var cases []jsCase
	byID := map[string]interopCase{}
	for _, c := range matrix {
		if !c.framed { // the JS SDK writes framed messages only
			continue
		}
		policy := "REQUIRE_ENCRYPT_REQUIRE_DECRYPT"
		if !c.suite.Committing() {
			policy = "FORBID_ENCRYPT_ALLOW_DECRYPT"
		}
		byID[c.id] = c
		cases = append(cases, jsCase{ID: c.id, Keyring: c.kr.js, Policy: policy, Plaintext: base64.StdEncoding.EncodeToString(pattern(c.size)),
			Context: c.context, Suite: int(c.suite), FrameLength: c.frame})
	}
	res := runJS(t, "encrypt", cases)
	for id, c := range byID {
		r := res[id]
		if r.Error != "" || r.Ciphertext == "" {
			t.Errorf("%s: JS encrypt failed: %s", id, r.Error)
			continue
		}
		msg, _ := base64.StdEncoding.DecodeString(r.Ciphertext)
		got, ec, err := mustClient(t, envelope.Config{Keyring: c.kr.kr, CommitmentPolicy: envelope.RequireEncryptAllowDecrypt}).Decrypt(ctx, msg, c.context)
		if err != nil {
			t.Errorf("%s: keyward cannot decrypt the JS message: %v", id, err)
			continue
		}
		if !bytes.Equal(got, pattern(c.size)) || len(ec) < len(c.context) {
			t.Errorf("%s: different plaintext or context", id)
		}
	}
	t.Logf("%d @aws-crypto/client-node messages decrypted by keyward", len(byID))
}
