package tmpfs

import (
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// Chown keeps what NoID names, sets the rest, clears the set-ID bits of
// all but directories as Linux's chown does for root, and sets the
// change time; a freed and reused inode starts as root's again.
func TestChown(t *testing.T) {
	fs, _ := newFS(t, 100)
	ino, e := fs.Create(RootIno, []byte("f"), 0o644, 1)
	if e != 0 {
		t.Fatal(e)
	}
	check := func(what string, uid, gid, perm uint32) {
		t.Helper()
		a := fs.Getattr(ino)
		if a.Uid != uid || a.Gid != gid || a.Mode&0o7777 != perm {
			t.Errorf("%s: %d:%d %#o, want %d:%d %#o", what, a.Uid, a.Gid, a.Mode&0o7777, uid, gid, perm)
		}
	}
	check("new", 0, 0, 0o644)
	fs.Chown(ino, 1000, 2000, 5)
	check("chown", 1000, 2000, 0o644)
	if fs.Getattr(ino).Ctime != 5 {
		t.Error("chown did not set the change time")
	}
	fs.Chown(ino, NoID, 3000, 6)
	check("keep uid", 1000, 3000, 0o644)
	fs.Chown(ino, 7, NoID, 6)
	check("keep gid", 7, 3000, 0o644)
	for _, c := range []struct{ before, after uint32 }{
		{0o4755, 0o755}, {0o2755, 0o755}, {0o2745, 0o2745}, {0o6777, 0o777}, {0o1755, 0o1755},
	} {
		fs.Chmod(ino, c.before, 7)
		fs.Chown(ino, NoID, NoID, 8)
		check("set-ID bits", 7, 3000, c.after)
	}
	dir, e := fs.Mkdir(RootIno, []byte("d"), 0o6755, 1)
	if e != 0 {
		t.Fatal(e)
	}
	fs.Chown(dir, 1, 2, 9)
	if a := fs.Getattr(dir); a.Mode&0o7777 != 0o6755 || a.Uid != 1 || a.Mode&linux.S_IFMT != linux.S_IFDIR {
		t.Errorf("directory: %+v", a)
	}
	if e := fs.Unlink(RootIno, []byte("f"), 10); e != 0 {
		t.Fatal(e)
	}
	again, e := fs.Create(RootIno, []byte("g"), 0o644, 11)
	if e != 0 {
		t.Fatal(e)
	}
	if a := fs.Getattr(again); again != ino || a.Uid != 0 || a.Gid != 0 {
		t.Errorf("reused inode %d (was %d) is %d:%d", again, ino, a.Uid, a.Gid)
	}
}
