package image

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// Options configures Build.
type Options struct {
	// Pkg is the main package to build: an import path or a directory
	// (./cmd/hello), as for go build.
	Pkg string
	// Output is the image's path. Empty means "<last element of the
	// package's import path>.img" in Dir.
	Output string
	// Dir is the directory the go command runs in, and relative paths
	// are resolved against. Empty means the current directory.
	Dir string
	// Files are host directories the guest finds in its root file
	// system (coracle build --files), embedded in the image.
	Files []Files
	// TZData links Go's embedded time zone database (package
	// time/tzdata, about 400 KiB) into the image, so that
	// time.LoadLocation works without a zoneinfo tree in the guest's
	// file system (coracle build --tzdata).
	TZData bool
	// Shares links the file service for shared host directories
	// (package fs/shares), which coracle run -v needs (coracle build
	// --shares).
	Shares bool
	// Disks links the file service for disks (package fs/disks), which
	// coracle run --disk needs (coracle build --disks).
	Disks bool
	// Progress receives "coracle: " progress lines. Nil discards them.
	Progress io.Writer

	// Tests link test programs that have their own entry point and
	// kernel stand-in; empty means EntrySymbol and KernelImportPath.
	entrySymbol  string
	kernelImport string
}

// Build links opts.Pkg with the coracle kernel into a PVH image, verifies
// it and writes it to the output path, which it returns.
func Build(ctx context.Context, opts Options) (string, error) {
	entrySymbol, kernelImport := opts.entrySymbol, opts.kernelImport
	if entrySymbol == "" {
		entrySymbol = EntrySymbol
	}
	if kernelImport == "" {
		kernelImport = KernelImportPath
	}
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	if opts.Pkg == "" {
		return "", fmt.Errorf("no package to build")
	}

	version, err := goVersion(ctx, dir)
	if err != nil {
		return "", err
	}
	warning, err := checkToolchain(version)
	if err != nil {
		return "", err
	}
	fmt.Fprint(progress, warning)
	fmt.Fprintf(progress, "coracle: building %s with %s (GOOS=%s GOARCH=%s)\n", opts.Pkg, version, targetGOOS, targetGOARCH)
	pkg, err := listPackage(ctx, dir, opts.Pkg)
	if err != nil {
		return "", err
	}

	output := opts.Output
	if output == "" {
		output = defaultOutputName(pkg.ImportPath)
	}
	outPath := output
	if !filepath.IsAbs(outPath) {
		outPath = filepath.Join(dir, outPath)
	}
	out, err := createOutput(output, outPath)
	if err != nil {
		return "", err
	}
	defer out.abandon()

	tmp, err := os.MkdirTemp("", "coracle-build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	imports := []string{kernelImport}
	if opts.kernelImport == "" && slices.Contains(pkg.Deps, "net") {
		// The program uses sockets: link the service that serves them.
		imports = append(imports, NetworkImportPath)
	}
	if opts.Shares {
		imports = append(imports, SharesImportPath)
	}
	if opts.Disks {
		imports = append(imports, DisksImportPath)
	}
	if opts.TZData {
		// time/tzdata reaches into package time by linkname without
		// importing it: import time too, so that a program that does not
		// use it still links.
		imports = append(imports, "time", TZDataImportPath)
	}
	var extra map[string]string
	if len(opts.Files) > 0 {
		if extra, err = filesOverlay(ctx, dir, tmp, kernelImport, opts.Files); err != nil {
			return "", err
		}
	}
	overlay, err := writeOverlay(tmp, pkg.Dir, imports, extra)
	if err != nil {
		return "", err
	}
	linked := filepath.Join(tmp, "linked.elf")
	if err := goBuild(ctx, dir, pkg, opts.Pkg, overlay, entrySymbol, linked); err != nil {
		return "", err
	}

	img, entry, err := postLink(linked)
	if err != nil {
		return "", fmt.Errorf("%s: %w", opts.Pkg, err)
	}
	if err := out.commit(img); err != nil {
		return "", err
	}
	fmt.Fprintf(progress, "coracle: wrote %s (%.1f MiB, PVH entry %#x)\n", output, float64(len(img))/(1<<20), entry)
	return outPath, nil
}

// postLink reads the linked ELF file, gives it its PVH note and verifies
// the result.
func postLink(linked string) (img []byte, entry uint32, err error) {
	elf, err := os.ReadFile(linked)
	if err != nil {
		return nil, 0, err
	}
	img, err = RewritePVHNote(elf)
	if err != nil {
		return nil, 0, err
	}
	entry, err = Verify(img)
	if err != nil {
		return nil, 0, fmt.Errorf("the rewritten image fails verification: %w", err)
	}
	return img, entry, nil
}
