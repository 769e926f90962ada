package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/coracle-os/coracle/tools/image"
)

// targetEnv is the environment both builds run with: the one
// tools/image uses for images.
var targetEnv = []string{"GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0"}

// goCommand runs the go command in the current directory with
// targetEnv, and returns its standard output.
func goCommand(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = append(os.Environ(), targetEnv...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

// buildNative builds pkg with go build into dir, as coracle build does
// but without the kernel's overlay and entry point, and returns the
// file's path.
func buildNative(ctx context.Context, pkg, dir string) (string, error) {
	out := filepath.Join(dir, filepath.Base(pkg)+".native")
	_, err := goCommand(ctx, "build", "-o", out, "--", pkg)
	return out, err
}

// buildImage builds pkg into a coracle image in dir and returns its
// path; progress gets coracle build's lines.
func buildImage(ctx context.Context, pkg, dir string, progress io.Writer) (string, error) {
	return image.Build(ctx, image.Options{
		Pkg:      pkg,
		Output:   filepath.Join(dir, filepath.Base(pkg)+".img"),
		Progress: progress,
	})
}

// nonStdDeps returns the packages outside the standard library that pkg
// depends on, itself included.
func nonStdDeps(ctx context.Context, pkg string) (map[string]bool, error) {
	out, err := goCommand(ctx, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "--", pkg)
	if err != nil {
		return nil, err
	}
	deps := map[string]bool{}
	for line := range strings.Lines(string(out)) {
		if line = strings.TrimSpace(line); line != "" {
			deps[line] = true
		}
	}
	return deps, nil
}

// newClassifier lists the kernel's and the network service's packages.
func newClassifier(ctx context.Context) (classifier, error) {
	kernel, err := nonStdDeps(ctx, image.KernelImportPath)
	if err != nil {
		return classifier{}, err
	}
	network, err := nonStdDeps(ctx, image.NetworkImportPath)
	if err != nil {
		return classifier{}, err
	}
	for pkg := range kernel {
		delete(network, pkg)
	}
	return classifier{kernel: kernel, network: network}, nil
}
