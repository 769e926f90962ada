package kernel

import (
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// The scheduler: round-robin over one shared thread table, on every CPU
// that runs threads (docs/smp.md). A thread runs on at most one CPU;
// each CPU picks the next runnable thread after its own in table order.
// Everything here runs in trap context with interrupts off, under the
// kernel lock (smp_lock.go); the idle loop lets the lock go while it
// halts.

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
// takes it off any wait queue. An idle CPU is kicked to run it.
func wake(t *Thread, ret uint64) {
	t.Frame.RAX = ret
	t.state = threadRunnable
	if sysprofEnabled {
		t.readyAt = nanotime()
	}
	t.wait = waitNone
	t.deadline = 0
	futexes.Cancel(t.slot()) // when the wait ends other than by FUTEX_WAKE
	kickIdleCPU(t)
}

// schedule picks the thread to resume after a trap from ring 3 and makes
// the entry stubs resume it. With nothing runnable it idles until an
// interrupt, a deadline or a kick makes a thread runnable.
func schedule() {
	self := thisCPU()
	c := &cpus[self]
	now := nanotime()
	expireDeadlines(now)
	t := cur()
	mine := t.mine()
	if mine && now < c.sliceEnd && t.allowedOn(self) {
		armTimer(now, true) // a sleeper may have woken: its turn comes at sliceEnd
		deliverPending(t)
		return
	}
	next := pickNext(self)
	if next != c.current || next < 0 {
		// The thread that entered may run elsewhere from now on: its
		// vector state must all be in its area before the lock goes.
		perCPUOf(self).VectorStateToMemory()
		if mine {
			// Still runnable (its slice ended, or its affinity
			// excludes this CPU): another CPU may take it, before
			// this one idles.
			t.state = threadRunnable
			if sysprofEnabled {
				t.readyAt = now
			}
			kickIdleCPU(t)
		}
	}
	for next < 0 {
		idle(self)
		now = nanotime()
		expireDeadlines(now)
		next = pickNext(self)
	}
	switchTo(next, now)
	deliverPending(cur())
	if checkSched {
		checkSchedState()
	}
}

// pickNext returns the next runnable thread CPU self may run after the
// one it runs in table order (that one last, if it still runs here), or
// -1.
func pickNext(self int) int {
	n := threadsHigh
	from := cpus[self].current
	for k := 1; k <= n; k++ {
		i := (from + k) % n
		t := &threads[i]
		if t.state == threadRunnable && t.allowedOn(self) {
			return i
		}
		if k == n && t.state == threadRunning && int(t.onCPU) == self && t.allowedOn(self) {
			return i
		}
	}
	return -1
}

// switchTo makes thread i the one the calling CPU runs.
func switchTo(i int, now int64) {
	self := thisCPU()
	c := &cpus[self]
	c.current = i
	t := &threads[i]
	if t.readyAt != 0 {
		sysprofRunnableWait(max(now-t.readyAt, 0)) // woken after now was read: 0
		t.readyAt = 0
	}
	t.state = threadRunning
	t.onCPU = int32(self)
	c.sliceEnd = now + timeslice
	perCPUOf(self).SwitchTo(&t.Frame, t.xsave, t.fsBase, tssOf(self))
	armTimer(now, true)
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
