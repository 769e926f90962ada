package kernel

import (
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// The scheduler: round-robin over the thread table, on one CPU.
// Everything here runs in trap context with interrupts off.

// timeslice is how long a thread runs before another runnable one gets
// the CPU.
const timeslice = 10_000_000 // ns

// block parks the running thread until wake (or its deadline, if not 0).
// The system call's result is set by whoever wakes it.
func block(t *Thread, why waitReason, deadline int64) {
	t.state = threadBlocked
	t.wait = why
	t.deadline = deadline
}

// wake makes a blocked thread runnable with system-call result ret, and
// takes it off any wait queue.
func wake(t *Thread, ret uint64) {
	t.Frame.RAX = ret
	t.state = threadRunnable
	t.wait = waitNone
	t.deadline = 0
	futexes.Cancel(t.slot()) // when the wait ends other than by FUTEX_WAKE
}

// schedule picks the thread to resume after a trap from ring 3 and makes
// the entry stubs resume it. With nothing runnable it idles until an
// interrupt or a deadline makes a thread runnable.
func schedule() {
	now := nanotime()
	expireDeadlines(now)
	t := cur()
	if t.state == threadRunning && now < sliceEnd {
		armTimer(now) // a sleeper may have woken: its turn comes at sliceEnd
		deliverPending(t)
		return
	}
	next := pickNext()
	for next < 0 {
		idle()
		now = nanotime()
		expireDeadlines(now)
		next = pickNext()
	}
	if t.state == threadRunning {
		t.state = threadRunnable
	}
	switchTo(next, now)
	deliverPending(cur())
}

// pickNext returns the next runnable thread after the current one in
// table order (the current one last), or -1.
func pickNext() int {
	n := threadsHigh
	for k := 1; k <= n; k++ {
		i := (currentIndex + k) % n
		if s := threads[i].state; s == threadRunnable || (k == n && s == threadRunning) {
			return i
		}
	}
	return -1
}

// switchTo makes thread i the running one.
func switchTo(i int, now int64) {
	currentIndex = i
	t := cur()
	t.state = threadRunning
	sliceEnd = now + timeslice
	cpu0.SwitchTo(&t.Frame, t.xsave, t.fsBase, &tss)
	armTimer(now)
}

// expireDeadlines wakes every blocked thread whose deadline has passed.
func expireDeadlines(now int64) {
	for i := range liveSlots() {
		t := &threads[i]
		if t.state != threadBlocked || t.deadline == 0 || t.deadline > now {
			continue
		}
		switch t.wait {
		case waitFutex:
			wake(t, linux.ETIMEDOUT.Ret())
		case waitSocket:
			socketWaitTimedOut(t)
		case waitUnix:
			unixWaitTimedOut(t)
		case waitPoll:
			pollTimedOut(t)
		default:
			wake(t, 0)
		}
	}
}

// nextDeadline is the earliest deadline of a blocked thread, or 0.
func nextDeadline() int64 {
	var d int64
	for i := range liveSlots() {
		t := &threads[i]
		if t.state == threadBlocked && t.deadline != 0 && (d == 0 || t.deadline < d) {
			d = t.deadline
		}
	}
	return d
}
