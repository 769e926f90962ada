package tmpfs

import (
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

func TestMakeSocket(t *testing.T) {
	fs, _ := newFS(t, 100)
	ino, e := fs.MakeSocket(RootIno, []byte("sock"), 0o755, 5)
	if e != 0 {
		t.Fatal(e)
	}
	if a := fs.Getattr(ino); a.Mode != linux.S_IFSOCK|0o755 || a.Size != 0 || a.Nlink != 1 || a.Ctime != 5 {
		t.Fatalf("attributes %+v", a)
	}
	if _, e := fs.MakeSocket(RootIno, []byte("sock"), 0o755, 6); e != linux.EEXIST {
		t.Errorf("over a name: errno %d, want EEXIST", e)
	}
	if _, e := fs.Read(ino, 0, make([]byte, 1)); e != linux.EINVAL {
		t.Errorf("read: errno %d, want EINVAL", e)
	}
	if e := fs.Unlink(RootIno, []byte("sock"), 7); e != 0 {
		t.Errorf("unlink: errno %d", e)
	}
	if fs.Inodes() != 1 {
		t.Errorf("%d inodes left, want the root alone", fs.Inodes())
	}
}
