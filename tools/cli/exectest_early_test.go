package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/kernel/cpio"
)

// earlyNames returns the names in the newc archive at path, and the
// total size of its files.
func earlyNames(t *testing.T, path string) ([]string, int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	total := 0
	r := cpio.NewReader(b)
	for {
		ent, e := r.Next()
		if e == cpio.End {
			return names, total
		}
		if e != 0 {
			t.Fatalf("malformed archive: %s", e.String())
		}
		names = append(names, string(ent.Name))
		total += len(ent.Data)
	}
}

func writeFile(t *testing.T, path string, size int) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestEarlyFiles: the early copy holds the package directory at its own
// path with its testdata, leaves out other modules, hidden directories
// and files over earlyFileMax, stops at earlyTotalMax, and adds
// $GOROOT/lib/time for a package of the standard library only.
func TestEarlyFiles(t *testing.T) {
	root := t.TempDir()
	pkg := filepath.Join(root, "mod", "pkg")
	writeFile(t, filepath.Join(pkg, "pkg_test.go"), 10)
	writeFile(t, filepath.Join(pkg, "testdata", "small.txt"), 100)
	writeFile(t, filepath.Join(pkg, "testdata", "big.bin"), earlyFileMax+1)
	writeFile(t, filepath.Join(pkg, ".git", "config"), 10)
	writeFile(t, filepath.Join(pkg, "nested", "go.mod"), 10)
	for i := range 10 {
		writeFile(t, filepath.Join(pkg, "testdata", "fill", string(rune('a'+i))+".bin"), earlyFileMax)
	}
	goroot := filepath.Join(root, "goroot")
	writeFile(t, filepath.Join(goroot, "lib", "time", "zoneinfo.zip"), 1000)
	writeFile(t, filepath.Join(goroot, "src", "time", "time_test.go"), 10)

	out := filepath.Join(root, "early.cpio")
	if err := writeEarlyFiles(out, pkg, goroot); err != nil {
		t.Fatal(err)
	}
	names, total := earlyNames(t, out)
	rel := strings.TrimPrefix(pkg, "/")
	for _, want := range []string{rel, rel + "/pkg_test.go", rel + "/testdata/small.txt"} {
		if !slices.Contains(names, want) {
			t.Errorf("the early copy lacks %s: %v", want, names)
		}
	}
	for _, name := range names {
		for _, bad := range []string{"big.bin", ".git", "nested", "zoneinfo"} {
			if strings.Contains(name, bad) {
				t.Errorf("the early copy holds %s", name)
			}
		}
	}
	if total > earlyTotalMax || total < earlyTotalMax-earlyFileMax {
		t.Errorf("the early copy holds %d bytes of files, want at most %d and near it", total, earlyTotalMax)
	}

	std := filepath.Join(goroot, "src", "time")
	if err := writeEarlyFiles(out, std, goroot); err != nil {
		t.Fatal(err)
	}
	names, _ = earlyNames(t, out)
	zone := strings.TrimPrefix(filepath.Join(goroot, "lib", "time", "zoneinfo.zip"), "/")
	if !slices.Contains(names, zone) {
		t.Errorf("the early copy of a standard package lacks %s: %v", zone, names)
	}
}
