// Package futex is the bookkeeping behind futex(2) FUTEX_WAIT and
// FUTEX_WAKE: which waiter sleeps on which futex word, in the order they
// arrived, and who a wake releases. Waiters are named by a small index
// (the kernel's thread slot), never by a pointer; the futex word itself
// (the compare of FUTEX_WAIT, EFAULT, EAGAIN) and blocking the thread stay
// with the caller, which holds the user memory and the scheduler.
//
// Specification: futex(2) and include/uapi/linux/futex.h. A wake of val
// waiters releases the oldest first (Linux queues waiters of equal
// priority in FIFO order), and at least one even when val is 0 or
// negative, as Linux's futex_wake does. Only private, process-local
// futexes exist here (one address space), so a futex is its user
// address; docs/linux-abi.md §4 lists what the Go runtime relies on.
// Not supported, as in the kernel that uses it:
// FUTEX_WAIT_BITSET/FUTEX_WAKE_BITSET, FUTEX_REQUEUE/CMP_REQUEUE,
// FUTEX_WAKE_OP and the PI operations.
//
// # Use
//
//	// FUTEX_WAIT, after *addr == val was checked:
//	q.Wait(slot, addr); block the thread
//	// FUTEX_WAKE:
//	var woken [futex.MaxWaiters]int
//	n := q.Wake(addr, futex.WakeCount(val), woken[:])
//	wake each woken[:n]
//	// the waiter's timeout expired (or it left the wait another way):
//	q.Cancel(slot)
//
// Trap context: all. A Queue is a fixed array: nothing here allocates,
// blocks, takes a lock, stores a pointer (no write barriers) or calls
// through a function value, so system-call and timer code may call any
// of it with interrupts off; the tests check the allocation rule. None of
// it needs //go:nosplit: trap handlers run on a stand-in g whose stack
// guard never calls morestack (tools/trapcheck).
package futex
