package stack

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/keyward/keyward/shared/naming"
)

// BuildBootstraps builds every function of naming.Functions for this machine
// (CGO_ENABLED=0, -tags lambda.norpc, as `make build` does for Lambda) into
// dir/<function>/bootstrap, in one go build, and returns their paths by name.
// root is the repository (the folder holding go.mod).
func BuildBootstraps(ctx context.Context, root, dir string) (map[string]string, error) {
	out := filepath.Join(dir, ".out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("stack: bootstrap dir: %w", err)
	}
	args := []string{"build", "-tags", "lambda.norpc", "-trimpath", "-o", out + string(filepath.Separator)}
	for _, fn := range naming.Functions {
		args = append(args, "./functions/"+fn)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("stack: go build of the functions: %w\n%s", err, b)
	}
	paths := map[string]string{}
	for _, fn := range naming.Functions {
		p := filepath.Join(dir, fn, "bootstrap")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.Rename(filepath.Join(out, fn), p); err != nil {
			return nil, fmt.Errorf("stack: bootstrap of %s: %w", fn, err)
		}
		paths[fn] = p
	}
	return paths, nil
}

// RepoRoot finds the repository root (the folder with go.mod) from the working
// directory upwards.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("stack: no go.mod above the working directory: run from the keyward repository")
		}
		dir = up
	}
}
