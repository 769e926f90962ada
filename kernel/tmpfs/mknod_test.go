package tmpfs

import (
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// TestMknod: a character device node keeps its type, permissions and
// number, refuses data operations, links, renames and unlinks like any
// file, and takes no page beyond its inode's.
func TestMknod(t *testing.T) {
	fs, pages := newFS(t, 100)
	base := pages.Count
	const rdev = 1<<8 | 3
	ino, e := fs.Mknod(RootIno, []byte("null"), 0o7666, rdev, 7)
	if e != 0 {
		t.Fatal(e)
	}
	a := fs.Getattr(ino)
	if a.Mode != linux.S_IFCHR|0o7666 || a.Rdev != rdev || a.Size != 0 || a.Blocks != 0 || a.Nlink != 1 || a.Mtime != 7 {
		t.Fatalf("attributes %+v", a)
	}
	if _, e := fs.Mknod(RootIno, []byte("null"), 0o666, rdev, 8); e != linux.EEXIST {
		t.Errorf("mknod over a name: errno %d, want EEXIST", e)
	}
	checkSpecialNode(t, fs, ino, linux.S_IFCHR|0o7666)
	if e := fs.Link(ino, RootIno, []byte("null2"), 9); e != 0 || fs.Getattr(ino).Nlink != 2 {
		t.Fatalf("link: errno %d nlink %d", e, fs.Getattr(ino).Nlink)
	}
	if e := fs.Rename(RootIno, []byte("null2"), RootIno, []byte("n"), 0, 10); e != 0 {
		t.Fatal(e)
	}
	fs.Chmod(ino, 0o600, 11)
	if a := fs.Getattr(ino); a.Mode != linux.S_IFCHR|0o600 || a.Rdev != rdev {
		t.Errorf("after chmod: mode %o rdev %#x", a.Mode, a.Rdev)
	}
	fs.Unlink(RootIno, []byte("null"), 12)
	fs.Unlink(RootIno, []byte("n"), 12)
	if fs.Inodes() != 1 || pages.Count-base > 1 {
		t.Errorf("after removal: %d inodes, %d pages beyond the start", fs.Inodes(), pages.Count-base)
	}
	// A freed device inode reused as a file must not keep the number.
	f, _ := fs.Create(RootIno, []byte("f"), 0o644, 13)
	if a := fs.Getattr(f); a.Rdev != 0 || a.Size != 0 {
		t.Errorf("a new file after a device: rdev %#x size %d", a.Rdev, a.Size)
	}
}
