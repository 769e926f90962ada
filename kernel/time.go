package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/arch/amd64/pc/i8254"
	"github.com/coracle-os/coracle/arch/amd64/pc/i8259"
	"github.com/coracle-os/coracle/arch/amd64/pc/mc146818"
	"github.com/coracle-os/coracle/kernel/clock"
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

// pitCalibrationTicks is the PIT interval the TSC is measured over when
// CPUID does not give its frequency: 5 ms, enough for a 0.02% error.
const pitCalibrationTicks = 5966

var (
	clk   clock.Clock
	tsc   clock.TSC // TSC <-> ns, for the deadline timer
	lapic amd64.LAPIC

	tscHz          uint64
	useTSCDeadline bool
	// armedAt is the deadline the timer is armed for (0: none).
	armedAt int64
	// apicTicksPerMs is the one-shot timer's rate (divide by 16).
	apicTicksPerMs uint64
)

// setupTime picks the clock sources and starts the local APIC. It runs
// after setupMemory: it needs the direct map and the frame allocator.
func setupTime() {
	leaves := amd64.ReadTSCLeaves()
	hz, src := leaves.Frequency()
	if src == amd64.TSCUnknown {
		hz = 0
	}
	if kvm := clock.DetectKVMClock(); kvm.OK {
		pa, ok := frames.AllocZeroed()
		if !ok {
			outOfMemory("kvmclock")
		}
		page := physMem.Page(pa)
		pv := (*clock.PvclockVCPUTimeInfo)(unsafe.Pointer(&page[0]))
		clock.EnableKVMClock(pa)
		clk.InitKVMClock(pv, kvm.Stable)
		wall := (*clock.PvclockWallClock)(unsafe.Pointer(&page[64]))
		clock.RequestKVMWallClock(pa + 64)
		clk.SetWallClockKVM(wall)
		if hz == 0 {
			hz = pv.TSCHz() // kvmclock's scale: no need to measure
		}
	} else {
		if hz == 0 {
			var ok bool
			if hz, ok = i8254.CalibrateTSC(pitCalibrationTicks); !ok {
				bootFailure("cannot tell the TSC's frequency: no CPUID leaf gives it, there is no kvmclock, and no PIT answers")
			}
		}
		clk.InitTSC(clock.NewTSC(hz), leaves.InvariantTSC())
		if unix, ok := mc146818.PC.Read(); ok {
			clk.SetRealtime(unix * 1e9)
		} else {
			console.str("coracle: no CMOS real-time clock: the wall clock starts at 1970\n")
		}
	}
	tsc = clock.NewTSC(hz)
	tscHz = hz
	setupAPICTimer()
}

// setupAPICTimer maps nothing (the MMIO window is in the direct map) and
// enables the local APIC with its timer.
func setupAPICTimer() {
	base := amd64.ReadAPICBase()
	if !base.Enabled() || base.X2APIC() {
		bootFailure("the local APIC is disabled or in x2APIC mode")
	}
	lapic.Base = directMapBase + uintptr(base.Phys())
	i8259.Disable(vectorLegacyPIC)
	lapic.Enable(vectorSpurious)
	// LINT0 is wired to the PICs in virtual-wire mode; nothing should
	// arrive through either line.
	lapic.Mask(amd64.LAPIC_LVT_LINT0)
	lapic.Mask(amd64.LAPIC_LVT_LINT1)
	setupIOAPIC()
	if amd64.TSCDeadlineSupported() {
		useTSCDeadline = true
		lapic.SetTSCDeadline(vectorTimer)
		return
	}
	// Measure the one-shot timer against the TSC over 1 ms.
	lapic.SetOneShot(vectorTimer, amd64.TIMER_DCR_DIV16)
	lapic.Mask(amd64.LAPIC_LVT_TIMER)
	lapic.ArmOneShot(^uint32(0))
	start := amd64.Rdtsc()
	for tsc.Nanoseconds(amd64.Rdtsc()-start) < 1e6 {
	}
	apicTicksPerMs = uint64(^uint32(0) - lapic.TimerCount())
	lapic.SetOneShot(vectorTimer, amd64.TIMER_DCR_DIV16)
}

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
// looks for work. The timer is armed for the earliest deadline.
func idle() {
	armTimer(nanotime())
	amd64.WaitForInterrupt()
}
