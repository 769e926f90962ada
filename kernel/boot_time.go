package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/arch/amd64/pc/i8254"
	"github.com/coracle-os/coracle/arch/amd64/pc/i8259"
	"github.com/coracle-os/coracle/arch/amd64/pc/mc146818"
	"github.com/coracle-os/coracle/kernel/clock"
)

// pitCalibrationTicks is the PIT interval the TSC is measured over when
// CPUID does not give its frequency: 5 ms, enough for a 0.02% error.
const pitCalibrationTicks = 5966

// setupTime picks the clock sources and starts the local APIC. It runs
// after setupMemory: it needs the direct map and the frame allocator.
func setupTime() {
	leaves := amd64.ReadTSCLeaves()
	hz, src := leaves.Frequency()
	if src == amd64.TSCUnknown {
		hz = 0
	}
	if kvm := clock.DetectKVMClock(); kvm.OK {
		pv := setupKVMClock(kvm) // a record per CPU (boot_kvmclock.go)
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

// setupAPICTimer maps nothing (the MMIO window is in the direct map),
// chooses the APIC mode and enables the local APIC with its timer.
func setupAPICTimer() {
	base := amd64.ReadAPICBase()
	if !base.Enabled() {
		bootFailure("the local APIC is disabled")
	}
	setupLAPICMode(base) // xAPIC or x2APIC (boot_apic.go)
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
