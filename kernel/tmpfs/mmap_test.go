package tmpfs

import (
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// recordMapper records what Unmap is told and checks that the pages it
// names are still held when it is told.
type recordMapper struct {
	fs    *FS
	pages *fakePages
	calls []unmapCall
	pas   []uint64 // pages a mapping holds; Unmap must come first
}

type unmapCall struct {
	ino      Ino
	from, to int64
	truncate bool
}

func (m *recordMapper) Unmap(ino Ino, from, to int64, truncate bool) {
	m.calls = append(m.calls, unmapCall{ino, from, to, truncate})
	for _, pa := range m.pas {
		m.pages.Page(pa) // fails the test if already freed
	}
	m.pas = nil
}

// TestMapPage: a mapped page is the file's own (a write through it is
// read back), a hole is filled, and pages past the end, offsets that
// are not page offsets and files that are not regular are refused.
func TestMapPage(t *testing.T) {
	fs, pages := newFS(t, 64)
	ino, _ := fs.Create(RootIno, []byte("f"), 0o644, 1)
	fs.Write(ino, 0, []byte("hello"), 2)
	fs.Truncate(ino, 3*PageSize-1, 3)
	pa, e := fs.MapPage(ino, 0)
	if e != 0 {
		t.Fatal(e)
	}
	copy(pages.Page(pa)[:], "J")
	b := make([]byte, 5)
	fs.Read(ino, 0, b)
	if string(b) != "Jello" {
		t.Errorf("read %q after writing through the page", b)
	}
	blocks := fs.Getattr(ino).Blocks
	if _, e := fs.MapPage(ino, 2*PageSize); e != 0 {
		t.Errorf("the last, partial page: errno %d", e)
	}
	if fs.Getattr(ino).Blocks != blocks+PageSize/512 {
		t.Error("mapping a hole did not fill it")
	}
	for _, tc := range []struct {
		ino  Ino
		off  int64
		want linux.Errno
	}{
		{ino, 3 * PageSize, linux.ENXIO},
		{ino, 100, linux.EINVAL},
		{ino, -PageSize, linux.EINVAL},
		{RootIno, 0, linux.EINVAL},
	} {
		if _, e := fs.MapPage(tc.ino, tc.off); e != tc.want {
			t.Errorf("MapPage(%d, %d): errno %d, want %d", tc.ino, tc.off, e, tc.want)
		}
	}
}

// TestMapperTold: Truncate and PunchHole tell the Mapper which pages go
// before they free them.
func TestMapperTold(t *testing.T) {
	fs, pages := newFS(t, 64)
	m := &recordMapper{fs: fs, pages: pages}
	fs.SetMapper(m)
	ino, _ := fs.Create(RootIno, []byte("f"), 0o644, 1)
	fs.Write(ino, 0, make([]byte, 8*PageSize), 2)
	for off := int64(0); off < 8*PageSize; off += PageSize {
		pa, _ := fs.MapPage(ino, off)
		m.pas = append(m.pas, pa)
	}
	if e := fs.PunchHole(ino, PageSize+1, 3*PageSize, 3); e != 0 {
		t.Fatal(e)
	}
	// Pages 2 and 3 lie wholly inside [4097, 16385).
	if want := (unmapCall{ino, 2 * PageSize, 4 * PageSize, false}); len(m.calls) != 1 || m.calls[0] != want {
		t.Errorf("PunchHole told %+v, want %+v", m.calls, want)
	}
	m.calls = nil
	for off := int64(0); off < 8*PageSize; off += PageSize {
		if pa, e := fs.MapPage(ino, off); e == 0 {
			m.pas = append(m.pas, pa)
		}
	}
	fs.Truncate(ino, 5*PageSize-7, 4)
	if want := (unmapCall{ino, 5 * PageSize, MaxFileSize, true}); len(m.calls) != 1 || m.calls[0] != want {
		t.Errorf("Truncate told %+v, want %+v", m.calls, want)
	}
}
