package image

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// listedPackage is the part of `go list -json` output Build uses.
type listedPackage struct {
	ImportPath string
	Deps       []string // every package the main package imports, transitively
	Name       string
	Dir        string
	Module     *struct {
		Path  string
		Dir   string
		GoMod string
	}
	Error *struct {
		Err string
	}
}

// goCommand runs the go command on PATH, the user's own toolchain, for
// the image's target platform, in dir.
func goCommand(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), targetEnv...)
	return cmd
}

// goVersion returns the go command's version, such as "go1.26.8".
func goVersion(ctx context.Context, dir string) (string, error) {
	out, err := goCommand(ctx, dir, "env", "GOVERSION").Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.Is(err, exec.ErrNotFound) {
			return "", fmt.Errorf("the go command is not in PATH: install Go 1.26 or newer from https://go.dev/dl/")
		} else if errors.As(err, &exitErr) {
			return "", fmt.Errorf("go env GOVERSION: %v\n%s", err, strings.TrimSpace(string(exitErr.Stderr)))
		}
		return "", fmt.Errorf("go env GOVERSION: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// listPackage loads pkg with go list and checks that it is one main
// package.
func listPackage(ctx context.Context, dir, pkg string) (*listedPackage, error) {
	if strings.HasSuffix(pkg, ".go") {
		// A package made of named files does not include the file the
		// overlay adds to its directory.
		return nil, fmt.Errorf("%s is a Go file: coracle builds packages; name its directory (./dir) or import path instead", pkg)
	}
	cmd := goCommand(ctx, dir, "list", "-e", "-json", "--", pkg)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s: %v\n%s", pkg, err, strings.TrimSpace(stderr.String()))
	}
	var pkgs []*listedPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		p := new(listedPackage)
		if err := dec.Decode(p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("reading go list output: %w", err)
		}
		pkgs = append(pkgs, p)
	}
	switch {
	case len(pkgs) == 0:
		return nil, fmt.Errorf("%s matches no packages", pkg)
	case len(pkgs) > 1:
		return nil, fmt.Errorf("%s matches %d packages; name one main package", pkg, len(pkgs))
	}
	p := pkgs[0]
	if p.Error != nil {
		return nil, fmt.Errorf("cannot load package %s: %s", pkg, p.Error.Err)
	}
	if p.Name != "main" {
		return nil, fmt.Errorf("%s is package %s, not a main package; coracle builds commands", pkg, p.Name)
	}
	return p, nil
}
