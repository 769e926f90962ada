package mm

import "unsafe"

// MaxRanges is the capacity of a RangeList and of the frame allocator's
// range table. Hypervisor memory maps have a handful of RAM entries; each
// reserved range cut out of the middle of one adds one more.
const MaxRanges = 64

// Range is the physical address range [Start, End).
type Range struct {
	Start, End uint64
}

// RangeList is a sorted set of disjoint, non-adjacent physical ranges with
// a fixed capacity: the kernel builds the usable-RAM list in it at boot
// from the memory map, then cuts out what it must keep.
type RangeList struct {
	n int
	r [MaxRanges]Range
}

// Len returns the number of ranges.
//
// Boot path: no allocation.
//
//go:nosplit
func (l *RangeList) Len() int { return l.n }

// Ranges returns the ranges in address order. The slice aliases l.
//
// Boot path: slices the array in place, no allocation.
//
//go:nosplit
func (l *RangeList) Ranges() []Range { return l.r[:l.n] }

// Bytes returns the total size of the ranges.
//
// Boot path: no allocation.
//
//go:nosplit
func (l *RangeList) Bytes() uint64 {
	var sum uint64
	for i := 0; i < l.n; i++ {
		sum += l.r[i].End - l.r[i].Start
	}
	return sum
}

// Add adds [r.Start, r.End), merging it with the ranges it overlaps or
// touches. An empty range (End <= Start) is ignored. It reports false,
// leaving l unchanged, if the list is full.
//
// Boot path: no allocation.
//
//go:nosplit
func (l *RangeList) Add(r Range) bool {
	if r.End <= r.Start {
		return true
	}
	// i: first range that ends at or after r.Start (may merge);
	// j: first range that starts after r.End (cannot merge).
	i := 0
	for i < l.n && l.r[i].End < r.Start {
		i++
	}
	j := i
	for j < l.n && l.r[j].Start <= r.End {
		if l.r[j].Start < r.Start {
			r.Start = l.r[j].Start
		}
		if l.r[j].End > r.End {
			r.End = l.r[j].End
		}
		j++
	}
	if i == j && l.n == MaxRanges {
		return false
	}
	l.replace(i, j, r, Range{}, 1)
	return true
}

// Subtract removes [r.Start, r.End) from every range. It reports false,
// leaving l unchanged, if splitting a range would need more than
// MaxRanges entries.
//
// Boot path: no allocation.
//
//go:nosplit
func (l *RangeList) Subtract(r Range) bool {
	if r.End <= r.Start {
		return true
	}
	i := 0
	for i < l.n && l.r[i].End <= r.Start {
		i++
	}
	j := i
	for j < l.n && l.r[j].Start < r.End {
		j++
	}
	if i == j {
		return true // no overlap
	}
	var keep [2]Range
	k := 0
	if l.r[i].Start < r.Start {
		keep[k] = Range{l.r[i].Start, r.Start}
		k++
	}
	if l.r[j-1].End > r.End {
		keep[k] = Range{r.End, l.r[j-1].End}
		k++
	}
	if l.n-(j-i)+k > MaxRanges {
		return false
	}
	l.replace(i, j, keep[0], keep[1], k)
	return true
}

// replace puts the first k of a, b in place of l.r[i:j].
//
// Boot path: moves array elements in place.
//
//go:nosplit
func (l *RangeList) replace(i, j int, a, b Range, k int) {
	n := l.n - (j - i) + k
	copy(l.r[i+k:n], l.r[j:l.n])
	if k > 0 {
		l.r[i] = a
	}
	if k > 1 {
		l.r[i+1] = b
	}
	l.n = n
}

// Frames allocates 4 KiB physical frames from RAM ranges.
//
// Frames never handed out are tracked by a bump pointer per range, so
// Init costs O(ranges), not O(frames): boot touches no frame. Freed
// frames go on a LIFO list threaded through the frames themselves (word 0
// of a free frame holds the next free frame's address, word 1 a check
// value). That needs no memory of its own and has no capacity limit,
// where a fixed array would have to be sized for all of RAM; a freed
// frame's contents are dead anyway. Reusing the most recently freed frame
// first keeps the set of guest pages the host has ever backed small.
//
// Alloc and Free cost O(1). Free rejects, at no extra cost, addresses that
// are misaligned, outside every range or never handed out, and detects a
// double free by the check value (confirmed by a walk of the free list,
// which only runs when a frame being freed already carries it).
type Frames struct {
	mem       PhysMem
	n         int
	ranges    [MaxRanges]frameRange
	cur       int    // ranges[:cur] have no never-used frames left
	free      uint64 // first frame of the free list, or noFrame
	freeLen   uint64
	total     uint64
	corrupted bool
}

type frameRange struct {
	start, end uint64 // page aligned
	next       uint64 // first never-used frame; next == end when none left
}

const (
	noFrame = ^uint64(0) // not page aligned, so never a frame
	// freeCheck, xored with the frame's address, marks a frame on the
	// free list ("freefram").
	freeCheck = 0x6d61726665657266
)

// Init sets up the allocator over ranges (typically a RangeList's
// Ranges()). Each range is shrunk to whole frames; ranges must not
// overlap. It reports false if they do, or if there are more than
// MaxRanges. Init reads and writes no frame.
//
// Boot path: no allocation; mem is stored once, before any trap.
//
//go:nosplit
func (f *Frames) Init(mem PhysMem, ranges []Range) bool {
	f.mem = mem
	f.n, f.cur, f.total = 0, 0, 0
	f.free, f.freeLen, f.corrupted = noFrame, 0, false
	for _, r := range ranges {
		start := (r.Start + pageMask) &^ pageMask
		end := r.End &^ pageMask
		if start < r.Start || end <= start { // wrapped, or no whole frame
			continue
		}
		if f.n == MaxRanges {
			return false
		}
		// Insertion sort by start: the input is short and usually sorted.
		i := f.n
		for i > 0 && f.ranges[i-1].start > start {
			f.ranges[i] = f.ranges[i-1]
			i--
		}
		f.ranges[i] = frameRange{start, end, start}
		f.n++
		f.total += (end - start) / PageSize
	}
	for i := 1; i < f.n; i++ {
		if f.ranges[i].start < f.ranges[i-1].end {
			f.n, f.total = 0, 0
			return false
		}
	}
	return true
}

// Alloc returns a free frame. Its contents are undefined (see
// AllocZeroed). ok is false when no frame is left.
//
// Runs in the page-fault handler: no allocation, no locks.
//
//go:nosplit
func (f *Frames) Alloc() (pa uint64, ok bool) {
	if f.free != noFrame {
		pa = f.free
		w := frameWords(f.mem, pa)
		next := w[0]
		if w[1] == freeCheck^pa && (next == noFrame || f.handedOut(next)) {
			w[0], w[1] = 0, 0 // no stale check value in a used frame
			f.free = next
			f.freeLen--
			return pa, true
		}
		// Something wrote to a free frame: the list cannot be
		// trusted. Drop it (its frames leak) and say so.
		f.corrupted = true
		f.free, f.freeLen = noFrame, 0
	}
	for f.cur < f.n {
		r := &f.ranges[f.cur]
		if r.next < r.end {
			pa = r.next
			r.next += PageSize
			return pa, true
		}
		f.cur++
	}
	return 0, false
}

// AllocContiguous returns n physically contiguous frames, aligned to
// align bytes (a power of two, at least PageSize), taken from the
// never-used part of a range; the frames skipped to reach the alignment
// stay unused. It is for device-visible memory, which must be
// contiguous; the frames are not zeroed.
//
// Boot path and device set-up: no allocation.
//
//go:nosplit
func (f *Frames) AllocContiguous(n, align uint64) (pa uint64, ok bool) {
	if n == 0 || align < PageSize || align&(align-1) != 0 {
		return 0, false
	}
	for i := f.cur; i < f.n; i++ {
		r := &f.ranges[i]
		start := (r.next + align - 1) &^ (align - 1)
		if start < r.next || start > r.end || (r.end-start)/PageSize < n {
			continue
		}
		r.next = start + n*PageSize
		return start, true
	}
	return 0, false
}

// AllocZeroed returns a free frame filled with zeros.
//
// Runs in the page-fault handler: zeroes through mem, no allocation.
//
//go:nosplit
func (f *Frames) AllocZeroed() (pa uint64, ok bool) {
	pa, ok = f.Alloc()
	if ok {
		*f.mem.Page(pa) = [PageSize]byte{}
	}
	return pa, ok
}

// Free returns frame pa to the allocator. It reports false, and changes
// nothing, if pa is misaligned, outside the allocator's ranges, was never
// handed out, or is already free.
//
// Runs from munmap and madvise in trap context: no allocation, no locks.
//
//go:nosplit
func (f *Frames) Free(pa uint64) bool {
	if !f.handedOut(pa) {
		return false
	}
	w := frameWords(f.mem, pa)
	if w[1] == freeCheck^pa && f.onFreeList(pa) {
		return false
	}
	w[0], w[1] = f.free, freeCheck^pa
	f.free = pa
	f.freeLen++
	return true
}

// handedOut reports whether pa is a frame that Alloc has returned at some
// point: aligned, inside a range, below that range's bump pointer.
//
// Trap context: called by Alloc and Free.
//
//go:nosplit
func (f *Frames) handedOut(pa uint64) bool {
	if pa&pageMask != 0 {
		return false
	}
	for i := 0; i < f.n; i++ {
		r := &f.ranges[i]
		if pa < r.start {
			return false // sorted: no later range holds it
		}
		if pa < r.end {
			return pa < r.next
		}
	}
	return false
}

// onFreeList walks the free list looking for pa. It runs only when the
// frame being freed already holds its free-list check value: a real
// double free, or user data that happens to equal it.
//
// Trap context: called by Free; bounded by the list's length.
//
//go:nosplit
func (f *Frames) onFreeList(pa uint64) bool {
	p := f.free
	for i := uint64(0); i < f.freeLen && p != noFrame; i++ {
		if p == pa {
			return true
		}
		p = frameWords(f.mem, p)[0]
	}
	return false
}

// FreeCount returns the number of frames Alloc can still return.
//
// Trap context: reporting from crash paths.
//
//go:nosplit
func (f *Frames) FreeCount() uint64 {
	n := f.freeLen
	for i := f.cur; i < f.n; i++ {
		n += (f.ranges[i].end - f.ranges[i].next) / PageSize
	}
	return n
}

// TotalCount returns the number of frames the allocator manages.
//
// Trap context: reporting from crash paths.
//
//go:nosplit
func (f *Frames) TotalCount() uint64 { return f.total }

// Corrupted reports whether Alloc ever found a free frame overwritten
// (a use after free somewhere in the kernel) and dropped the free list.
//
// Trap context: reporting from crash paths.
//
//go:nosplit
func (f *Frames) Corrupted() bool { return f.corrupted }

// frameWords returns the frame at pa as 64-bit words.
//
// Trap context: a pointer conversion.
//
//go:nosplit
func frameWords(mem PhysMem, pa uint64) *[PageSize / 8]uint64 {
	return (*[PageSize / 8]uint64)(unsafe.Pointer(mem.Page(pa)))
}
