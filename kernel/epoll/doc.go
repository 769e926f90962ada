// Package epoll is the readiness bookkeeping of one epoll instance: its
// interest list (epoll_ctl EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL),
// the events each registered descriptor has raised, and what epoll_wait
// reports: an edge-triggered descriptor once per rising edge, a
// level-triggered one for as long as it stays ready, EPOLLERR and
// EPOLLHUP whether asked for or not, at most maxevents at a time, in
// struct epoll_event's packed x86-64 layout. It knows nothing of what a
// descriptor is: the caller says what is ready now (level-triggered
// descriptors, and a descriptor being added) and when something became
// ready (Notify), and it forgets a closed descriptor (Forget).
//
// Specifications: epoll(7), epoll_ctl(2), epoll_wait(2) and
// include/uapi/linux/eventpoll.h (EPOLL_CTL_*, EPOLL* event bits, the
// packed struct epoll_event on x86-64); docs/linux-abi.md §8 lists what
// the Go runtime's netpoller relies on. Not supported, as in the kernel
// that uses it: EPOLLONESHOT, EPOLLEXCLUSIVE and EPOLLWAKEUP (their bits
// are kept in the interest mask but change nothing), nested epoll
// instances.
//
// # Use
//
//	errno := set.Ctl(op, fd, events, data, readiness(fd)) // epoll_ctl
//	set.Notify(fd, rising)                                // a descriptor's state rose
//	set.Forget(fd)                                        // close(fd)
//
//	// epoll_wait into user memory dst, len(dst) = maxevents*EventSize:
//	var now epoll.Readiness
//	for k := range set.Len() {
//		if set.Level(k) { now[k] = readiness(set.FD(k)) }
//	}
//	n := set.Collect(dst, &now)
//
// Trap context: all. A Set is a fixed array: nothing here allocates,
// blocks, takes a lock, stores a pointer (no write barriers) or calls
// through a function value, so system calls and interrupt handlers may
// call any of it with interrupts off; the tests check the allocation
// rule. None of it needs //go:nosplit: trap handlers run on a stand-in g
// whose stack guard never calls morestack (tools/trapcheck).
package epoll
