package mm

// Commit accounting: the check behind a writable MAP_FIXED mmap.
//
// The Go runtime reserves address space with PROT_NONE mappings and
// commits what it is about to use with a writable MAP_FIXED mmap over
// them (sysMap); if that fails with ENOMEM it stops with "fatal error:
// runtime: out of memory". After it succeeds the runtime touches the
// pages whenever it likes, also after giving some back with
// MADV_DONTNEED, without another mmap. So the check counts every page
// earlier commits may still touch, not just the frames free now: a commit
// is allowed only if the frames free, less a reserve for the kernel and
// for the runtime's overcommitted side tables, cover its own pages, the
// unbacked pages of every earlier commit, and the page tables that
// backing all of them would add. The program then runs out of memory in
// the runtime's own check, not in the page-fault handler.

// Backed returns the number of present 4 KiB pages in [start, end)
// (ranges as for Discard).
//
// Trap context: mmap; walks the present tables of the range.
//
//go:nosplit
func (as *AddressSpace) Backed(start, end uint64) uint64 {
	return uint64(as.leaves(start, end, leafCount, 0))
}

// MissingTables returns the number of page tables (page tables, page
// directories, PDPTs) that backing every page of [start, end) would
// allocate: tables are never freed, so those already there cost nothing.
// A range that is empty or not canonical needs none.
//
// Trap context: mmap; one walk per 2 MiB of the range.
//
//go:nosplit
func (as *AddressSpace) MissingTables(start, end uint64) uint64 {
	if end <= start || !Canonical(start) || !Canonical(end-1) || start>>63 != (end-1)>>63 {
		return 0
	}
	const none = ^uint64(0)
	n, lastPD, lastPDPT := uint64(0), none, none
	for va := start &^ largePageMask; va < end; va += LargePageSize {
		t, i, at, _ := as.walk(va, 1, false)
		if t[i].Present() {
			continue // a page table, or a large page: nothing to add
		}
		n++ // the page table
		if at >= 2 && va>>30 != lastPD {
			n++ // the page directory
			lastPD = va >> 30
		}
		if at == 3 && va>>39 != lastPDPT {
			n++ // the PDPT
			lastPDPT = va >> 39
		}
		if va+LargePageSize < va {
			break
		}
	}
	return n
}

// Promised returns the frames earlier commits may still take: the
// unbacked pages of every Committed area, outside [skipStart, skipEnd)
// (the range a new mapping is about to replace), and the tables backing
// them would add.
//
// Trap context: mmap; O(committed memory / 2 MiB) walks.
//
//go:nosplit
func Promised(as *AddressSpace, s *VMAs, skipStart, skipEnd uint64) uint64 {
	var n uint64
	for i := 0; i < s.n; i++ {
		a := &s.a[i]
		if !a.Committed {
			continue
		}
		// What is left of a once the skipped range is cut out: up to
		// two pieces.
		lo := Range{a.Start, min(a.End, skipStart)}
		hi := Range{max(a.Start, skipEnd), a.End}
		if skipEnd <= skipStart {
			lo, hi = Range{a.Start, a.End}, Range{}
		}
		for _, r := range [2]Range{lo, hi} {
			if r.End <= r.Start {
				continue
			}
			n += (r.End-r.Start)/PageSize - as.Backed(r.Start, r.End)
			n += as.MissingTables(r.Start, r.End)
		}
	}
	return n
}

// CanCommit reports whether a writable fixed mapping of [addr, addr+n)
// may be made with free frames free, keeping keep frames back: its own
// pages and the tables they need, plus what earlier commits were promised
// (Promised), must fit in the free frames and those the mapping frees by
// replacing backed pages. A range that wraps is refused.
//
// Trap context: the mmap system call.
//
//go:nosplit
func CanCommit(as *AddressSpace, s *VMAs, addr, n, free, keep uint64) bool {
	end := addr + (n+pageMask)&^pageMask
	if end < addr {
		return false
	}
	start := addr &^ pageMask
	need := (end-start)/PageSize + as.MissingTables(start, end) + Promised(as, s, start, end) + keep
	have := free + as.Backed(start, end)
	return need <= have
}
