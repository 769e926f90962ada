package kernel

import (
	"sync/atomic"

	"github.com/coracle-os/coracle/arch/amd64"
)

// dispatch receives every trap on every CPU that runs threads: system
// calls, exceptions and interrupts. A TLB shootdown is done and
// acknowledged at once, without the kernel lock, and so is a kick that
// ends a halt in ring 0 (the idle loop's, or a wait for the kernel
// lock), whose interrupted code does the rest; everything else runs
// under it, taken here unless the CPU already holds it (a fault in the
// kernel's own access to user memory). For traps from ring 3 it ends by
// choosing the thread to resume, and lets the lock go just before the
// stub returns to ring 3.
//
// Trap context: on the kernel stack (or the interrupted ring-0 stack),
// interrupts off, R14 = PerCPU.KernelG.
func dispatch(f *amd64.TrapFrame) {
	self := thisCPU()
	if f.Vector >= amd64.NumExceptions && f.Vector != amd64.VectorSyscall {
		// Any interrupt ends the idle loop's poll, as it ends a halt:
		// the loop then looks for work, expires deadlines and re-arms
		// the timer (one that fired is armed no more).
		atomic.StoreUint32(&cpus[self].polling, 0)
	}
	if f.Vector == vectorShootdown {
		tlbServe(self)
		lapic.EOI()
		return // from ring 3 the same thread resumes: nothing changed
	}
	fromUser := f.CS&3 != 0
	if f.Vector == vectorKick {
		// Acknowledged before the lock is taken: a CPU waiting for
		// the lock in a kick's handler would otherwise never see the
		// kick that ends its wait (the local APIC holds back a vector
		// while one of its priority class is in service).
		lapic.EOI()
		if !fromUser {
			return
		}
	}
	held := !fromUser && bkl.HeldBy(self)
	if !held {
		lockKernel(self)
	}
	dispatchLocked(f, fromUser, self)
	if !held {
		unlockKernel()
	}
}

// dispatchLocked handles trap f on CPU self under the kernel lock.
func dispatchLocked(f *amd64.TrapFrame, fromUser bool, self int) {
	if pc := perCPUOf(self); fromUser && pc.UseFSGSBASE {
		// Ring 3 may set its FS base with WRFSBASE: the entry read it.
		cur().fsBase = pc.UserFSBase
	}
	if sysprofEnabled {
		if i := sysprofTrapSlot(f, fromUser); i >= 0 {
			start := amd64.Rdtsc()
			defer sysprofAdd(i, start)
		}
	}
	switch v := f.Vector; {
	case v == amd64.VectorSyscall:
		doSyscall(cur(), f)
	case v == amd64.VectorPF:
		pageFault(f, fromUser)
	case v < amd64.NumExceptions:
		if fromUser {
			userFault(f, amd64.ReadCR2(), 0)
		} else {
			kernelFault(f)
		}
	case v == vectorTimer:
		timerInterrupt()
		profileTick(fromUser)
	case v >= vectorIRQBase && v < vectorIRQBase+maxIRQs:
		sysprofEvent(sysprofDeviceIRQ, amd64.Rdtsc())
		deviceInterrupt(int(v - vectorIRQBase))
	case v >= vectorMSIBase && v < vectorMSIBase+maxMSIs:
		sysprofEvent(sysprofDeviceIRQ, amd64.Rdtsc())
		deviceInterrupt(maxIRQs + int(v-vectorMSIBase))
	case v == vectorKick:
		// Acknowledged in dispatch; schedule does the rest.
	case v == vectorSpurious, v == vectorLegacyPIC+7, v == vectorLegacyPIC+15:
		// Spurious: nothing to acknowledge (SDM Vol. 3A §11.9; 8259A
		// datasheet for IRQ 7/15).
	default:
		console.str("coracle: unexpected interrupt vector ")
		console.dec(v)
		console.str("\n")
	}
	if fromUser {
		schedule()
	}
}
