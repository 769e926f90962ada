package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/coracle-os/coracle/tools/qemu"
)

// The module's root is shared, not only the package directory, so that
// tests reading ../testdata find it.
func TestModuleRoot(t *testing.T) {
	root := t.TempDir()
	pkg := filepath.Join(root, "mod", "sub", "pkg")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := moduleRoot(pkg); got != pkg {
		t.Errorf("moduleRoot without go.mod = %s, want the package directory %s", got, pkg)
	}
	if err := os.WriteFile(filepath.Join(root, "mod", "go.mod"), []byte("module m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, want := moduleRoot(pkg), filepath.Join(root, "mod"); got != want {
		t.Errorf("moduleRoot = %s, want %s", got, want)
	}
	got := testShares(nil, pkg, nil, nil)
	if want := []qemu.Share{{HostDir: filepath.Join(root, "mod"), GuestDir: filepath.Join(root, "mod")}}; !reflect.DeepEqual(got, want) {
		t.Errorf("testShares = %+v, want %+v", got, want)
	}
}

// GOROOT is added read-only; a share inside it gives way, one around it
// covers it.
func TestWithGOROOT(t *testing.T) {
	goroot := t.TempDir()
	std := filepath.Join(goroot, "src", "strings")
	if err := os.MkdirAll(std, 0o755); err != nil {
		t.Fatal(err)
	}
	out := qemu.Share{HostDir: "/tmp/out", GuestDir: "/tmp/out"}
	got := withGOROOT([]qemu.Share{{HostDir: std, GuestDir: std}, out}, goroot)
	want := []qemu.Share{out, {HostDir: goroot, GuestDir: goroot, ReadOnly: true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("withGOROOT = %+v, want %+v", got, want)
	}
	outer := []qemu.Share{{HostDir: filepath.Dir(goroot), GuestDir: filepath.Dir(goroot)}}
	if got := withGOROOT(outer, goroot); !reflect.DeepEqual(got, outer) {
		t.Errorf("withGOROOT under a shared directory = %+v, want %+v unchanged", got, outer)
	}
}
