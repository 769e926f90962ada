package kernel

import "github.com/coracle-os/coracle/arch/amd64"

// The kernel lock: one test-and-set spinlock over all of the kernel's shared
// state (state.go). A CPU takes it on every entry into the kernel from
// ring 3 and for every interrupt that finds it not holding the lock
// (one that arrives while it idles), before it touches kernel state,
// and lets it go right before the return to ring 3 and before it halts
// in the idle loop. Interrupts stay off while it is held, and it is
// never held across a return to ring 3. The TLB shootdown IPI's handler
// never takes it (smp_tlb.go), and a CPU spinning for it does any
// shootdown asked of it, so the holder's wait for acknowledgements
// cannot deadlock.

// lockKernel takes the kernel lock for CPU c, doing the TLB shootdowns
// asked of it while it waits, and any left for it while it idled.
//
// Trap context: yes, interrupts off.
func lockKernel(c int) {
	if bkl.TryLock(c) {
		tlbServe(c) // one asked of it while it idled (smp_tlb.go)
		return
	}
	start := amd64.Rdtsc()
	for !bkl.TryLock(c) {
		tlbServe(c)
		amd64.Pause()
	}
	tlbServe(c)
	sysprofEvent(sysprofLockWait, start)
}

// unlockKernel lets the kernel lock go.
//
// Trap context: yes, interrupts off.
func unlockKernel() { bkl.Unlock() }
