package kernel

import "github.com/coracle-os/coracle/kernel/sigframe"

// The profiling timer, ITIMER_PROF, counts the program's CPU time as
// Linux counts a process's: the time its threads run, in ring 3 or in the
// kernel for them, summed over CPUs. Each CPU keeps its own share
// (cpuState.prof, a profClock): it stops while the CPU idles, and a tick
// is due after every interval of time the CPU ran threads. So a profile
// of a program busy on N CPUs gets N times as many samples per second as
// one busy on one, and time spent idle, however short the gaps, is not
// sampled.

// profClock is one CPU's profiling clock. While the CPU runs threads the
// next tick is due at wall-clock time due; while it idles (paused) the
// time that was left is kept in left. due is 0 when the timer is off.
type profClock struct {
	due    int64
	left   int64
	paused bool
}

// set starts the clock with the first tick value from now (value 0: off).
func (p *profClock) set(now, value int64) {
	if value <= 0 {
		*p = profClock{paused: p.paused}
		return
	}
	p.due, p.left = now+value, value
}

// pause stops the clock: the CPU idles from now on.
func (p *profClock) pause(now int64) {
	if p.paused {
		return
	}
	p.paused = true
	if p.due != 0 {
		p.left = max(p.due-now, 0)
	}
}

// resume starts the clock again: the CPU runs threads from now on.
func (p *profClock) resume(now int64) {
	if !p.paused {
		return
	}
	p.paused = false
	if p.due != 0 {
		p.due = now + p.left
	}
}

// remaining is the CPU time until the next tick, as getitimer reports it
// (at least 1 µs while the timer runs: 0 would say it is off).
func (p *profClock) remaining(now int64) int64 {
	switch {
	case p.due == 0:
		return 0
	case p.paused:
		return max(p.left, 1000)
	}
	return max(p.due-now, 1000)
}

// tick reports whether a tick is due at now on a running clock, and if so
// moves the clock to the next one, interval later (an interval of 0
// stops it: the timer was one-shot). Ticks that fell due together count
// once: a CPU is never sampled twice for the same moment.
func (p *profClock) tick(now, interval int64) bool {
	if p.due == 0 || p.paused || now < p.due {
		return false
	}
	if interval <= 0 {
		p.due = 0
		return true
	}
	p.due += interval
	if p.due <= now {
		p.due = now + interval
	}
	return true
}

// profileDeadline is when the calling CPU's next profiling tick is due,
// or 0 when there is none to arm: the timer is off or no thread runs
// here.
func profileDeadline() int64 {
	c := me()
	if c.prof.paused || !cur().mine() {
		return 0
	}
	return c.prof.due
}

// profileTick runs in the timer interrupt: if a tick is due and the
// interrupt came from the program, SIGPROF goes to the running thread.
// An interrupt that finds the CPU idle (the only kernel code that runs
// with interrupts on) takes no tick: the CPU's clock is paused.
func profileTick(fromUser bool) {
	t := cur()
	if !fromUser || !t.mine() {
		return
	}
	if !me().prof.tick(nanotime(), profInterval) {
		return
	}
	if profInterval <= 0 {
		setProfileTimer(0, 0) // one-shot: off on every CPU
	}
	t.pendingSignals |= sigframe.Bit(SIGPROF)
	t.kernelSignals |= sigframe.Bit(SIGPROF)
}

// setProfileTimer starts the profiling timer on every CPU that runs
// threads, the first tick value from now and then every interval (value
// 0: stops it).
func setProfileTimer(interval, value int64) {
	now := nanotime()
	profInterval = interval
	for i := range bootCPUs.n {
		cpus[i].prof.set(now, value)
	}
}
