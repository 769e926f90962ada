package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/spinlock"
)

// The kernel lock: one test-and-set spinlock over all of the kernel's shared
// state (state.go). A CPU takes it on every entry into the kernel from
// ring 3 and for every interrupt that finds it not holding the lock
// (one that arrives while it idles), before it touches kernel state,
// and lets it go right before the return to ring 3 and before it halts
// in the idle loop. Interrupts stay off while it is held, and it is
// never held across a return to ring 3. The TLB shootdown IPI's handler
// never takes it (smp_tlb.go), and a CPU spinning for it does any
// shootdown asked of it, so the holder's wait for acknowledgements
// cannot deadlock. A CPU that has spun for it a while halts instead,
// and the next unlock kicks it.

// lockSpinNs is how long a CPU spins for the kernel lock before it halts
// to wait. A critical section is a few microseconds to tens of them
// (under TCG); a wait much longer than that means the holder's vCPU is
// not running (its host thread was descheduled, as happens when there
// are more vCPUs than free host cores), and a waiter that keeps
// spinning then takes host time the holder needs.
const lockSpinNs = 20_000

// lockKernel takes the kernel lock for CPU c, doing the TLB shootdowns
// asked of it while it waits, and any left for it while it idled. It
// spins for lockSpinNs, then halts until the holder lets the lock go
// (waitForKernelLock); it returns with interrupts off either way.
//
// Trap context: yes, interrupts off.
func lockKernel(c int) {
	if bkl.TryLock(c) {
		tlbServe(c) // one asked of it while it idled (smp_tlb.go)
		return
	}
	start := amd64.Rdtsc()
	spinEnd := start + tsc.Cycles(lockSpinNs)
	for !bkl.TryLock(c) {
		tlbServe(c)
		if amd64.Rdtsc() < spinEnd {
			amd64.Pause()
			continue
		}
		waitForKernelLock(c)
	}
	tlbServe(c)
	sysprofEvent(sysprofLockWait, start)
}

// waitForKernelLock halts CPU c, interrupts open, until the kernel lock
// is let go (unlockKernel kicks a halted waiter) or an interrupt comes,
// unless the lock is free already. An interrupt taken meanwhile is
// handled as in the idle loop: its handler takes the lock itself, on
// this CPU's kernel stack, above the trap that is waiting, whose own
// work has not begun. A shootdown IPI is served without the lock, so
// the holder's wait for it ends.
//
// Trap context: yes, interrupts off on entry and return.
func waitForKernelLock(c int) {
	w := &cpus[c].lockHalted
	w.Store(true)
	lockHalted.Add(1)
	// Both stores above are locked instructions, full barriers: either
	// the holder's unlock, which stores first and then looks at
	// lockHalted, sees this CPU halted, or this CPU sees the lock free.
	if bkl.Owner() != spinlock.NoOwner {
		amd64.WaitForInterrupt()
	}
	lockHalted.Add(-1)
	w.Store(false)
}

// unlockKernel lets the kernel lock go, and kicks one CPU halted for it
// (waitForKernelLock), if any.
//
// Trap context: yes, interrupts off.
func unlockKernel() {
	bkl.Unlock()
	if lockHalted.Load() == 0 {
		return
	}
	self := thisCPU()
	for i := range bootCPUs.n {
		if i != self && cpus[i].lockHalted.Load() {
			// Not sendIPI: its count is kept under the lock.
			lapic.SendIPI(bootCPUs.apicIDs[i], amd64.ICRFixed(vectorKick))
			return
		}
	}
}
