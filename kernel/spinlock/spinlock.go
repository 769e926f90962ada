// Package spinlock is the kernel lock's spinlock (kernel/smp_lock.go): a
// test-and-test-and-set lock with its holder's CPU number. The package
// holds the lock's state and its steps; the caller spins (with PAUSE,
// and doing what must not wait for the lock, such as a TLB shootdown)
// between attempts.
//
// Trap context: all of it runs there; it only makes atomic loads,
// compare-and-swaps and stores on the lock's word, never allocates and
// never blocks.
package spinlock

import "sync/atomic"

// NoOwner is Owner's value while nobody holds the lock.
const NoOwner = -1

// Lock is a test-and-test-and-set spinlock: whichever waiter finds it
// free first takes it, in no order. In a virtual machine that beats a
// ticket lock: the ticket lock hands the lock to the next ticket's CPU
// even while the host is not running that vCPU, and every other waiter
// then spins until the host schedules it (lock-waiter preemption, worst
// when there are more vCPUs than free host cores); here a waiter that
// runs takes it. Linux makes the same choice for guests without
// paravirtual spinlocks.
type Lock struct {
	owner atomic.Int32 // the holder's CPU number plus one; 0: free
}

// TryLock takes the lock for cpu if it is free. Waiters call it in a
// loop with PAUSE; it only writes when the lock looks free, so spinning
// CPUs share the line without bouncing it.
func (l *Lock) TryLock(cpu int) bool {
	return l.owner.Load() == 0 && l.owner.CompareAndSwap(0, int32(cpu)+1)
}

// Unlock frees the lock. Only the holder calls it.
func (l *Lock) Unlock() { l.owner.Store(0) }

// HeldBy reports whether CPU cpu holds the lock; exact for the calling
// CPU asking about itself.
func (l *Lock) HeldBy(cpu int) bool { return l.owner.Load() == int32(cpu)+1 }

// Owner is the CPU holding the lock, or NoOwner.
func (l *Lock) Owner() int { return int(l.owner.Load()) - 1 }
