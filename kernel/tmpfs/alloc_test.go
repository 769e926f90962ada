package tmpfs

import (
	"bytes"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// TestAllocate: fallocate's mode 0 grows the file and holds its pages,
// KEEP_SIZE holds pages past the end without growing it, a range that
// does not fit is refused whole, and removing the file gives every page
// back, those past its size too.
func TestAllocate(t *testing.T) {
	fs, pages := newFS(t, 64)
	ino, _ := fs.Create(RootIno, []byte("f"), 0o644, 1)
	base := pages.Count
	if e := fs.Allocate(ino, 100, 3*PageSize, false, 1000, 2); e != 0 {
		t.Fatal(e)
	}
	a := fs.Getattr(ino)
	if a.Size != 100+3*PageSize || a.Blocks != 4*PageSize/512 {
		t.Errorf("after allocating 3 pages at 100: size %d blocks %d; want %d and %d", a.Size, a.Blocks, 100+3*PageSize, 4*PageSize/512)
	}
	if e := fs.Allocate(ino, 8*PageSize, PageSize, true, 1000, 3); e != 0 {
		t.Fatal(e)
	}
	if a := fs.Getattr(ino); a.Size != 100+3*PageSize || a.Blocks != 5*PageSize/512 {
		t.Errorf("KEEP_SIZE past the end: size %d blocks %d", a.Size, a.Blocks)
	}
	before := pages.Count
	if e := fs.Allocate(ino, 0, 200*PageSize, false, 100, 4); e != linux.ENOSPC {
		t.Errorf("allocating more than there is: errno %d, want ENOSPC", e)
	}
	if pages.Count != before || fs.Getattr(ino).Size != 100+3*PageSize {
		t.Error("a refused Allocate changed the file")
	}
	if e := fs.Allocate(ino, MaxFileSize-1, 2, false, 1000, 5); e != linux.EFBIG {
		t.Errorf("past the largest file: errno %d, want EFBIG", e)
	}
	if e := fs.Allocate(ino, 0, 0, false, 1000, 5); e != linux.EINVAL {
		t.Errorf("length 0: errno %d, want EINVAL", e)
	}
	if e := fs.Allocate(RootIno, 0, 1, false, 1000, 5); e != linux.EISDIR {
		t.Errorf("a directory: errno %d, want EISDIR", e)
	}
	// Truncating to 0 frees the pages past the size as well.
	if e := fs.Truncate(ino, 0, 6); e != 0 || fs.Getattr(ino).Blocks != 0 {
		t.Errorf("truncate to 0: errno %d, blocks %d", e, fs.Getattr(ino).Blocks)
	}
	fs.Allocate(ino, 0, 10, true, 1000, 7)
	if e := fs.Unlink(RootIno, []byte("f"), 8); e != 0 {
		t.Fatal(e)
	}
	if pages.Count != base {
		t.Errorf("%d pages held after removing the file, want %d", pages.Count, base)
	}
}

// TestPunchHole zeroes a range across pages: partial pages are cleared,
// whole ones given back, the size kept.
func TestPunchHole(t *testing.T) {
	fs, _ := newFS(t, 64)
	ino, _ := fs.Create(RootIno, []byte("f"), 0o644, 1)
	data := bytes.Repeat([]byte{0xaa}, 5*PageSize)
	if n, e := fs.Write(ino, 0, data, 2); n != len(data) || e != 0 {
		t.Fatal(n, e)
	}
	for _, c := range []struct {
		off, n int64
		blocks int64
	}{
		{10, 20, 5},                        // inside one page
		{PageSize - 5, PageSize + 10, 4},   // over three pages, the middle one whole
		{PageSize, 2 * PageSize, 3},        // two whole pages
		{4*PageSize + 1, 10 * PageSize, 3}, // past the end
		{0, 100 * PageSize, 0},             // everything
	} {
		if e := fs.PunchHole(ino, c.off, c.n, 3); e != 0 {
			t.Fatal(e)
		}
		for i := c.off; i < min(c.off+c.n, int64(len(data))); i++ {
			data[i] = 0
		}
		got := make([]byte, len(data))
		fs.Read(ino, 0, got)
		if !bytes.Equal(got, data) {
			t.Errorf("punch %d+%d: contents differ", c.off, c.n)
		}
		if a := fs.Getattr(ino); a.Size != 5*PageSize || a.Blocks != c.blocks*PageSize/512 {
			t.Errorf("punch %d+%d: size %d blocks %d, want %d blocks", c.off, c.n, a.Size, a.Blocks/(PageSize/512), c.blocks)
		}
	}
}

// TestCreateUnnamed: an O_TMPFILE file has no link, can be linked once
// when linkable, never otherwise, and goes with its last opener.
func TestCreateUnnamed(t *testing.T) {
	fs, pages := newFS(t, 64)
	fs.Create(RootIno, []byte("file"), 0o644, 1) // the directory's page
	base := pages.Count
	ino, e := fs.CreateUnnamed(RootIno, 0o600, true, 1)
	if e != 0 {
		t.Fatal(e)
	}
	fs.Open(ino)
	if a := fs.Getattr(ino); a.Nlink != 0 || a.Mode != linux.S_IFREG|0o600 {
		t.Errorf("unnamed file: nlink %d mode %o", a.Nlink, a.Mode)
	}
	if e := fs.Link(ino, RootIno, []byte("named"), 2); e != 0 {
		t.Fatalf("linking a linkable unnamed file: errno %d", e)
	}
	fs.Unlink(RootIno, []byte("named"), 3)
	if e := fs.Link(ino, RootIno, []byte("again"), 4); e != linux.ENOENT {
		t.Errorf("linking it again after its link went: errno %d, want ENOENT", e)
	}
	fs.Close(ino)
	excl, _ := fs.CreateUnnamed(RootIno, 0o600, false, 5)
	fs.Open(excl)
	if e := fs.Link(excl, RootIno, []byte("x"), 6); e != linux.ENOENT {
		t.Errorf("linking an O_EXCL unnamed file: errno %d, want ENOENT", e)
	}
	fs.Close(excl)
	if pages.Count != base || fs.Inodes() != 2 {
		t.Errorf("after closing: %d pages (want %d), %d inodes", pages.Count, base, fs.Inodes())
	}
	f, _ := fs.Lookup(fs.Root(), []byte("file"))
	if _, e := fs.CreateUnnamed(f.Ino, 0o600, true, 8); e != linux.ENOTDIR {
		t.Errorf("in a file: errno %d, want ENOTDIR", e)
	}
}
