package pagecache

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// harness plays the kernel and the service around a Cache: it fetches
// misses from a home copy, writes dirty pages back to it, evicts when
// frames run out, and keeps the bytes the program should see.
type harness struct {
	t     *testing.T
	c     *Cache
	pages *fakePages
	id    ID
	home  []byte // the file on the disk
	want  []byte // the file as the program sees it
}

func newHarness(t *testing.T, limit int, home []byte) *harness {
	h := &harness{t: t, c: new(Cache), pages: newFakePages(t, limit), home: home, want: bytes.Clone(home)}
	h.c.Init(h.pages)
	id, e := h.c.Open(Key{Mount: 1, Ino: 12}, int64(len(home)))
	if e != 0 {
		t.Fatal(e)
	}
	h.id = id
	return h
}

// fill fetches the run from off as the service would, or fails it.
func (h *harness) fill(off int64, ok bool) linux.Errno {
	var frames [8]uint64
	n, e := h.c.StartFill(h.id, off, frames[:])
	if e != 0 || n == 0 {
		return e
	}
	h.endFill(off, frames[:n], ok)
	return 0
}

func (h *harness) endFill(off int64, frames []uint64, ok bool) {
	if ok {
		h.fetch(off, frames)
	}
	h.c.EndFill(h.id, off, frames, ok)
}

// fetch copies the home bytes of a fill run into its frames, as the
// service does before it ends the fill.
func (h *harness) fetch(off int64, frames []uint64) {
	for i, pa := range frames {
		p := h.pages.Page(pa)
		at := off + int64(i)*PageSize
		if at < int64(len(h.home)) {
			copy(p[:], h.home[at:])
		}
	}
}

// writeback writes every dirty page home.
func (h *harness) writeback() {
	var frames [5]uint64
	for from := int64(0); ; {
		off, n := h.c.StartWriteback(h.id, from, frames[:])
		if n == 0 {
			break
		}
		h.endWriteback(off, frames[:n], true)
		from = off + int64(n)*PageSize
	}
}

func (h *harness) endWriteback(off int64, frames []uint64, ok bool) {
	if ok {
		end := min(h.c.Size(h.id), off+int64(len(frames))*PageSize)
		if int64(len(h.home)) < end {
			h.home = append(h.home, make([]byte, end-int64(len(h.home)))...)
		}
		for i, pa := range frames {
			at := off + int64(i)*PageSize
			if at < end {
				copy(h.home[at:end], h.pages.Page(pa)[:])
			}
		}
	}
	h.c.EndWriteback(h.id, off, frames, ok)
}

// room makes frames free: evicts, writing back first if it must.
func (h *harness) room() {
	if h.c.Evict(4) == 0 {
		h.writeback()
		if h.c.Evict(4) == 0 {
			h.t.Fatalf("nothing to evict: %d pages held, %d dirty", h.c.Held(h.id), h.c.Dirty(h.id))
		}
	}
}

func (h *harness) read(off int64, n int) []byte {
	buf := make([]byte, n)
	got := 0
	for {
		m, miss := h.c.Read(h.id, off+int64(got), buf[got:])
		got += m
		if miss < 0 {
			return buf[:got]
		}
		if e := h.fill(miss, true); e == linux.ENOMEM {
			h.room()
		} else if e != 0 {
			h.t.Fatalf("fill at %d: %v", miss, e)
		}
	}
}

func (h *harness) write(off int64, b []byte) {
	done := 0
	for done < len(b) {
		m, miss, e := h.c.Write(h.id, off+int64(done), b[done:])
		done += m
		switch {
		case e == linux.ENOMEM:
			h.room()
		case e != 0:
			h.t.Fatalf("write at %d: %v", off+int64(done), e)
		case miss >= 0:
			if e := h.fill(miss, true); e == linux.ENOMEM {
				h.room()
			}
		}
	}
	if end := off + int64(len(b)); end > int64(len(h.want)) {
		h.want = append(h.want, make([]byte, end-int64(len(h.want)))...)
	}
	copy(h.want[off:], b)
}

func (h *harness) truncate(size int64) {
	if e := h.c.Truncate(h.id, size); e != 0 {
		h.t.Fatal(e)
	}
	// The kernel truncates the home copy too.
	h.home = resize(h.home, size)
	h.want = resize(h.want, size)
}

func resize(b []byte, size int64) []byte {
	if size <= int64(len(b)) {
		return b[:size]
	}
	return append(b, make([]byte, size-int64(len(b)))...)
}

func (h *harness) check(what string) {
	h.t.Helper()
	if got := h.c.Size(h.id); got != int64(len(h.want)) {
		h.t.Fatalf("%s: size %d, want %d", what, got, len(h.want))
	}
	if got := h.read(0, len(h.want)+100); !bytes.Equal(got, h.want) {
		h.t.Fatalf("%s: contents differ (first at %d)", what, firstDiff(got, h.want))
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	return b
}

// TestReadFetchesOnce: a read fetches what the cache lacks, and only
// that; bytes past the home size are zeros without a fetch.
func TestReadFetchesOnce(t *testing.T) {
	h := newHarness(t, 64, pattern(3*PageSize+100, 1))
	buf := make([]byte, 200)
	n, miss := h.c.Read(h.id, PageSize-100, buf)
	if n != 0 || miss != 0 {
		t.Fatalf("cold read: n %d miss %d, want 0 and 0", n, miss)
	}
	h.fill(0, true) // fetches the whole file: 4 pages in one run
	if h.c.Held(h.id) != 4 {
		t.Fatalf("one fetch holds %d pages, want 4", h.c.Held(h.id))
	}
	n, miss = h.c.Read(h.id, PageSize-100, buf)
	if n != 200 || miss != -1 || !bytes.Equal(buf, h.want[PageSize-100:PageSize+100]) {
		t.Fatalf("warm read: n %d miss %d", n, miss)
	}
	// Growing the file past home makes pages without fetching.
	h.write(6*PageSize, []byte("tail"))
	if got := h.read(4*PageSize, 2*PageSize+4); !bytes.Equal(got, h.want[4*PageSize:]) {
		t.Fatal("the hole between home and the new tail is not zeros")
	}
	if _, e := h.c.StartFill(h.id, 5*PageSize, make([]uint64, 1)); e != 0 {
		t.Fatal(e)
	}
	h.check("after growing")

	// Bytes cut off by a truncation are not fetched when the file grows
	// again: they are zeros.
	h.truncate(100)
	h.c.Evict(100)
	h.write(2*PageSize, []byte("x"))
	if n, miss := h.c.Read(h.id, PageSize, make([]byte, PageSize)); n != PageSize || miss != -1 {
		t.Fatalf("read of a truncated-away page: n %d miss %d, want no fetch", n, miss)
	}
	h.check("after shrinking and growing")
}

// TestWholePageWriteNeedsNoFetch: overwriting whole pages of a file at
// home fetches nothing; a partial write does.
func TestWholePageWriteNeedsNoFetch(t *testing.T) {
	h := newHarness(t, 64, pattern(4*PageSize, 3))
	n, miss, e := h.c.Write(h.id, PageSize, pattern(2*PageSize, 9))
	if n != 2*PageSize || miss != -1 || e != 0 {
		t.Fatalf("whole pages: n %d miss %d errno %v", n, miss, e)
	}
	n, miss, e = h.c.Write(h.id, 10, []byte("x"))
	if n != 0 || miss != 0 || e != 0 {
		t.Fatalf("partial page at home: n %d miss %d errno %v, want a miss at 0", n, miss, e)
	}
	copy(h.want[PageSize:], pattern(2*PageSize, 9))
	if h.c.Dirty(h.id) != 2 {
		t.Fatalf("%d dirty pages, want 2", h.c.Dirty(h.id))
	}
	h.check("after overwriting")
}

// TestInFlightSurvivesTruncate: a fetch or write-back in flight while the
// file is truncated keeps its frames until it ends, then frees them.
func TestInFlightSurvivesTruncate(t *testing.T) {
	h := newHarness(t, 64, pattern(4*PageSize, 5))
	frames := make([]uint64, 4)
	n, _ := h.c.StartFill(h.id, 0, frames)
	if n != 4 {
		t.Fatalf("fill run of %d pages, want 4", n)
	}
	h.fetch(0, frames) // the service has read the old bytes
	h.truncate(PageSize + 10)
	h.c.EndFill(h.id, 0, frames, true)
	if h.c.Held(h.id) != 2 {
		t.Fatalf("after the fill: %d pages held, want 2", h.c.Held(h.id))
	}
	h.check("truncated during a fill")
	h.truncate(3 * PageSize)
	h.check("grown again after a truncation during a fill")

	h.write(0, pattern(3*PageSize, 7))
	wb := make([]uint64, 8)
	off, n := h.c.StartWriteback(h.id, 0, wb)
	if off != 0 || n != 3 {
		t.Fatalf("write-back run at %d of %d, want 0 and 3", off, n)
	}
	h.write(10, []byte("again")) // dirty again while being written
	h.truncate(PageSize)
	h.endWriteback(0, wb[:n], true)
	if h.c.Dirty(h.id) != 1 {
		t.Fatalf("%d dirty pages, want 1 (written during write-back)", h.c.Dirty(h.id))
	}
	h.writeback()
	h.check("truncated during a write-back")
	if !bytes.Equal(h.home, h.want) {
		t.Fatal("home differs after write-back")
	}
}

// TestMapPage: mappings get the cache's own pages; past home they are
// made, before it they must be fetched first, past the end they fault.
func TestMapPage(t *testing.T) {
	h := newHarness(t, 64, pattern(2*PageSize, 2))
	if _, e := h.c.MapPage(h.id, 0, false); e != linux.EAGAIN {
		t.Fatalf("unfetched page: %v, want EAGAIN", e)
	}
	if off := h.c.Missing(h.id, 0, 2*PageSize); off != 0 {
		t.Fatalf("Missing = %d, want 0", off)
	}
	h.fill(0, true)
	if off := h.c.Missing(h.id, 0, 2*PageSize); off != -1 {
		t.Fatalf("Missing after the fetch = %d, want -1", off)
	}
	pa, e := h.c.MapPage(h.id, 5, true)
	if e != 0 {
		t.Fatal(e)
	}
	copy(h.pages.Page(pa)[5:], "mapped") // a store through the mapping
	copy(h.want[5:], "mapped")
	h.check("after a store through a mapping")
	h.truncate(3 * PageSize)
	if _, e := h.c.MapPage(h.id, 2*PageSize+1, false); e != 0 {
		t.Fatalf("page past home: %v", e)
	}
	if _, e := h.c.MapPage(h.id, 3*PageSize, false); e != linux.EFAULT {
		t.Fatalf("past the end: %v, want EFAULT", e)
	}
	h.writeback()
	if !bytes.Equal(h.home, h.want) {
		t.Fatal("the store through the mapping did not go home")
	}
}

// TestEvictSparesMappedAndDirty: Evict frees only clean pages of files
// no mapping holds.
func TestEvictSparesMappedAndDirty(t *testing.T) {
	h := newHarness(t, 64, pattern(4*PageSize, 4))
	h.fill(0, true)
	h.write(0, []byte("d"))
	h.c.Map(h.id)
	if got := h.c.Evict(10); got != 0 {
		t.Fatalf("evicted %d pages of a mapped file", got)
	}
	h.c.Unmap(h.id)
	if got := h.c.Evict(10); got != 3 {
		t.Fatalf("evicted %d pages, want the 3 clean ones", got)
	}
	h.check("after eviction")
}

// TestRandomAgainstModel runs random reads, writes, truncations,
// write-backs (some failing), failed fetches and evictions in a cache of
// few frames, and checks the file against a model after each, and that
// no frame leaks.
func TestRandomAgainstModel(t *testing.T) {
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 1))
		h := newHarness(t, 24, pattern(r.IntN(8*PageSize), byte(seed)))
		for step := range 300 {
			size := int64(len(h.want))
			off := r.Int64N(size + 2*PageSize)
			switch r.IntN(8) {
			case 0, 1:
				h.write(off, pattern(1+r.IntN(3*PageSize), byte(step)))
			case 2:
				h.truncate(r.Int64N(10 * PageSize))
			case 3:
				h.writeback()
			case 4: // a write-back that fails keeps the pages dirty
				frames := make([]uint64, 2)
				if o, n := h.c.StartWriteback(h.id, off, frames); n > 0 {
					h.endWriteback(o, frames[:n], false)
				}
			case 5:
				if h.fill(off, false) == linux.ENOMEM {
					h.room()
				}
			case 6:
				h.c.Evict(r.IntN(5))
			case 7:
				if got := h.read(off, r.IntN(2*PageSize)); !bytes.Equal(got, h.want[min(off, size):min(off+int64(len(got)), size)]) {
					t.Fatalf("seed %d step %d: read at %d differs", seed, step, off)
				}
			}
			h.check("random step")
		}
		h.writeback()
		if !bytes.Equal(h.home, h.want) {
			t.Fatalf("seed %d: home differs after the final write-back", seed)
		}
		h.c.Close(h.id)
		if !h.c.Forget(h.id) {
			t.Fatalf("seed %d: cannot forget a clean, closed file", seed)
		}
		if h.pages.Count != 0 || h.c.Pages() != 0 {
			t.Fatalf("seed %d: %d frames (%d pages) still held after Forget", seed, h.pages.Count, h.c.Pages())
		}
	}
}

// TestSlots: files share the table; a closed file's clean pages make
// room for a new file when the table is full.
func TestSlots(t *testing.T) {
	c := new(Cache)
	pages := newFakePages(t, 2*MaxFiles+8)
	c.Init(pages)
	for i := range MaxFiles {
		id, e := c.Open(Key{Ino: uint64(i)}, PageSize)
		if e != 0 {
			t.Fatal(e)
		}
		if _, _, e := c.Write(id, 0, make([]byte, PageSize)); e != 0 {
			t.Fatal(e)
		}
	}
	if _, e := c.Open(Key{Ino: 9999}, 0); e != linux.ENFILE {
		t.Fatalf("a full table: %v, want ENFILE", e)
	}
	old := c.Lookup(Key{Ino: 3})
	c.Close(old)
	if _, e := c.Open(Key{Ino: 9999}, 0); e != linux.ENFILE {
		t.Fatalf("a closed file with dirty pages must stay: %v", e)
	}
	var frames [1]uint64
	off, n := c.StartWriteback(old, 0, frames[:])
	c.EndWriteback(old, off, frames[:n], true)
	if id, e := c.Open(Key{Ino: 9999}, 0); e != 0 || id != old {
		t.Fatalf("open after the closed file was cleaned: id %d errno %v, want %d", id, e, old)
	}
	if c.Lookup(Key{Ino: 3}) != 0 {
		t.Fatal("the dropped file is still found")
	}
}
