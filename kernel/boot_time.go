package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/arch/amd64/pc/i8254"
	"github.com/coracle-os/coracle/arch/amd64/pc/i8259"
	"github.com/coracle-os/coracle/arch/amd64/pc/mc146818"
	"github.com/coracle-os/coracle/kernel/abi/cmdline"
	"github.com/coracle-os/coracle/kernel/clock"
)

// pitCalibrationTicks is the PIT interval the TSC is measured over when
// CPUID does not give its frequency: 5 ms, enough for a 0.02% error.
const pitCalibrationTicks = 5966

// tscKHzParam is coracle.tsc_khz: the TSC's rate in kHz as the host
// knows it (coracle run gives it under TCG, whose guest TSC is the host's
// counter), used when neither CPUID nor kvmclock gives the rate, instead
// of measuring it against the PIT (5 ms or more). 0: not given.
var tscKHzParam uint64

// TSC rates coracle.tsc_khz accepts: 1 MHz to 100 GHz.
const (
	minTSCKHz = 1_000
	maxTSCKHz = 100_000_000
)

// readTSCParam reads coracle.tsc_khz=N; a value that is not a decimal
// number of kHz in range stops the boot, naming it.
//
// Runs before the Go runtime: no allocation.
func readTSCParam(cmd string) {
	sc := cmdline.NewScanner(cmd)
	for w, ok := sc.Next(); ok; w, ok = sc.Next() {
		if w.Key != "coracle.tsc_khz" {
			continue
		}
		khz, ok := parseDecimal(w.Value)
		if !ok || khz < minTSCKHz || khz > maxTSCKHz {
			console.str("coracle: coracle.tsc_khz=")
			console.str(w.Value)
			console.str(" is not a TSC rate in kHz (1000 to 100000000)\n")
			bootFailure("bad coracle.tsc_khz value")
		}
		tscKHzParam = khz
	}
}

// parseDecimal reads s as an unsigned decimal number of at most 18
// digits (no sign, no spaces).
func parseDecimal(s string) (uint64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + uint64(s[i]-'0')
	}
	return n, true
}

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
			hz = tscKHzParam * 1000 // coracle.tsc_khz; 0 if not given
		}
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
	// The one-shot timer's rate is measured against the TSC while the
	// rest of the boot runs: it counts down, masked, from here until
	// finishAPICCalibration, which the boot calls before any timer is
	// armed, instead of a wait here.
	lapic.SetOneShot(vectorTimer, amd64.TIMER_DCR_DIV16)
	lapic.Mask(amd64.LAPIC_LVT_TIMER)
	before := amd64.Rdtsc()
	lapic.ArmOneShot(^uint32(0))
	apicCalibrationStart = midpoint(before, amd64.Rdtsc())
}

// midpoint is the TSC halfway between two readings: the time of a
// register access between them, which under a hypervisor is an exit
// whose length would otherwise all count on one side.
func midpoint(a, b uint64) uint64 { return a + (b-a)/2 }

// apicCalibrationMin is the shortest interval the one-shot timer's rate
// is measured over: at the 1 GHz bus of QEMU and KVM, divided by 16, 1
// ms is 62,500 ticks, a rate within 1/60,000 (plus what reading the two
// counters one after the other adds).
const apicCalibrationMin = 1_000_000 // ns

// finishAPICCalibration reads how far the one-shot timer has counted
// since setupAPICTimer started it and sets apicTicksPerMs, waiting only
// if the boot in between took less than apicCalibrationMin (under TCG
// it takes several milliseconds, so nothing is waited for).
func finishAPICCalibration() {
	start := apicCalibrationStart
	if start == 0 {
		return
	}
	for tsc.Nanoseconds(amd64.Rdtsc()-start) < apicCalibrationMin {
	}
	before := amd64.Rdtsc()
	count := uint64(^uint32(0) - lapic.TimerCount())
	now := midpoint(before, amd64.Rdtsc())
	apicTicksPerMs = max(count*1e6/tsc.Nanoseconds(now-start), 1)
	lapic.ArmOneShot(0) // stopped until the scheduler arms it
	lapic.SetOneShot(vectorTimer, amd64.TIMER_DCR_DIV16)
	apicCalibrationStart = 0
}
