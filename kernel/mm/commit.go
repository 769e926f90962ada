package mm

// Commit accounting: the check behind a writable MAP_FIXED mmap.
//
// The Go runtime reserves address space with PROT_NONE mappings and
// commits what it is about to use with a writable MAP_FIXED mmap over
// them (sysMap); if that fails with ENOMEM it stops with "fatal error:
// runtime: out of memory". The kernel allows a commit when the frames
// free now, less a reserve, cover its pages and the page tables backing
// them would add. Like Linux's default (heuristic) overcommit, it does
// not count what earlier commits may still touch: goroutine stacks and
// fresh heap are committed in full but touched a page at a time, and
// counting them would make a program with 10,000 goroutines need memory
// for 10,000 whole stacks. A program that touches more than there is
// after its commits succeeded runs the kernel out of frames instead, and
// the VM stops with the out-of-memory status (docs/memory.md).

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

// CanCommit reports whether a writable fixed mapping of [addr, addr+n)
// may be made with free frames free, keeping keep frames back: its own
// pages and the tables they need must fit in the free frames and those
// the mapping frees by replacing backed pages. A range that wraps is
// refused.
//
// Trap context: the mmap system call.
//
//go:nosplit
func CanCommit(as *AddressSpace, addr, n, free, keep uint64) bool {
	end := addr + (n+pageMask)&^pageMask
	if end < addr {
		return false
	}
	start := addr &^ pageMask
	need := (end-start)/PageSize + as.MissingTables(start, end) + keep
	have := free + as.Backed(start, end)
	return need <= have
}
