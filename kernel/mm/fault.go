package mm

// Page-fault error code bits (SDM Vol. 3A §4.7, Figure 4-12).
const (
	PF_P    = 1 << 0 // 0: page not present; 1: protection violation
	PF_WR   = 1 << 1 // the access was a write
	PF_US   = 1 << 2 // the access came from ring 3
	PF_RSVD = 1 << 3 // a reserved bit was set in a paging entry
	PF_ID   = 1 << 4 // instruction fetch (reported only with EFER.NXE)
)

// si_code values of the SIGSEGV a failed fault turns into
// (include/uapi/asm-generic/siginfo.h).
const (
	SEGV_MAPERR = 1 // no mapping at the address
	SEGV_ACCERR = 2 // the mapping forbids the access
)

// FaultResult is what the page-fault handler does next.
type FaultResult uint8

const (
	// FaultBacked: a zeroed frame now backs the page (Decide: back it).
	// Return to the faulting instruction.
	FaultBacked FaultResult = iota
	// FaultUpdated: the page was already present; its entry now
	// matches its area (a stale TLB entry, or a protection change not
	// yet applied). Return to the faulting instruction.
	FaultUpdated
	// FaultMapErr: no area holds the address. SIGSEGV, SEGV_MAPERR.
	FaultMapErr
	// FaultAccErr: the area forbids the access (PROT_NONE, a write to
	// a read-only area, a fetch from a non-executable one) or is the
	// kernel's. SIGSEGV, SEGV_ACCERR.
	FaultAccErr
	// FaultNoMem: no frame left for the page or a table. The kernel's
	// out-of-memory path.
	FaultNoMem
	// FaultBus: a file area's page lies wholly past the end of its
	// file, or the file had no page to give for a hole. SIGBUS,
	// BUS_ADRERR, as Linux sends.
	FaultBus
	// FaultBadTable: a reserved bit in a paging entry, or a large page
	// inside a user area. A kernel bug: crash with a report.
	FaultBadTable
)

// Resolved reports whether the faulting instruction can simply be
// restarted.
//
// Trap context: a comparison.
//
//go:nosplit
func (r FaultResult) Resolved() bool { return r == FaultBacked || r == FaultUpdated }

// SigCode returns the si_code of the SIGSEGV that r turns into, or 0 if r
// is not a signal.
//
// Trap context: a switch.
//
//go:nosplit
func (r FaultResult) SigCode() int32 {
	switch r {
	case FaultMapErr:
		return SEGV_MAPERR
	case FaultAccErr:
		return SEGV_ACCERR
	}
	return 0
}

// String names r, for crash reports and tests.
//
// Trap context: returns constants.
//
//go:nosplit
func (r FaultResult) String() string {
	switch r {
	case FaultBacked:
		return "backed"
	case FaultUpdated:
		return "updated"
	case FaultMapErr:
		return "SEGV_MAPERR"
	case FaultAccErr:
		return "SEGV_ACCERR"
	case FaultNoMem:
		return "out of memory"
	case FaultBus:
		return "BUS_ADRERR"
	case FaultBadTable:
		return "bad page table"
	}
	return "fault?"
}

// LeafFlags returns the leaf entry flags for a user page with protection
// prot: US always (Go runs in ring 3), RW with PROT_WRITE, XD without
// PROT_EXEC. PROT_NONE gives a present supervisor-only page, P|XD: ring 3
// faults on it, yet the frame and its contents stay for a later
// mprotect (Linux keeps them too).
//
// Trap context: bit arithmetic.
//
//go:nosplit
func LeafFlags(prot Prot) PTE {
	if prot&protMask == 0 {
		return P | XD
	}
	f := P | US
	if prot&PROT_WRITE != 0 {
		f |= RW
	}
	if prot&PROT_EXEC == 0 {
		f |= XD
	}
	return f
}

// Decide is the demand-paging decision for a fault at addr with the
// CPU's error code. It returns FaultBacked, with the leaf flags for the
// page, if the page is to be backed (or, if present, given those flags);
// otherwise why not: FaultMapErr, FaultAccErr or FaultBadTable.
//
// Trap context: the page-fault handler; pure.
//
//go:nosplit
func Decide(s *VMAs, addr uint64, code uint64) (PTE, FaultResult) {
	_, flags, r := decide(s, addr, code)
	return flags, r
}

// decide is Decide, also returning the area.
//
// Trap context: the page-fault handler; pure.
//
//go:nosplit
func decide(s *VMAs, addr uint64, code uint64) (Area, PTE, FaultResult) {
	if code&PF_RSVD != 0 {
		return Area{}, 0, FaultBadTable
	}
	a, ok := s.Find(addr)
	if !ok {
		return a, 0, FaultMapErr
	}
	switch {
	case a.Kernel, a.Prot&protMask == 0,
		code&PF_WR != 0 && a.Prot&PROT_WRITE == 0,
		code&PF_ID != 0 && a.Prot&PROT_EXEC == 0:
		return a, 0, FaultAccErr
	}
	return a, LeafFlags(a.Prot), FaultBacked
}

// HandleFault handles a page fault at addr (CR2) with error code code:
// Decide, then back the page with a zeroed frame from as.Frames, or, if
// it is already present, rewrite its flags to match its area. A file
// area's page is the file's own frame (as.Files), mapped read-only and
// marked CopyOnWrite in a private area, where a write fault then copies
// it into a frame of the address space (see fileFault). No TLB
// flush is needed either way: the entry was not present, or the fault
// itself invalidated the faulting page's TLB and paging-structure cache
// entries (SDM §4.10.4.1), so the next access reads the new entry.
//
// Trap context: the page-fault handler.
//
//go:nosplit
func HandleFault(as *AddressSpace, s *VMAs, addr, code uint64) FaultResult {
	a, flags, r := decide(s, addr, code)
	if r != FaultBacked {
		return r
	}
	if !Canonical(addr) {
		return FaultMapErr // areas are canonical; be safe anyway
	}
	va := addr &^ pageMask
	t, i, at, err := as.walk(va, 0, true)
	switch {
	case err != 0:
		return FaultNoMem
	case at != 0:
		return FaultBadTable // a 2 MiB or 1 GiB page inside a user area
	case a.File != 0:
		return as.fileFault(&t[i], a.at(va), code&PF_WR != 0, flags)
	case t[i].Present():
		t[i] = withFlags(t[i], flags)
		return FaultUpdated
	}
	pa, ok := as.Frames.AllocZeroed()
	if !ok {
		return FaultNoMem
	}
	t[i] = PTE(pa) | flags
	return FaultBacked
}

// fileFault backs or updates the entry e of a page of a file area with
// backing b (b.Off is the page's file offset) for a fault that wrote or
// not, given the area's leaf flags. A private area maps the file's
// frame read-only with FilePage|CopyOnWrite until a write copies it
// into a frame of its own (a write fault on an absent page copies at
// once); a shared area maps the file's frame with the area's rights and
// FilePage. Errors: FaultBus when the file has no page there,
// FaultNoMem when no frame is left for a copy.
//
// Trap context: the page-fault handler.
//
//go:nosplit
func (as *AddressSpace) fileFault(e *PTE, b Backing, write bool, flags PTE) FaultResult {
	if e.Present() {
		if *e&CopyOnWrite == 0 {
			*e = withFlags(*e, flags)
			return FaultUpdated
		}
		if !write {
			*e = withFlags(*e, flags&^RW)
			return FaultUpdated
		}
		return as.copyPage(e, e.Addr(), flags)
	}
	pa, ok := as.Files.FilePage(b.File, b.Off)
	switch {
	case !ok:
		return FaultBus
	case b.Shared:
		*e = PTE(pa) | flags | FilePage
		return FaultBacked
	case write:
		return as.copyPage(e, pa, flags)
	}
	*e = PTE(pa) | flags&^RW | FilePage | CopyOnWrite
	return FaultBacked
}

// copyPage points e at a new frame holding a copy of the page at pa,
// with flags.
//
// Trap context: the page-fault handler.
//
//go:nosplit
func (as *AddressSpace) copyPage(e *PTE, pa uint64, flags PTE) FaultResult {
	np, ok := as.Frames.Alloc()
	if !ok {
		return FaultNoMem
	}
	*as.Mem.Page(np) = *as.Mem.Page(pa)
	*e = PTE(np) | flags
	return FaultBacked
}

// Discard unmaps every present 4 KiB page in [start, end) and frees its
// frame, for munmap, MAP_FIXED and MADV_DONTNEED: a later touch faults in
// a zeroed page, or the file's page again. A file's frame (FilePage) is
// only unmapped: the file owns it. Mappings of frames the allocator does
// not own are just removed; 2 MiB and 1 GiB pages are left alone, and so are tables. It
// returns the number of pages unmapped; if non-zero, the caller
// invalidates the range in the TLB before returning to user mode.
// start is rounded down and end up to pages; a range that is empty, wraps
// or leaves one canonical half does nothing.
//
// Absent tables are skipped whole, so discarding a large, mostly
// untouched reservation costs little.
//
// Trap context: munmap, mmap and madvise.
//
//go:nosplit
func Discard(as *AddressSpace, start, end uint64) int {
	return as.leaves(start, end, leafDiscard, 0)
}

// DropFilePages unmaps the present file pages (FilePage) in [start,
// end), keeping the private copies: for a hole punched in a mapped
// file, whose pages are about to go. Ranges and the TLB as for Discard.
//
// Trap context: fallocate.
//
//go:nosplit
func DropFilePages(as *AddressSpace, start, end uint64) int {
	return as.leaves(start, end, leafDropFile, 0)
}

// ProtectPages gives every present 4 KiB page in [start, end) the leaf
// flags for prot, after VMAs.Protect succeeded; a CopyOnWrite page stays
// read-only. It returns the number of
// entries changed; if non-zero, the caller invalidates the range. Ranges
// as for Discard.
//
// Trap context: mprotect.
//
//go:nosplit
func ProtectPages(as *AddressSpace, start, end uint64, prot Prot) int {
	return as.leaves(start, end, leafProtect, LeafFlags(prot))
}

// Operations of leaves.
const (
	leafDiscard = iota
	leafDropFile
	leafProtect
	leafCount
)

// leaves applies op to every present 4 KiB leaf in [start, end) and
// returns how many it changed (leafCount changes nothing and counts
// them). It walks the tables once, keeping the
// table of each level, so entries that are absent or map large pages
// above the page tables are skipped by their whole span, and each table
// is reached through Mem once.
//
// Trap context: called by Discard, ProtectPages and Backed.
//
//go:nosplit
func (as *AddressSpace) leaves(start, end uint64, op int, flags PTE) int {
	if end <= start {
		return 0
	}
	va := start &^ pageMask
	last := (end - 1) | pageMask // the range's last byte, page-rounded
	if !Canonical(va) || !Canonical(last) || va>>63 != last>>63 {
		return 0
	}
	var tables [levels]*[entriesPerTable]PTE
	l := levels - 1
	tables[l] = as.table(as.Root)
	n := 0
	for {
		t := tables[l]
		i := index(va, l)
		e := t[i]
		switch {
		case !e.Present():
		case l == 0:
			switch op {
			case leafDiscard:
				t[i] = 0
				if e&FilePage == 0 {
					as.Frames.Free(e.Addr())
				}
				n++
			case leafDropFile:
				if e&FilePage != 0 {
					t[i] = 0
					n++
				}
			case leafProtect:
				f := flags
				if e&CopyOnWrite != 0 {
					f &^= RW
				}
				if ne := withFlags(e, f); ne != e {
					t[i] = ne
					n++
				}
			case leafCount:
				n++
			}
		case e&PS != 0 && l <= 2:
			// A 2 MiB or 1 GiB page: not ours to change.
		default:
			l--
			tables[l] = as.table(e.Addr())
			continue
		}
		next := (va | (uint64(1)<<levelShift(l) - 1)) + 1
		if next == 0 || next > last {
			return n // wrapped past the top, or done
		}
		va = next
		// Past the last entry of this level's table: continue with the
		// next entry of the level above.
		for l < levels-1 && index(va, l) == 0 {
			l++
		}
	}
}
