package vectors_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/keyward/keyward/shared/envelope/vectors"
)

// TestCommittedVectors runs the vector set generated with @aws-crypto/client-node 5.0.2.
func TestCommittedVectors(t *testing.T) {
	m, err := vectors.Load(filepath.Join("..", "testdata", "vectors", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Tests) < 50 {
		t.Fatalf("only %d tests in the committed manifest", len(m.Tests))
	}
	for _, name := range m.Names() {
		if err := m.Run(context.Background(), name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestRunFailsOnWrongExpectation(t *testing.T) {
	m, err := vectors.Load(filepath.Join("..", "testdata", "vectors", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	// Swap expectations: a tampered message that "should" decrypt, a good one that "should" fail.
	good, bad := m.Tests["suite-0478-aes-256"], m.Tests["tampered-tag"]
	good.Ciphertext, bad.Ciphertext = bad.Ciphertext, good.Ciphertext
	m.Tests["suite-0478-aes-256"], m.Tests["tampered-tag"] = good, bad
	for _, name := range []string{"suite-0478-aes-256", "tampered-tag"} {
		if err := m.Run(context.Background(), name); err == nil || errors.Is(err, vectors.ErrSkipped) {
			t.Errorf("%s: passed with the wrong ciphertext", name)
		}
	}
}
