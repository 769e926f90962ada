package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/coracle-os/coracle/tools/bench/internal/linuxguest"
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
	if err := linuxguest.GoBuild(ctx, elf, floorPkg, "-ldflags=-E="+floorEntry); err != nil {
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
