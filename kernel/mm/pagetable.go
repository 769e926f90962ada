package mm

import "unsafe"

// AddressSpace is a 4-level x86-64 page table (SDM Vol. 3A §4.5): a PML4
// at Root and the tables below it, all in frames from Frames. Tables that
// Map creates are zeroed, and the entries that point to them get P|RW|US,
// so the leaf entry alone decides the access rights.
//
// Unmap and Discard leave tables that become empty in place: they cost
// one frame per 2 MiB of address space ever backed, and keeping them
// means a table is never freed while the CPU may still cache it.
//
// Every call that changes a present entry needs a TLB invalidation by the
// caller; see the package doc.
type AddressSpace struct {
	Root   uint64  // physical address of the PML4 (CR3 bits 51:12)
	Mem    PhysMem // reaches the tables
	Frames *Frames // gives frames for new tables, and pages to HandleFault
	Files  Files   // the pages of mapped files, for faults in file areas
}

// Files gives the fault handler the pages of the files that areas map.
type Files interface {
	// FilePage returns the frame holding the page at offset off (page
	// aligned) of file, making it if the file has a hole there, or
	// ok=false if the page lies wholly past the end of the file or no
	// page is left to make. The frame stays the file's.
	//
	// Trap context: the page-fault handler.
	FilePage(file uint32, off uint64) (pa uint64, ok bool)
}

// Init allocates an empty PML4. To adopt an existing one instead, set
// Root, Mem and Frames directly.
//
// Boot path: no allocation; stores mem and f once, before any trap.
//
//go:nosplit
func (as *AddressSpace) Init(mem PhysMem, f *Frames) Errno {
	as.Mem, as.Frames = mem, f
	pa, ok := f.AllocZeroed()
	if !ok {
		return ENOMEM
	}
	as.Root = pa
	return 0
}

// table returns the paging structure at pa.
//
// Trap context: a pointer conversion.
//
//go:nosplit
func (as *AddressSpace) table(pa uint64) *[entriesPerTable]PTE {
	return (*[entriesPerTable]PTE)(unsafe.Pointer(as.Mem.Page(pa)))
}

// walk descends from the PML4 towards va's entry at level want (0: the
// PTE, 1: the PDE). It returns the table and index of the entry where it
// stopped, and that entry's level at:
//
//   - at == want: the entry for va at the requested level, present or not;
//   - at > want: a non-present entry above (only when create is false), or
//     a page (PS set) mapped at a higher level.
//
// With create set, missing tables on the way are allocated zeroed; err is
// ENOMEM when no frame is left (tables already added stay, empty).
//
// Trap context: reads and writes tables through Mem; may allocate frames.
//
//go:nosplit
func (as *AddressSpace) walk(va uint64, want int, create bool) (t *[entriesPerTable]PTE, i uint64, at int, err Errno) {
	t = as.table(as.Root)
	for l := levels - 1; ; l-- {
		i = index(va, l)
		if l == want {
			return t, i, l, 0
		}
		e := t[i]
		if !e.Present() {
			if !create {
				return t, i, l, 0
			}
			pa, ok := as.Frames.AllocZeroed()
			if !ok {
				return t, i, l, ENOMEM
			}
			e = PTE(pa) | tableFlags
			t[i] = e
		} else if e&PS != 0 && l <= 2 {
			return t, i, l, 0 // a 2 MiB or 1 GiB page
		}
		t = as.table(e.Addr())
	}
}

// Map maps the 4 KiB page at va to the frame at pa with the leaf flags
// flags (P is added). It returns EINVAL if va is not canonical, va or pa
// is not page aligned, pa does not fit the address field, or flags holds
// anything but flag bits (PS included); EEXIST if va is already mapped;
// ENOMEM if a table could not be allocated.
//
// No TLB flush is needed: the entry was not present (SDM §4.10.4.3).
//
// Trap context: the page-fault handler maps through HandleFault.
//
//go:nosplit
func (as *AddressSpace) Map(va, pa uint64, flags PTE) Errno {
	if !Canonical(va) || va&pageMask != 0 || PTE(pa)&^AddrMask != 0 || flags&^flagMask != 0 {
		return EINVAL
	}
	t, i, at, err := as.walk(va, 0, true)
	if err != 0 {
		return err
	}
	if at != 0 || t[i].Present() {
		return EEXIST
	}
	t[i] = PTE(pa) | flags | P
	return 0
}

// MapLarge maps the 2 MiB page at va to pa with a PDE (PS and P are
// added), for the kernel's direct map. va and pa must be 2 MiB aligned.
// Errors as for Map; EEXIST also when a page table already covers va.
//
// No TLB flush is needed: the entry was not present.
//
// Boot path: no allocation.
//
//go:nosplit
func (as *AddressSpace) MapLarge(va, pa uint64, flags PTE) Errno {
	if !Canonical(va) || va&largePageMask != 0 || PTE(pa)&^LargeAddrMask != 0 || flags&^flagMask != 0 {
		return EINVAL
	}
	t, i, at, err := as.walk(va, 1, true)
	if err != 0 {
		return err
	}
	if at != 1 || t[i].Present() {
		return EEXIST
	}
	t[i] = PTE(pa) | flags | P | PS
	return 0
}

// Unmap clears the 4 KiB page mapping at va and returns the frame it
// mapped; ok is false if va is not canonical, not mapped, or mapped by a
// 2 MiB or 1 GiB page (left alone). The frame is not freed.
//
// The caller must INVLPG va before the page can no longer be reached.
//
// Trap context: munmap paths.
//
//go:nosplit
func (as *AddressSpace) Unmap(va uint64) (pa uint64, ok bool) {
	if !Canonical(va) {
		return 0, false
	}
	t, i, at, _ := as.walk(va, 0, false)
	if at != 0 || !t[i].Present() {
		return 0, false
	}
	pa = t[i].Addr()
	t[i] = 0
	return pa, true
}

// Lookup returns the leaf entry that maps va: a PTE, or a PDE or PDPTE
// with PS set. ok is false if va is not canonical or not mapped.
//
// Trap context: no allocation.
//
//go:nosplit
func (as *AddressSpace) Lookup(va uint64) (pte PTE, ok bool) {
	if !Canonical(va) {
		return 0, false
	}
	t, i, _, _ := as.walk(va, 0, false)
	e := t[i]
	return e, e.Present()
}

// Translate returns the physical address va maps to, through a page of
// any size; ok is false if va is not canonical or not mapped. The kernel
// uses it to reach user buffers through its direct map.
//
// Trap context: no allocation.
//
//go:nosplit
func (as *AddressSpace) Translate(va uint64) (pa uint64, ok bool) {
	if !Canonical(va) {
		return 0, false
	}
	t, i, at, _ := as.walk(va, 0, false)
	e := t[i]
	if !e.Present() {
		return 0, false
	}
	off := va & (uint64(1)<<levelShift(at) - 1)
	base := uint64(e&AddrMask) &^ (uint64(1)<<levelShift(at) - 1) // drops PAT (bit 12) of large pages
	return base | off, true
}

// Protect replaces the settable flags (P, RW, US, PWT, PCD, G, XD) of the
// present leaf that maps va, a page of any size; A, D, PS and the address
// stay. P is always kept. It reports false if va is not mapped or flags
// holds anything but flag bits.
//
// The caller must INVLPG va; a change that only adds rights may skip it
// at the price of one spurious fault (SDM §4.10.4.3), which HandleFault
// resolves as FaultUpdated.
//
// Trap context: mprotect and the page-fault handler.
//
//go:nosplit
func (as *AddressSpace) Protect(va uint64, flags PTE) bool {
	if !Canonical(va) || flags&^flagMask != 0 {
		return false
	}
	t, i, _, _ := as.walk(va, 0, false)
	if !t[i].Present() {
		return false
	}
	t[i] = withFlags(t[i], flags)
	return true
}

// settable are the flags Protect replaces.
const settable = P | RW | US | PWT | PCD | G | XD

// withFlags returns e with its settable flags replaced by flags', keeping
// P.
//
// Trap context: bit arithmetic.
//
//go:nosplit
func withFlags(e, flags PTE) PTE { return e&^settable | flags&settable | P }

// TakeDirty reports whether the CPU wrote through the 4 KiB page that
// maps va since the last call (its D bit), and clears the bit: the page
// cache learns this way which pages of a shared file mapping a program
// changed. The caller must INVLPG va when it returns true, or a later
// write may not set the bit again.
//
// Trap context: msync, fsync and munmap of file mappings.
//
//go:nosplit
func (as *AddressSpace) TakeDirty(va uint64) bool {
	if !Canonical(va) {
		return false
	}
	t, i, at, _ := as.walk(va, 0, false)
	if at != 0 || !t[i].Present() || t[i]&D == 0 {
		return false
	}
	t[i] &^= D
	return true
}
