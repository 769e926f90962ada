package integration

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// makeFilesTree writes, under dir, the tree the --files tests pack:
// nested directories with different modes, an executable, a symbolic
// link, a file of about 100 KiB and a file of no bytes, with fixed
// modification times.
func makeFilesTree(t *testing.T, dir string) {
	t.Helper()
	big := bytes.Repeat([]byte("0123456789abcdef coracle files\n"), 100<<10/31)
	files := []struct {
		name string
		perm os.FileMode
		data []byte
	}{
		{"etc/app.conf", 0o644, []byte("listen=:8080\n")},
		{"bin/run.sh", 0o755, []byte("#!/bin/sh\necho hi\n")},
		{"sub/deeper/still/big.bin", 0o600, big},
		{"sub/empty", 0o640, nil},
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.data, f.perm); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, f.perm); err != nil { // past the umask
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(dir, "sub/deeper"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../etc/app.conf", filepath.Join(dir, "bin/conf")); err != nil {
		t.Fatal(err)
	}
	// Fixed times, deepest first, so that no later change moves them.
	when := time.Unix(1_700_000_000, 0)
	var paths []string
	filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
		paths = append(paths, p)
		return err
	})
	for i := len(paths) - 1; i >= 0; i-- {
		if fi, err := os.Lstat(paths[i]); err == nil && fi.Mode()&os.ModeSymlink == 0 {
			os.Chtimes(paths[i], when, when.Add(time.Duration(i)*time.Hour))
		}
	}
}

// Files packed with --files DIR:/srv are in the guest under /srv as they
// are on the host: testdata/filesprobe walks them in the guest and on
// the host and prints the same lines. The guest can write beside them.
func TestFilesPackaged(t *testing.T) {
	tree := filepath.Join(t.TempDir(), "tree")
	makeFilesTree(t, tree)
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", "--files", tree+":/srv",
		"./tools/integration/testdata/filesprobe", "--", "/srv")
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	sameLines(t, "filesprobe:", res.stdout, runNative(t, "filesprobe", tree), 12)
}

// Without GUESTDIR the tree lands at the root: DIR/app/x is /app/x,
// beside /tmp, which stays.
func TestFilesPackagedAtRoot(t *testing.T) {
	tree := filepath.Join(t.TempDir(), "tree")
	makeFilesTree(t, filepath.Join(tree, "app"))
	img := filepath.Join(t.TempDir(), "filesprobe.img")
	if res := coracle(t, "build", "-o", img, "--files", tree, "./tools/integration/testdata/filesprobe"); res.err != nil || res.status != 0 {
		t.Fatalf("build: %s", res)
	}
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", img, "--", "/app")
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	sameLines(t, "filesprobe:", res.stdout, runNative(t, "filesprobe", filepath.Join(tree, "app")), 12)
	if res := coracle(t, "run", "--files", tree, img); res.status != 2 && !strings.Contains(res.stderr, "--files needs a package") {
		t.Errorf("run --files IMAGE: want the error that --files needs a package\n%s", res)
	}
}

// Files that do not fit in the guest's memory stop the boot with exit
// status 120 and a line that says so and names the fix, not a fault.
func TestFilesPackagedTooBig(t *testing.T) {
	tree := t.TempDir()
	// Incompressible bytes, 20 MB: with the image's own copy, more than
	// a 32 MiB guest holds.
	blob := make([]byte, 20_000_000)
	for i, x := 0, uint32(1); i < len(blob); i++ {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		blob[i] = byte(x)
	}
	if err := os.WriteFile(filepath.Join(tree, "blob"), blob, 0o644); err != nil {
		t.Fatal(err)
	}
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", "-m", "32", "--files", tree,
		"./tools/integration/testdata/filesprobe", "--", "/")
	want := "coracle: boot failed: cannot unpack /blob: the program's files (20000240 bytes) do not fit in memory: give the guest more memory with coracle run -m\n"
	if res.status != 120 || !strings.Contains(res.stdout, want) {
		t.Errorf("want exit status 120 and %q\n%s", want, res)
	}
}
