package disks

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/shares"
)

// TestCreateThroughLinks: open with O_CREAT through symbolic links on a
// disk does what the host's kernel does on a copy of the same tree: a
// dangling link's target is made (also through a chain of links and an
// absolute link inside the disk), O_EXCL and O_NOFOLLOW refuse the link
// (EEXIST, ELOOP), and a target with a trailing slash is EISDIR.
func TestCreateThroughLinks(t *testing.T) {
	mkTree := func(root, mount string) {
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(os.MkdirAll(filepath.Join(root, "d"), 0o755))
		for name, target := range map[string]string{
			"dang":     "made",
			"dangd":    "d/made2",
			"chain":    "d/back",
			"d/back":   "../made3",
			"abs":      mount + "/d/made4",
			"nodir":    "missing/x",
			"slash":    "made5/",
			"excl":     "made6",
			"nofollow": "made7",
			"loop":     "loop",
		} {
			must(os.Symlink(target, filepath.Join(root, name)))
		}
	}
	tree := t.TempDir()
	mkTree(tree, "/mnt/d")
	s, _ := testDisk(t, tree, false)
	host := t.TempDir()
	mkTree(host, host)

	for _, c := range []struct {
		path  string
		flags uint32
		made  string // the file that must exist afterwards
	}{
		{"dang", 0, "made"},
		{"dangd", 0, "d/made2"},
		{"chain", 0, "made3"},
		{"abs", 0, "d/made4"},
		{"nodir", 0, ""},
		{"slash", 0, ""},
		{"excl", linux.O_EXCL, ""},
		{"nofollow", linux.O_NOFOLLOW, ""},
		{"loop", 0, ""},
		{"dang", 0, "made"}, // now there: opened, not made again
	} {
		flags := linux.O_CREAT | linux.O_WRONLY | c.flags
		f, err := os.OpenFile(filepath.Join(host, c.path), int(flags), 0o644)
		var want syscall.Errno
		if err != nil {
			if !errors.As(err, &want) {
				t.Fatal(err)
			}
		} else {
			f.Close()
		}
		r := pathReq(shares.OpOpen, shares.Root, c.path, flags)
		r.Mode = 0o644
		_, got := call(s, r)
		if got != want {
			t.Errorf("open %q flags %#x: errno %v, the host says %v", c.path, c.flags, got, want)
		}
		if c.made == "" {
			continue
		}
		if _, e := call(s, pathReq(shares.OpStat, shares.Root, c.made, linux.AT_SYMLINK_NOFOLLOW)); e != 0 {
			t.Errorf("after open %q: stat %s: %v", c.path, c.made, e)
		}
	}
	for _, name := range []string{"made5", "made6", "made7"} {
		if _, e := call(s, pathReq(shares.OpStat, shares.Root, name, 0)); e != syscall.ENOENT {
			t.Errorf("%s: errno %v, want ENOENT (nothing made)", name, e)
		}
	}
}
