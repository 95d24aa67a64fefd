// Command vectors decrypts every test of an AWS Encryption SDK awses-decrypt manifest with
// keyward's envelope package, prints one line per failure and a final line "N passed, M failed",
// and exits non-zero if any test failed.
//
//	go run ./shared/envelope/cmd/vectors path/to/manifest.json
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/keyward/keyward/shared/envelope/vectors"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: vectors MANIFEST.json")
		os.Exit(2)
	}
	m, err := vectors.Load(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "vectors:", err)
		os.Exit(2)
	}
	passed, failed, skipped := 0, 0, 0
	for _, name := range m.Names() {
		switch err := m.Run(context.Background(), name); {
		case err == nil:
			passed++
		case errors.Is(err, vectors.ErrSkipped):
			skipped++
		default:
			failed++
			fmt.Printf("FAIL %s: %v\n", name, err)
		}
	}
	if skipped > 0 {
		fmt.Printf("%d skipped (AWS KMS keys only)\n", skipped)
	}
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
