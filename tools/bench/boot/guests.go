package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/coracle-os/coracle/tools/image"
)

// The guest programs, built from this module.
const (
	// probePkg prints probeLine first thing in main.
	probePkg  = "github.com/coracle-os/coracle/tools/bench/bootprobe"
	probeLine = "main: ready"
	// floorPkg's 32-bit entry point, floorEntry, prints floorLine.
	floorPkg   = "github.com/coracle-os/coracle/tools/bench/pvhfloor"
	floorEntry = "main.entry32"
	floorLine  = "floor: ready"
)

// buildCoracleProbe builds the probe into a coracle image in dir, as
// coracle build does (tools/image.Build is that command's code).
func buildCoracleProbe(ctx context.Context, dir string, log io.Writer) (string, error) {
	return image.Build(ctx, image.Options{
		Pkg:      probePkg,
		Output:   filepath.Join(dir, "bootprobe.img"),
		Progress: log,
	})
}

// buildFloor builds the floor guest into dir: linked with its 32-bit
// entry point, then given its PVH note.
func buildFloor(ctx context.Context, dir string) (string, error) {
	elf := filepath.Join(dir, "pvhfloor.elf")
	if err := goBuild(ctx, elf, floorPkg, "-ldflags=-E="+floorEntry); err != nil {
		return "", err
	}
	b, err := os.ReadFile(elf)
	if err != nil {
		return "", err
	}
	img, err := image.RewritePVHNote(b)
	if err != nil {
		return "", fmt.Errorf("%s: %w", floorPkg, err)
	}
	out := filepath.Join(dir, "pvhfloor.img")
	return out, os.WriteFile(out, img, 0o644)
}

// buildInitramfs writes into dir an initramfs whose /init is the probe,
// a static linux/amd64 binary, with /dev/console for its stdout. Linux's
// built-in initramfs has /dev/console too; having our own does not depend
// on that.
func buildInitramfs(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "bootprobe")
	if err := goBuild(ctx, bin, probePkg); err != nil {
		return "", err
	}
	init, err := os.ReadFile(bin)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	w := newCPIOWriter(&buf)
	w.dir("dev", 0o755)
	w.charDev("dev/console", 0o600, 5, 1)
	w.file("init", 0o755, init)
	if err := w.close(); err != nil {
		return "", err
	}
	out := filepath.Join(dir, "initramfs.cpio")
	return out, os.WriteFile(out, buf.Bytes(), 0o644)
}

// goBuild builds pkg to out for GOOS=linux GOARCH=amd64 without cgo,
// that is statically linked.
func goBuild(ctx context.Context, out, pkg string, flags ...string) error {
	args := append([]string{"build", "-o", out}, flags...)
	cmd := command(ctx, "", "go", append(args, pkg)...)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, strings.TrimSpace(string(b)))
	}
	return nil
}
