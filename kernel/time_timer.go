package kernel

import "github.com/coracle-os/coracle/arch/amd64"

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

// armTimer programs the next timer interrupt: the earliest deadline of a
// blocked thread, and the end of the running thread's timeslice if
// another thread is waiting for the CPU.
func armTimer(now int64) {
	at := nextDeadline()
	if runnableOthers() && (at == 0 || sliceEnd < at) {
		at = sliceEnd
	}
	if p := profileDeadline(now); p != 0 && (at == 0 || p < at) {
		at = p
	}
	if at == armedAt {
		return // already armed for it: reprogramming the APIC costs a VM exit
	}
	armedAt = at
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

func stopTimer() {
	if useTSCDeadline {
		amd64.ArmTSCDeadline(0)
	} else {
		lapic.ArmOneShot(0)
	}
}

// runnableOthers reports whether a thread other than the running one
// wants the CPU.
func runnableOthers() bool {
	for i := range liveSlots() {
		if i != currentIndex && threads[i].state == threadRunnable {
			return true
		}
	}
	return false
}

// timerInterrupt acknowledges the timer; schedule (after every trap from
// ring 3) or the idle loop then wakes sleepers and rotates threads.
func timerInterrupt() {
	armedAt = 0 // one-shot: nothing is armed any more
	lapic.EOI()
}

// idle waits, interrupts on, for the next interrupt; the caller then
// looks for work. The timer is armed for the earliest deadline. The time
// waited counts as idle time (/proc/uptime).
func idle() {
	start := nanotime()
	armTimer(start)
	amd64.WaitForInterrupt()
	idleNs += nanotime() - start
}
