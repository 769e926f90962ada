package image

import (
	"os"
	"path/filepath"
	"testing"
)

// A module without a go.mod (older than modules) gets the one the go
// command would synthesize; one with its own keeps it.
func TestEnsureGoMod(t *testing.T) {
	old, own := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(own, "go.mod"), []byte("module example.com/own\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]string{old: "module example.com/old\n", own: "module example.com/own\n\ngo 1.22\n"} {
		path := "example.com/old"
		if dir == own {
			path = "example.com/own"
		}
		if err := ensureGoMod(dir, path); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err != nil || string(got) != want {
			t.Errorf("go.mod of %s = %q, %v; want %q", path, got, err, want)
		}
	}
}

func TestIsNet(t *testing.T) {
	for dep, want := range map[string]bool{"net": true, "net [os.test]": true, "net/http": false, "netip": false, "net/netip [os.test]": false} {
		if got := isNet(dep); got != want {
			t.Errorf("isNet(%q) = %v, want %v", dep, got, want)
		}
	}
}
