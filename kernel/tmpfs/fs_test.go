package tmpfs

import (
	"bytes"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

func newFS(t *testing.T, limit int) (*FS, *fakePages) {
	t.Helper()
	pages := newFakePages(t, limit)
	fs := new(FS)
	if e := fs.Init(pages, 1, 0o1777, 0); e != 0 {
		t.Fatal(e)
	}
	return fs, pages
}

// TestFullIsENOSPC fills a small file system: every refusal is ENOSPC,
// what was written before it reads back, and removing everything gives
// every page back.
func TestFullIsENOSPC(t *testing.T) {
	fs, pages := newFS(t, 64)
	base := pages.Count
	file, e := fs.Create(RootIno, []byte("big"), 0o644, 1)
	if e != 0 {
		t.Fatal(e)
	}
	data := bytes.Repeat([]byte("0123456789abcdef"), 64*PageSize/16)
	n, e := fs.Write(file, 0, data, 2)
	if e != 0 || n == 0 || n >= len(data) {
		t.Fatalf("write of %d bytes into 64 pages: %d, errno %d; want a short write", len(data), n, e)
	}
	if n2, e := fs.Write(file, int64(n), data[:PageSize], 3); n2 != 0 || e != linux.ENOSPC {
		t.Fatalf("write when full: %d, errno %d; want ENOSPC", n2, e)
	}
	back := make([]byte, n)
	if got, _ := fs.Read(file, 0, back); got != n || !bytes.Equal(back, data[:n]) {
		t.Fatal("what was written before the file system filled does not read back")
	}
	if fs.Getattr(file).Size != int64(n) {
		t.Errorf("size %d after a short write of %d", fs.Getattr(file).Size, n)
	}
	// Names: fill the root directory until a page is needed.
	var made int
	for i := 0; ; i++ {
		name := []byte{'f', byte('a' + i%26), byte('a' + i/26%26), byte('a' + i/676%26)}
		if _, e := fs.Create(RootIno, name, 0o644, 4); e != 0 {
			if e != linux.ENOSPC {
				t.Fatalf("create when full: errno %d, want ENOSPC", e)
			}
			break
		}
		made++
	}
	if _, e := fs.Mkdir(RootIno, []byte("dir"), 0o755, 5); e != linux.ENOSPC {
		t.Fatalf("mkdir when full: errno %d, want ENOSPC", e)
	}
	if _, e := fs.Symlink(RootIno, []byte("sym"), []byte("big"), 5); e != linux.ENOSPC {
		t.Fatalf("symlink when full: errno %d, want ENOSPC", e)
	}
	// Empty it: every page but the inode table's and the root's
	// directory pages comes back.
	var names [][]byte
	fs.ReadDir(RootIno, 0, func(_ Ino, name []byte, _ uint32, _ uint64) bool {
		names = append(names, append([]byte(nil), name...))
		return true
	})
	if len(names) != made+1 {
		t.Fatalf("%d entries, want %d", len(names), made+1)
	}
	for _, name := range names {
		if e := fs.Unlink(RootIno, name, 6); e != 0 {
			t.Fatalf("unlink %s: %d", name, e)
		}
	}
	if fs.Inodes() != 1 {
		t.Errorf("%d inodes left, want the root", fs.Inodes())
	}
	if held := pages.Count - base; held > 1 {
		t.Errorf("%d pages still held beyond the root directory's", held)
	}
}

// TestUnlinkedWhileOpen: the data of an open file outlives its name.
func TestUnlinkedWhileOpen(t *testing.T) {
	fs, pages := newFS(t, 100)
	base := pages.Count
	ino, _ := fs.Create(RootIno, []byte("f"), 0o644, 1)
	fs.Write(ino, 0, []byte("still here"), 1)
	fs.Open(ino)
	if e := fs.Unlink(RootIno, []byte("f"), 2); e != 0 {
		t.Fatal(e)
	}
	b := make([]byte, 10)
	if n, _ := fs.Read(ino, 0, b); string(b[:n]) != "still here" {
		t.Fatalf("read after unlink: %q", b[:n])
	}
	if fs.Getattr(ino).Nlink != 0 {
		t.Error("nlink after unlink is not 0")
	}
	fs.Close(ino)
	if fs.Inodes() != 1 || pages.Count-base > 1 {
		t.Errorf("after the last close: %d inodes, %d pages beyond the start", fs.Inodes(), pages.Count-base)
	}
}

// TestSparseAndTruncate: holes read as zeros, truncation frees pages and
// zeroes what a later extension exposes.
func TestSparseAndTruncate(t *testing.T) {
	fs, _ := newFS(t, 1000)
	ino, _ := fs.Create(RootIno, []byte("f"), 0o644, 1)
	far := int64(fanout*PageSize + 3)
	fs.Write(ino, far, []byte("end"), 1)
	a := fs.Getattr(ino)
	if a.Size != far+3 || a.Blocks != PageSize/512 {
		t.Fatalf("sparse file: size %d blocks %d; want %d and one page", a.Size, a.Blocks, far+3)
	}
	b := make([]byte, 8)
	if n, _ := fs.Read(ino, far-5, b); n != 8 || !bytes.Equal(b, []byte("\x00\x00\x00\x00\x00end")) {
		t.Fatalf("read across the hole: %q", b[:n])
	}
	fs.Write(ino, 0, bytes.Repeat([]byte{'x'}, 3*PageSize), 2)
	fs.Truncate(ino, 10, 3)
	if a := fs.Getattr(ino); a.Size != 10 || a.Blocks != PageSize/512 {
		t.Fatalf("after truncate to 10: size %d blocks %d", a.Size, a.Blocks)
	}
	fs.Truncate(ino, 2*PageSize, 4)
	b = make([]byte, 2*PageSize)
	n, _ := fs.Read(ino, 0, b)
	if n != 2*PageSize || !bytes.Equal(b[:10], bytes.Repeat([]byte{'x'}, 10)) || bytes.ContainsRune(b[10:], 'x') {
		t.Fatal("extending after a truncate shows old data")
	}
	if e := fs.Truncate(ino, MaxFileSize+1, 5); e != linux.EFBIG {
		t.Errorf("truncate past MaxFileSize: errno %d, want EFBIG", e)
	}
}

// TestNoAllocation: the operations run in trap context.
func TestNoAllocation(t *testing.T) {
	fs, _ := newFS(t, 1000)
	dir, _ := fs.Mkdir(RootIno, []byte("d"), 0o755, 1)
	buf := make([]byte, 100)
	name := []byte("file")
	if n := testing.AllocsPerRun(50, func() {
		ino, e := fs.Create(dir, name, 0o644, 2)
		if e != 0 {
			t.Fatal(e)
		}
		fs.Write(ino, 5000, buf, 3)
		fs.Read(ino, 4990, buf)
		fs.Rename(dir, name, RootIno, name, 0, 4)
		fs.ReadDir(RootIno, 0, func(Ino, []byte, uint32, uint64) bool { return true })
		fs.Unlink(RootIno, name, 5)
	}); n != 0 {
		t.Errorf("%v allocations per round", n)
	}
}
