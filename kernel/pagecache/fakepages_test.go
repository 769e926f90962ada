package pagecache

import "testing"

// fakePages is a page allocator over host memory with a limit, which
// checks that pages are freed once and touched only while held. Its
// pages are made up front, so that it allocates nothing itself.
type fakePages struct {
	t     testing.TB
	mem   [][PageSize]byte
	held  []bool
	free  []int
	count int
}

const fakeBase = 1 << 20 // physical address of page 0

func newFakePages(t testing.TB, limit int) *fakePages {
	f := &fakePages{t: t, mem: make([][PageSize]byte, limit), held: make([]bool, limit), free: make([]int, 0, limit)}
	for i := limit - 1; i >= 0; i-- {
		f.free = append(f.free, i)
	}
	return f
}

func (f *fakePages) Alloc() (uint64, bool) {
	if len(f.free) == 0 {
		return 0, false
	}
	i := f.free[len(f.free)-1]
	f.free = f.free[:len(f.free)-1]
	f.held[i] = true
	f.mem[i] = [PageSize]byte{}
	f.count++
	return fakeBase + uint64(i)*PageSize, true
}

func (f *fakePages) index(pa uint64) int {
	i := int((pa - fakeBase) / PageSize)
	if pa < fakeBase || (pa-fakeBase)%PageSize != 0 || i >= len(f.mem) || !f.held[i] {
		f.t.Fatalf("page %#x is not held", pa)
	}
	return i
}

func (f *fakePages) Free(pa uint64) {
	i := f.index(pa)
	f.held[i] = false
	f.free = append(f.free, i)
	f.count--
}

func (f *fakePages) Page(pa uint64) *[PageSize]byte { return &f.mem[f.index(pa)] }
