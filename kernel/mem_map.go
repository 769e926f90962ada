package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/mm"
)

// userRangeOK reports whether [addr, addr+n) lies in the program's
// mappings (or the image) with the access asked for.
func userRangeOK(addr, n uint64, write bool) bool {
	end := addr + n
	if end < addr || end > mm.UserTop {
		return false
	}
	for a := addr; a < end; {
		area, ok := vmas.Find(a)
		if !ok || area.Prot&(mm.PROT_READ|mm.PROT_WRITE) == 0 || write && area.Prot&mm.PROT_WRITE == 0 {
			return false
		}
		if area.File != 0 && !fileAreaReadable(&area, a, end) {
			return false
		}
		a = area.End
	}
	return true
}

// mapAnonymous maps [addr, addr+n) at a fixed place for the kernel's own
// use of user memory (the initial stack): backed on first touch, and not
// a commit (see canCommit), since little of it is ever touched.
func mapAnonymous(addr, n uint64, prot uint64) linux.Errno {
	return linux.Errno(vmas.Anonymous(addr, addr+(n+4095)&^4095, mm.Prot(prot)))
}

// tlbFlushPages bounds per-page invalidation; larger ranges reload CR3.
const tlbFlushPages = 64

// commitReserve is memory a commit must leave free: for the kernel's own
// needs (page tables of overcommitted mappings, device memory) and for
// the runtime's side tables, which it maps without MAP_FIXED and so
// without a commit check.
const commitReserve = 1 << 20

// canCommit reports whether a writable mapping of n bytes at addr may be
// made. Pages are only backed when touched, so, like Linux's overcommit,
// a mapping placed by the kernel is not limited by memory: the runtime
// maps sparse tables that way (the heap arena index is 32 MiB, mostly
// never touched, more than a small VM has). A mapping placed over the
// program's own reservation (MAP_FIXED) is how the Go runtime commits
// memory it is about to use, so that one must fit, with every earlier
// commit's untouched pages and the page tables they all need, in the
// memory free now (mm.CanCommit): the runtime then reports "out of
// memory" itself, instead of the VM running out of pages under it later.
func canCommit(addr, n uint64, fixed bool) bool {
	if !fixed {
		return true
	}
	return mm.CanCommit(&space, addr, n, freeFrames(), commitReserve/4096)
}

// discard drops the pages of [start, end) and flushes them from the TLB.
func discard(start, end uint64) {
	if mm.Discard(&space, start, end) > 0 {
		flushTLB(start, end)
	}
}

// flushTLB drops [start, end) from this CPU's TLB and every other
// CPU's (shootdown): the mappings were removed or weakened.
func flushTLB(start, end uint64) {
	shootdown()
	if (end-start)/4096 > tlbFlushPages {
		amd64.WriteCR3(space.Root)
		return
	}
	for a := start &^ 4095; a < end; a += 4096 {
		amd64.Invlpg(uintptr(a))
	}
}

// isRAM reports whether [start, end) overlaps RAM: device mappings must
// not alias memory the frame allocator owns.
func isRAM(start, end uint64) bool {
	for _, r := range ramRanges.Ranges() {
		if start < r.End && r.Start < end {
			return true
		}
	}
	return false
}
