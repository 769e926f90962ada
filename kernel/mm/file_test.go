package mm

import "testing"

// fakeFiles is Files over frames of the test's allocator: file f has
// size[f] bytes, and a page is made (zeroed) the first time it is asked
// for, as tmpfs fills a hole.
type fakeFiles struct {
	e     *env
	size  map[uint32]uint64
	pages map[[2]uint64]uint64 // (file, offset) -> frame
	asked int
}

func newFakeFiles(e *env) *fakeFiles {
	f := &fakeFiles{e: e, size: map[uint32]uint64{}, pages: map[[2]uint64]uint64{}}
	e.as.Files = f
	return f
}

func (f *fakeFiles) FilePage(file uint32, off uint64) (uint64, bool) {
	f.asked++
	if off >= (f.size[file]+pageMask)&^pageMask {
		return 0, false
	}
	k := [2]uint64{uint64(file), off}
	if pa, ok := f.pages[k]; ok {
		return pa, true
	}
	pa, ok := f.e.frames.AllocZeroed()
	if !ok {
		return 0, false
	}
	f.pages[k] = pa
	return pa, true
}

// byteAt returns the file's byte at off, 0 in a hole.
func (f *fakeFiles) byteAt(file uint32, off uint64) byte {
	pa, ok := f.pages[[2]uint64{uint64(file), off &^ pageMask}]
	if !ok {
		return 0
	}
	return f.e.mem.Page(pa)[off&pageMask]
}

func (f *fakeFiles) setByte(t *testing.T, file uint32, off uint64, v byte) {
	t.Helper()
	pa, ok := f.FilePage(file, off&^pageMask)
	if !ok {
		t.Fatalf("file %d has no page at %#x", file, off)
	}
	f.e.mem.Page(pa)[off&pageMask] = v
}

func TestFileAreasSplitAndMerge(t *testing.T) {
	s := newVMAs(t, 1<<30, 1<<40)
	const base = 0x1000_0000
	b := Backing{File: 7, Off: 2 * PageSize}
	if a, e := s.MapFile(base, 4*PageSize, PROT_READ, true, b); e != 0 || a != base {
		t.Fatalf("MapFile = %#x, %v", a, e)
	}
	if _, e := s.MapFile(base, PageSize, PROT_READ, true, Backing{File: 7, Off: 100}); e != EINVAL {
		t.Errorf("misaligned offset = %v, want EINVAL", e)
	}
	// Protecting the middle splits the area; each piece keeps its
	// place in the file.
	if e := s.Protect(base+PageSize, 2*PageSize, PROT_READ|PROT_WRITE); e != 0 {
		t.Fatal(e)
	}
	checkAreasEqual(t, s, []Area{
		{Start: base, End: base + PageSize, Prot: PROT_READ, Backing: Backing{File: 7, Off: 2 * PageSize}},
		{Start: base + PageSize, End: base + 3*PageSize, Prot: PROT_READ | PROT_WRITE, Backing: Backing{File: 7, Off: 3 * PageSize}},
		{Start: base + 3*PageSize, End: base + 4*PageSize, Prot: PROT_READ, Backing: Backing{File: 7, Off: 5 * PageSize}},
	})
	// Protecting the whole range again keeps each piece's backing and
	// merges them back into one area.
	if e := s.Protect(base, 4*PageSize, PROT_READ); e != 0 {
		t.Fatal(e)
	}
	checkAreasEqual(t, s, []Area{{Start: base, End: base + 4*PageSize, Prot: PROT_READ, Backing: b}})
	// Unmapping a page in the middle leaves the tail at its offset.
	if e := s.Unmap(base+PageSize, PageSize); e != 0 {
		t.Fatal(e)
	}
	checkAreasEqual(t, s, []Area{
		{Start: base, End: base + PageSize, Prot: PROT_READ, Backing: Backing{File: 7, Off: 2 * PageSize}},
		{Start: base + 2*PageSize, End: base + 4*PageSize, Prot: PROT_READ, Backing: Backing{File: 7, Off: 4 * PageSize}},
	})
	// Mapping the hole with the page that belongs there joins them all.
	s.MapFile(base+PageSize, PageSize, PROT_READ, true, Backing{File: 7, Off: 3 * PageSize})
	checkAreasEqual(t, s, []Area{{Start: base, End: base + 4*PageSize, Prot: PROT_READ, Backing: b}})
	// Neighbours that are not consecutive pages of one file, or differ
	// in sharing, or are anonymous, stay apart.
	s.MapFile(base+4*PageSize, PageSize, PROT_READ, true, Backing{File: 7, Off: 0})
	s.MapFile(base+5*PageSize, PageSize, PROT_READ, true, Backing{File: 7, Off: PageSize, Shared: true})
	s.MapFile(base+6*PageSize, PageSize, PROT_READ, true, Backing{File: 8, Off: 2 * PageSize})
	s.Map(base+7*PageSize, PageSize, PROT_READ, true)
	if s.Len() != 5 {
		t.Errorf("areas = %+v, want 5", s.Areas())
	}
	checkAreas(t, s)
	if !s.Maps(7) || !s.Maps(8) || s.Maps(9) {
		t.Error("Maps is wrong")
	}
	// MAP_FIXED over a file area replaces it.
	s.Map(base, 7*PageSize, PROT_READ, true)
	if s.Maps(7) || s.Maps(8) {
		t.Error("file still mapped after MAP_FIXED over it")
	}
}

func TestFileFaultPrivate(t *testing.T) {
	e := newEnv(t, 8<<20)
	f := newFakeFiles(e)
	f.size[1] = 2*PageSize + 10 // three pages, the last partly past the end
	f.setByte(t, 1, 5, 'a')
	f.setByte(t, 1, PageSize+5, 'b')
	a, err := e.vmas.MapFile(0, 4*PageSize, PROT_READ|PROT_WRITE, false, Backing{File: 1})
	if err != 0 {
		t.Fatal(err)
	}
	if got := e.load(t, a+5); got != 'a' {
		t.Errorf("read %q, want 'a'", got)
	}
	pte, _ := e.as.Lookup(a)
	if pte.Addr() != f.pages[[2]uint64{1, 0}] || pte&RW != 0 || pte&(FilePage|CopyOnWrite) != FilePage|CopyOnWrite {
		t.Errorf("read-faulted PTE %#x: want the file's frame, read-only, FilePage|CopyOnWrite", uint64(pte))
	}
	// A later write to the file shows through the uncopied page.
	f.setByte(t, 1, 6, 'c')
	if got := e.load(t, a+6); got != 'c' {
		t.Errorf("file write not seen through the mapping: %q", got)
	}
	// mprotect cannot make the shared frame writable.
	e.mprotect(a, PageSize, PROT_READ|PROT_WRITE)
	if pte, _ := e.as.Lookup(a); pte&RW != 0 {
		t.Error("mprotect made a copy-on-write page writable")
	}
	// A write copies: the file keeps its byte.
	e.store(t, a+5, 'x')
	if f.byteAt(1, 5) != 'a' {
		t.Error("a private write reached the file")
	}
	if got := e.load(t, a+5); got != 'x' {
		t.Errorf("private copy reads %q", got)
	}
	if got := e.load(t, a+6); got != 'c' {
		t.Errorf("copy lost the file's contents: %q", got)
	}
	pte, _ = e.as.Lookup(a)
	if pte&(FilePage|CopyOnWrite) != 0 || pte&RW == 0 {
		t.Errorf("copied PTE %#x", uint64(pte))
	}
	// A first write to an absent page copies at once.
	e.store(t, a+PageSize, 'y')
	if f.byteAt(1, PageSize) != 0 || f.byteAt(1, PageSize+5) != 'b' {
		t.Error("write to an absent page reached the file")
	}
	// The partial last page reads; the page past it is SIGBUS.
	if got := e.load(t, a+2*PageSize); got != 0 {
		t.Errorf("last page reads %q", got)
	}
	if _, r := e.access(a+3*PageSize, false, false); r != FaultBus {
		t.Errorf("page past the end = %v, want FaultBus", r)
	}
	// munmap frees the copies, never the file's frames.
	free := e.frames.FreeCount()
	e.munmap(a, 4*PageSize)
	if got := e.frames.FreeCount() - free; got != 2 {
		t.Errorf("munmap freed %d frames, want the 2 private copies", got)
	}
	for k, pa := range f.pages {
		if e.frames.Free(pa) != true {
			t.Errorf("file page %v was freed by munmap", k)
		}
	}
}

func TestFileFaultShared(t *testing.T) {
	e := newEnv(t, 8<<20)
	f := newFakeFiles(e)
	f.size[3] = 3 * PageSize
	f.setByte(t, 3, 2*PageSize+1, 'q')
	a, err := e.vmas.MapFile(0, 2*PageSize, PROT_READ|PROT_WRITE, false, Backing{File: 3, Off: PageSize, Shared: true})
	if err != 0 {
		t.Fatal(err)
	}
	if got := e.load(t, a+PageSize+1); got != 'q' {
		t.Errorf("read %q at offset 2 pages + 1, want 'q'", got)
	}
	e.store(t, a+7, 'w') // a hole in the file: the page is made there
	if f.byteAt(3, PageSize+7) != 'w' {
		t.Error("a shared write did not reach the file")
	}
	pte, _ := e.as.Lookup(a)
	if pte&(FilePage|CopyOnWrite) != FilePage || pte&RW == 0 {
		t.Errorf("shared PTE %#x: want FilePage, writable", uint64(pte))
	}
	// A hole punched in the file: its pages leave the mapping, which
	// faults them in again from the file.
	if n := DropFilePages(&e.as, a, a+2*PageSize); n != 2 {
		t.Errorf("DropFilePages = %d, want 2", n)
	}
	delete(f.pages, [2]uint64{3, PageSize})
	if got := e.load(t, a+7); got != 0 {
		t.Errorf("after the hole, read %q, want 0", got)
	}
	// The file shrinks to one page: the mapping's pages are past its end.
	Discard(&e.as, a, a+2*PageSize)
	f.size[3] = PageSize
	if _, r := e.access(a, false, false); r != FaultBus {
		t.Errorf("after truncation = %v, want FaultBus", r)
	}
}

func TestDropFilePagesKeepsCopies(t *testing.T) {
	e := newEnv(t, 8<<20)
	f := newFakeFiles(e)
	f.size[1] = 2 * PageSize
	a, _ := e.vmas.MapFile(0, 2*PageSize, PROT_READ|PROT_WRITE, false, Backing{File: 1})
	e.load(t, a)
	e.store(t, a+PageSize, 'p')
	if n := DropFilePages(&e.as, a, a+2*PageSize); n != 1 {
		t.Errorf("DropFilePages = %d, want 1 (the uncopied page)", n)
	}
	if got := e.load(t, a+PageSize); got != 'p' {
		t.Errorf("private copy lost: %q", got)
	}
}
