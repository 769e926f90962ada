package kernel

import "github.com/coracle-os/coracle/kernel/sigframe"

// profileDeadline is when the next profiling tick is due, or 0 when there
// is none to arm: the timer is off or no thread runs on this CPU. After
// an idle period the ticks start over from now.
func profileDeadline(now int64) int64 {
	if profNext == 0 || !cur().mine() {
		return 0
	}
	if profInterval > 0 && profNext < now-profInterval {
		profNext = now + profInterval // ticks were skipped while idle
	}
	return profNext
}

// profileTick runs in the timer interrupt: if a tick is due and the
// interrupt came from the program, SIGPROF goes to the running thread.
func profileTick(fromUser bool) {
	if profNext == 0 {
		return
	}
	now := nanotime()
	if now < profNext {
		return
	}
	if profInterval > 0 {
		profNext = now + profInterval
	} else {
		profNext = 0 // one-shot
	}
	if t := cur(); fromUser && t.mine() {
		t.pendingSignals |= sigframe.Bit(SIGPROF)
		t.kernelSignals |= sigframe.Bit(SIGPROF)
	}
}
