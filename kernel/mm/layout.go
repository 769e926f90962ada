package mm

// FreeRAM sets free to the RAM the frame allocator may hand out: ram with
// every reserved range cut out, each widened to whole pages first (a
// frame that is partly reserved is reserved). Reserved ranges may lie
// partly or wholly outside RAM, overlap each other or be empty; none of
// that can add memory, because free only ever shrinks from ram: a
// reserved range with a hole in it (the image, with its demand-zero tail
// handed back) is passed as the pieces around the hole, so the hole is
// free only where it is RAM. It reports false if cutting would need more
// than MaxRanges ranges; free is then unusable.
//
// Boot path: no allocation; copies ram into free.
//
//go:nosplit
func FreeRAM(free, ram *RangeList, reserved []Range) bool {
	*free = *ram
	for _, r := range reserved {
		start := r.Start &^ pageMask
		end := (r.End + pageMask) &^ pageMask
		if end < r.End { // the last page of the address space
			end = ^uint64(0)
		}
		if !free.Subtract(Range{start, end}) {
			return false
		}
	}
	return true
}

// Covers reports whether every byte of r lies in one range of l (ranges
// are merged, so a range that is covered lies in one). An empty r is
// covered.
//
// Boot path: no allocation.
//
//go:nosplit
func (l *RangeList) Covers(r Range) bool {
	if r.End <= r.Start {
		return true
	}
	for i := 0; i < l.n; i++ {
		if l.r[i].Start <= r.Start && r.End <= l.r[i].End {
			return true
		}
	}
	return false
}
