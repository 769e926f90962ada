// Package fakepages is a page allocator over host memory for the host
// tests of kernel packages that take their pages from the kernel's frame
// allocator (kernel/tmpfs, kernel/pagecache). It has a limit, checks
// that pages are freed once and touched only while held, and makes its
// pages up front, so that it allocates nothing itself.
//
// Trap context: none; host tests only.
package fakepages

import "testing"

// PageSize is the size of a page.
const PageSize = 4096

// Base is the physical address of page 0.
const Base = 1 << 20

// Pages is the allocator.
type Pages struct {
	t    testing.TB
	mem  [][PageSize]byte
	held []bool
	free []int
	// Count is the number of pages held.
	Count int
}

// New returns an allocator of limit pages that fails t on misuse.
func New(t testing.TB, limit int) *Pages {
	f := &Pages{t: t, mem: make([][PageSize]byte, limit), held: make([]bool, limit), free: make([]int, 0, limit)}
	for i := limit - 1; i >= 0; i-- {
		f.free = append(f.free, i)
	}
	return f
}

// Alloc returns a zeroed page, or false when none is left.
func (f *Pages) Alloc() (uint64, bool) {
	if len(f.free) == 0 {
		return 0, false
	}
	i := f.free[len(f.free)-1]
	f.free = f.free[:len(f.free)-1]
	f.held[i] = true
	f.mem[i] = [PageSize]byte{}
	f.Count++
	return Base + uint64(i)*PageSize, true
}

func (f *Pages) index(pa uint64) int {
	i := int((pa - Base) / PageSize)
	if pa < Base || (pa-Base)%PageSize != 0 || i >= len(f.mem) || !f.held[i] {
		f.t.Fatalf("page %#x is not held", pa)
	}
	return i
}

// Free gives a page back.
func (f *Pages) Free(pa uint64) {
	i := f.index(pa)
	f.held[i] = false
	f.free = append(f.free, i)
	f.Count--
}

// Page returns the page at pa, which must be held.
func (f *Pages) Page(pa uint64) *[PageSize]byte { return &f.mem[f.index(pa)] }
