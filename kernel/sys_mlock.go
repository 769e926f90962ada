package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/mm"
)

// Memory locking (mlock(2)). coracle never pages memory out: there is no
// swap, and the page cache evicts no page of a mapped file. So every
// page is locked in Linux's sense already, and what remains of mlock's
// promise is that the locked range is resident when the call returns:
// mlock and mlock2 fault in every page of the range now, unless
// MLOCK_ONFAULT defers that to the first touch, as Linux does. The
// range must be mapped (ENOMEM for a gap, as on Linux). RLIMIT_MEMLOCK
// is unlimited (prlimit64), so nothing is counted.

// sysMlock implements mlock(addr, len).
//
// Trap context: system call.
func sysMlock(t *Thread, f *amd64.TrapFrame) uint64 {
	return lockMemory(f.RDI, f.RSI, true)
}

// sysMlock2 implements mlock2(addr, len, flags).
//
// Trap context: system call.
func sysMlock2(t *Thread, f *amd64.TrapFrame) uint64 {
	if f.RDX&^linux.MLOCK_ONFAULT != 0 {
		return linux.EINVAL.Ret()
	}
	return lockMemory(f.RDI, f.RSI, f.RDX&linux.MLOCK_ONFAULT == 0)
}

// sysMunlock implements munlock(addr, len): nothing is ever paged out,
// so there is nothing to undo beyond checking the range.
//
// Trap context: system call.
func sysMunlock(t *Thread, f *amd64.TrapFrame) uint64 {
	return lockMemory(f.RDI, f.RSI, false)
}

// sysMlockall implements mlockall(flags). Memory mapped now and later
// stays resident once touched, as every page does here; the pages of
// the current mappings are not faulted in (the Go runtime reserves
// large address ranges it never touches, which would cost their size in
// RAM).
//
// Trap context: system call.
func sysMlockall(t *Thread, f *amd64.TrapFrame) uint64 {
	flags := f.RDI
	if flags == 0 || flags&^(linux.MCL_CURRENT|linux.MCL_FUTURE|linux.MCL_ONFAULT) != 0 ||
		flags == linux.MCL_ONFAULT {
		return linux.EINVAL.Ret()
	}
	return 0
}

// sysMunlockall implements munlockall().
//
// Trap context: system call.
func sysMunlockall(t *Thread, f *amd64.TrapFrame) uint64 { return 0 }

// lockMemory checks that the pages of [addr, addr+n) are mapped program
// memory and, with populate, faults each one in as Linux's mlock does:
// a write fault in a private writable mapping (breaking copy-on-write
// now), a read fault elsewhere; PROT_NONE pages are left alone. It
// answers ENOMEM for a gap, EAGAIN when memory ran out.
//
// Trap context: system call; one fault per page not yet present.
func lockMemory(addr, n uint64, populate bool) uint64 {
	start := addr &^ 4095
	end := (addr + n + 4095) &^ 4095
	if end < start || end > mm.UserTop {
		return linux.ENOMEM.Ret()
	}
	if n == 0 {
		return 0
	}
	if gap, kernel := vmas.Coverage(start, end); gap || kernel {
		return linux.ENOMEM.Ret()
	}
	if !populate {
		return 0
	}
	for p := start; p < end; p += 4096 {
		a, _ := vmas.Find(p)
		if a.Prot&(mm.PROT_READ|mm.PROT_WRITE|mm.PROT_EXEC) == 0 {
			continue
		}
		write := a.Prot&mm.PROT_WRITE != 0 && !a.Shared
		code := uint64(pfUser)
		if pte, ok := space.Lookup(p); ok && pte&mm.P != 0 {
			if !write || pte&mm.RW != 0 {
				continue
			}
			code |= pfPresent
		}
		if write {
			code |= pfWrite
		}
		for {
			r := mm.HandleFault(&space, &vmas, p, code)
			if r.Resolved() {
				break
			}
			if r == mm.FaultNoMem && reclaimFrames() {
				continue
			}
			if r == mm.FaultNoMem {
				return linux.EAGAIN.Ret()
			}
			return linux.ENOMEM.Ret()
		}
	}
	return 0
}
