// Package spinlock is a ticket spinlock: CPUs take numbered tickets and
// are served in the order they took them, so that no CPU waits forever
// behind faster ones. The kernel's one big lock (kernel/smp_lock.go) is
// one. The package holds the lock's state and its steps; the caller
// spins (with PAUSE, and doing what must not wait for the lock, such as
// a TLB shootdown) between Take and Serving.
//
// Trap context: all of it runs there; it only makes atomic loads, adds
// and stores on the lock's words, never allocates and never blocks.
package spinlock

import "sync/atomic"

// NoOwner is Owner's value while nobody holds the lock.
const NoOwner = -1

// Ticket is a ticket lock. Its zero value is unlocked (Owner reads
// NoOwner only after Init; HeldBy works either way).
type Ticket struct {
	next    atomic.Uint32 // the ticket the next taker gets
	serving atomic.Uint32 // the ticket that holds the lock
	owner   atomic.Int32  // the holder's CPU number plus one; 0: none
}

// Take draws a ticket. The caller holds the lock once Serving(ticket).
func (l *Ticket) Take() uint32 { return l.next.Add(1) - 1 }

// Serving reports whether ticket holds the lock now.
func (l *Ticket) Serving(ticket uint32) bool { return l.serving.Load() == ticket }

// Acquired records that CPU cpu holds the lock (after Serving said so).
func (l *Ticket) Acquired(cpu int) { l.owner.Store(int32(cpu) + 1) }

// TryLock takes the lock for cpu if nobody holds it or waits for it.
func (l *Ticket) TryLock(cpu int) bool {
	s := l.serving.Load()
	if !l.next.CompareAndSwap(s, s+1) {
		return false
	}
	l.Acquired(cpu)
	return true
}

// Unlock hands the lock to the next ticket. Only the holder calls it.
func (l *Ticket) Unlock() {
	l.owner.Store(0)
	l.serving.Add(1)
}

// HeldBy reports whether CPU cpu holds the lock. It is exact for the
// calling CPU asking about itself: only it sets or clears its own
// ownership.
func (l *Ticket) HeldBy(cpu int) bool { return l.owner.Load() == int32(cpu)+1 }

// Owner is the CPU holding the lock, or NoOwner.
func (l *Ticket) Owner() int { return int(l.owner.Load()) - 1 }

// Waiting is how many tickets are out beyond the holder's (0 when the
// lock is free or held with nobody waiting).
func (l *Ticket) Waiting() uint32 {
	n, s := l.next.Load(), l.serving.Load()
	if n == s {
		return 0
	}
	return n - s - 1
}
