package tmpfs

import (
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// TestMkfifo: a FIFO keeps its type and permissions, is listed as one,
// refuses data operations, takes no page beyond its inode's, and goes
// when unlinked.
func TestMkfifo(t *testing.T) {
	fs, pages := newFS(t, 100)
	base := pages.Count
	ino, e := fs.Mkfifo(RootIno, []byte("fifo"), 0o7640, 7)
	if e != 0 {
		t.Fatal(e)
	}
	a := fs.Getattr(ino)
	if a.Mode != linux.S_IFIFO|0o7640 || a.Rdev != 0 || a.Size != 0 || a.Blocks != 0 || a.Nlink != 1 || a.Mtime != 7 {
		t.Fatalf("attributes %+v", a)
	}
	if _, e := fs.Mkfifo(RootIno, []byte("fifo"), 0o600, 8); e != linux.EEXIST {
		t.Errorf("mkfifo over a name: errno %d, want EEXIST", e)
	}
	checkSpecialNode(t, fs, ino, linux.S_IFIFO|0o7640)
	if n, e := fs.Lookup(fs.Root(), []byte("fifo")); e != 0 || n.Ino != ino || fs.Kind(n) != 0 {
		t.Errorf("lookup: %v errno %d kind %d", n, e, fs.Kind(n))
	}
	if pages.Count-base > 1 {
		t.Errorf("a FIFO took %d pages", pages.Count-base)
	}
	if e := fs.Unlink(RootIno, []byte("fifo"), 9); e != 0 || fs.Inodes() != 1 {
		t.Errorf("unlink: errno %d, %d inodes left", e, fs.Inodes())
	}
}
