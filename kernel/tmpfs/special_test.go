package tmpfs

import (
	"fmt"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// checkSpecialNode fails t unless ino behaves as every node without
// data (a FIFO, a device node) does (specialNodeProblems).
func checkSpecialNode(t *testing.T, fs *FS, ino Ino, mode uint32) {
	t.Helper()
	for _, p := range specialNodeProblems(fs, ino, mode) {
		t.Error(p)
	}
}

// specialNodeProblems returns how ino differs from a node without data
// listed with mode: read, write and truncate must refuse it with EINVAL,
// and the root directory must list it with mode.
func specialNodeProblems(fs *FS, ino Ino, mode uint32) []string {
	var out []string
	if _, e := fs.Read(ino, 0, make([]byte, 4)); e != linux.EINVAL {
		out = append(out, fmt.Sprintf("read: errno %d, want EINVAL", e))
	}
	if _, e := fs.Write(ino, 0, []byte("x"), 8); e != linux.EINVAL {
		out = append(out, fmt.Sprintf("write: errno %d, want EINVAL", e))
	}
	if e := fs.Truncate(ino, 0, 8); e != linux.EINVAL {
		out = append(out, fmt.Sprintf("truncate: errno %d, want EINVAL", e))
	}
	if got := listedMode(fs, RootIno, ino); got != mode {
		out = append(out, fmt.Sprintf("readdir mode %o, want %o", got, mode))
	}
	return out
}

// listedMode returns the mode dir's listing gives ino, 0 if it lists it
// not at all.
func listedMode(fs *FS, dir, ino Ino) uint32 {
	seen := uint32(0)
	fs.ReadDir(dir, 0, func(child Ino, name []byte, mode uint32, _ uint64) bool {
		if child == ino {
			seen = mode
		}
		return true
	})
	return seen
}

// The helpers fail where they should: a regular file is listed with its
// own mode and takes data, and an unlinked node is listed nowhere.
func TestSpecialNodeHelpers(t *testing.T) {
	fs, _ := newFS(t, 100)
	f, e := fs.Create(RootIno, []byte("f"), 0o644, 1)
	if e != 0 {
		t.Fatal(e)
	}
	if m := listedMode(fs, RootIno, f); m != linux.S_IFREG|0o644 {
		t.Errorf("a file listed with mode %o", m)
	}
	if p := specialNodeProblems(fs, f, linux.S_IFREG|0o644); len(p) != 3 {
		t.Errorf("a regular file: problems %q, want read, write and truncate", p)
	}
	if p := specialNodeProblems(fs, f, linux.S_IFIFO|0o644); len(p) != 4 {
		t.Errorf("a regular file as a FIFO: problems %q, want four", p)
	}
	fs.Unlink(RootIno, []byte("f"), 2)
	if m := listedMode(fs, RootIno, f); m != 0 {
		t.Errorf("an unlinked file listed with mode %o", m)
	}
}
