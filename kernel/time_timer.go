package kernel

import (
	"sync/atomic"

	"github.com/coracle-os/coracle/arch/amd64"
)

// Time: a monotonic clock (kvmclock under KVM, else the TSC at a
// frequency from CPUID or measured against the PIT), the wall clock
// (kvmclock's, else the CMOS RTC), and the local APIC timer, which ends
// timeslices and wakes sleepers (TSC-deadline mode when the CPU has it,
// one-shot otherwise). Between deadlines the CPU halts: there is no
// periodic tick.

// Interrupt vectors (the first 32 are the CPU's exceptions).
const (
	vectorTimer    = 0x20
	vectorSpurious = 0xFF
	// vectorLegacyPIC is where the masked 8259 PICs are parked: a
	// spurious IRQ 7 or 15 from them lands here and is ignored.
	vectorLegacyPIC = 0xE0
)

// nanotime is CLOCK_MONOTONIC in nanoseconds.
func nanotime() int64 { return clk.Monotonic() }

// walltime is CLOCK_REALTIME in nanoseconds since 1970.
func walltime() int64 { return clk.Realtime() }

// armTimer programs the calling CPU's next timer interrupt: the earliest
// deadline of a blocked thread (any CPU may wake it) unless another
// CPU's timer fires by then, and the end of the running thread's
// timeslice if another thread is waiting for a CPU.
//
// lazy leaves a timer armed for sooner than needed as it is: the CPU
// runs a thread, and the early interrupt costs it less than a
// reprogramming, which under a hypervisor is an exit, and under TCG
// takes QEMU's global lock. The idle loop arms exactly (lazy false):
// there an early interrupt would wake a halted CPU for nothing.
func armTimer(now int64, lazy bool) {
	c := me()
	at := nextDeadline()
	if at != 0 && deadlineCovered(at) {
		at = 0
	}
	if c.current >= 0 && cur().mine() && runnableOthers() && (at == 0 || c.sliceEnd < at) {
		at = c.sliceEnd
	}
	if p := profileDeadline(); p != 0 && (at == 0 || p < at) {
		at = p
	}
	if at == c.armedAt {
		return // already armed for it: reprogramming the APIC costs a VM exit
	}
	if lazy && c.armedAt != 0 && (at == 0 || c.armedAt < at) {
		// Armed for sooner: let it fire and re-arm then (schedule
		// does, after every interrupt from ring 3), rather than pay
		// for reprogramming now and perhaps again before it.
		return
	}
	c.armedAt = at
	sysprofEvent(sysprofTimerArm, amd64.Rdtsc())
	if at == 0 {
		stopTimer()
		return
	}
	delta := max(at-now, 1000) // at least 1 µs: never in the past
	if useTSCDeadline {
		amd64.ArmTSCDeadline(amd64.Rdtsc() + tsc.Cycles(uint64(delta)))
		return
	}
	ticks := uint64(delta) * apicTicksPerMs / 1e6
	lapic.ArmOneShot(uint32(min(max(ticks, 1), 1<<32-1)))
}

// deadlineCovered reports whether another CPU's timer fires by d: that
// CPU then wakes the sleeper (and kicks an idle CPU for it if busy) or
// re-arms, so this one need not wake too. Without it every idle CPU
// would wake for every deadline and contend for the kernel lock.
func deadlineCovered(d int64) bool {
	self := thisCPU()
	for i := range bootCPUs.n {
		if a := cpus[i].armedAt; i != self && cpus[i].scheduling && a != 0 && a <= d {
			return true
		}
	}
	return false
}

func stopTimer() {
	if useTSCDeadline {
		amd64.ArmTSCDeadline(0)
	} else {
		lapic.ArmOneShot(0)
	}
}

// runnableOthers reports whether a thread waits for a CPU (a runnable
// thread is running nowhere).
func runnableOthers() bool {
	for i := range liveSlots() {
		if threads[i].state == threadRunnable {
			return true
		}
	}
	return false
}

// timerInterrupt acknowledges the timer; schedule (after every trap from
// ring 3) or the idle loop then wakes sleepers and rotates threads.
func timerInterrupt() {
	me().armedAt = 0 // one-shot: nothing is armed any more
	lapic.EOI()
}

// idleSpinMax is the longest wait for a deadline that the idle loop
// spends watching the clock instead of halting.
const idleSpinMax = 20_000 // ns

// idlePollNs is how long an idle CPU polls for a wake-up before it halts,
// when more than one CPU runs threads (coracle.idlepoll, in
// microseconds; 0: halt at once). A wake-up from another CPU within it
// costs neither a kick IPI nor a halted vCPU's resume, which under a
// hypervisor are exits (docs/smp.md, "Choices, and what they cost").
// Boot-set.
var idlePollNs int64 = 50_000

// maxIdlePollMicros is the longest idle poll coracle.idlepoll accepts.
const maxIdlePollMicros = 1000

// idle waits, with the kernel lock let go and interrupts on, for the
// next interrupt or kick on CPU self; the caller then looks for work.
// With more than one CPU it polls for a wake-up for idlePollNs before it
// halts. The timer is armed for the earliest deadline. A deadline at most
// idleSpinMax away is waited for by watching the clock, interrupts off
// (a kick or an interrupt then waits that long at most). The time waited
// counts as idle time (/proc/uptime, summed over CPUs).
func idle(self int) {
	c := &cpus[self]
	start := nanotime()
	c.prof.pause(start) // idle time is no one's CPU time
	if d := nextDeadline(); d != 0 && d-start <= idleSpinMax {
		// A deadline this close (the Go runtime's usleep(3) before it
		// steals a goroutine) comes sooner by watching the clock than
		// by arming the timer and halting, which costs a timer
		// interrupt and, under a hypervisor, two exits.
		spinStart := amd64.Rdtsc()
		unlockKernel()
		for nanotime() < d {
		}
		lockKernel(self)
		sysprofEvent(sysprofIdleSpin, spinStart)
		endIdle(c, start)
		return
	}
	armTimer(start, false)
	c.idle = true
	if idlePollNs > 0 && schedCPUs > 1 {
		// Poll first, interrupts on: a thread made runnable for this
		// CPU within idlePollNs is run without a kick, a halt and a
		// resume, each dear under a hypervisor.
		pollEnd, forDeadline := start+idlePollNs, false
		if d := nextDeadline(); d != 0 && d < pollEnd {
			pollEnd, forDeadline = d, true
		}
		atomic.StoreUint32(&c.polling, 1)
		pollStart := amd64.Rdtsc()
		unlockKernel()
		amd64.PollWithInterrupts(&c.polling, pollStart+tsc.Cycles(uint64(max(pollEnd-start, 0))))
		lockKernel(self)
		sysprofEvent(sysprofIdlePoll, pollStart)
		woken := atomic.SwapUint32(&c.polling, 0) == 0
		if woken || !c.idle || forDeadline && nanotime() >= pollEnd {
			// Work came, or the deadline did: schedule looks.
			c.idle = false
			endIdle(c, start)
			return
		}
	}
	haltStart := amd64.Rdtsc()
	unlockKernel()
	amd64.WaitForInterrupt()
	lockKernel(self)
	sysprofEvent(sysprofHalt, haltStart)
	c.idle = false
	endIdle(c, start)
}

// endIdle ends an idle period of CPU c begun at start: its profiling
// clock runs again, and the time counts as idle time.
func endIdle(c *cpuState, start int64) {
	end := nanotime()
	c.prof.resume(end)
	idleNs += end - start
}
