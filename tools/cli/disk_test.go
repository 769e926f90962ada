package cli

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/tools/disk"
)

func TestParseDisk(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want DiskArgs
	}{
		{[]string{"--size", "64M", "d.img"}, DiskArgs{Size: 64 << 20, File: "d.img"}},
		{[]string{"-size=1G", "--from", "tree", "--label", "data", "--force", "/tmp/a b.img"},
			DiskArgs{Size: 1 << 30, From: "tree", Label: "data", Force: true, File: "/tmp/a b.img"}},
		{[]string{"--size", "8388608", "--", "-odd.img"}, DiskArgs{Size: 8 << 20, File: "-odd.img"}},
	} {
		inv, err := Parse(append([]string{"disk", "create"}, tt.args...))
		if err != nil {
			t.Errorf("Parse(disk create %q): %v", tt.args, err)
			continue
		}
		if inv.Command != "disk create" || !reflect.DeepEqual(inv.Disk, tt.want) {
			t.Errorf("Parse(disk create %q) = %s %+v, want disk create %+v", tt.args, inv.Command, inv.Disk, tt.want)
		}
	}
}

func TestParseDiskErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"disk"}, "disk: missing subcommand"},
		{[]string{"disk", "make"}, `unknown subcommand "make": use create`},
		{[]string{"disk", "create"}, "missing FILE"},
		{[]string{"disk", "create", "d.img"}, "missing --size SIZE"},
		{[]string{"disk", "create", "--size", "1G"}, "missing FILE"},
		{[]string{"disk", "create", "--size", "1G", "a.img", "b.img"}, `unexpected "b.img" after a.img`},
		{[]string{"disk", "create", "--size", "1G", "a.img", "--force"}, `unexpected "--force" after a.img: put flags before FILE`},
		{[]string{"disk", "create", "--size", "1.5G", "a.img"}, `unknown unit ".5G"`},
		{[]string{"disk", "create", "--size", "100MB", "a.img"}, "binary multiples"},
		{[]string{"disk", "create", "--size", "4M", "a.img"}, "below the minimum of 8 MiB"},
		{[]string{"disk", "create", "--size", "0", "a.img"}, "below the minimum of 8 MiB"},
		{[]string{"disk", "create", "--size", "8388609", "a.img"}, "not a multiple of the 4096-byte block"},
		{[]string{"disk", "create", "--size", "1G", "--label", "a-label-too-long!", "a.img"}, "at most 16"},
		{[]string{"disk", "create", "--size", "1G", "--from", "a.img"}, "missing FILE"},
		{[]string{"disk", "create", "-m", "64", "a.img"}, "flag provided but not defined: -m"},
	} {
		_, err := Parse(tt.args)
		var usageErr *UsageError
		if !errors.As(err, &usageErr) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want a usage error containing %q", tt.args, err, tt.want)
		}
	}
	for _, args := range [][]string{{"disk", "help"}, {"disk", "create", "-h"}} {
		if _, err := Parse(args); !errors.Is(err, flag.ErrHelp) {
			t.Errorf("Parse(%q) = %v, want flag.ErrHelp", args, err)
		}
	}
}

func TestDiskCreate(t *testing.T) {
	for _, name := range []string{"mkfs.ext4", "e2fsck", "dumpe2fs"} {
		if _, err := disk.LookPath(name); err != nil {
			t.Skip(err)
		}
	}
	dir, tree := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(tree, "greeting"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(dir, "disk.img")
	status, stdout, stderr := runMain(t, "disk", "create", "--size", "32M", "--from", tree, img)
	if status != 0 || stdout != "" || stderr != "coracle: wrote "+img+": 32 MiB ext4, checked with e2fsck -fn\n" {
		t.Fatalf("disk create: status %d, stdout %q, stderr %q", status, stdout, stderr)
	}
	if fi, err := os.Stat(img); err != nil || fi.Size() != 32<<20 {
		t.Fatalf("%s: %v, %v; want 32 MiB", img, fi, err)
	}
	if err := disk.Verify(t.Context(), img); err != nil {
		t.Error(err)
	}

	// Mistakes about files show after the command line is parsed: exit 1.
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--size", "32M", img}, img + " exists: choose another name, or add --force to replace it"},
		{[]string{"--size", "32M", "--from", "disk.go", filepath.Join(dir, "x.img")}, "--from disk.go is not a directory"},
		{[]string{"--size", "32M", filepath.Join(dir, "no-dir", "x.img")}, "no-dir"},
	} {
		status, _, stderr := runMain(t, append([]string{"disk", "create"}, tt.args...)...)
		if status != 1 || !strings.HasPrefix(stderr, "coracle: ") || !strings.Contains(stderr, tt.want) {
			t.Errorf("disk create %q: status %d, stderr %q; want 1 and %q", tt.args, status, stderr, tt.want)
		}
	}
}
