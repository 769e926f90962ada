// Package hosttsc measures the host's time-stamp counter frequency, which
// coracle run gives a coracle guest under TCG (coracle.tsc_khz, so that
// the kernel need not calibrate against the PIT) and the benchmarks a
// Linux guest (tsc_early_khz).
//
// Host only: never linked into an image.
package hosttsc

import (
	"runtime"
	"slices"
	"time"
)

// The Linux guest's TSC frequency, given on its command line.
//
// Linux calibrates the TSC against the PIT at boot. Under TCG that
// sometimes fails ("tsc: Unable to calibrate against PIT", "No reference
// (HPET/PMTIMER) available"; 3 boots of 9 here), and the kernel
// then hangs before it reaches /init; with ACPI on it can also hang in
// the IO-APIC timer check just before. tsc_early_khz= skips the
// calibration. Under TCG the guest's TSC is the host's, unscaled (QEMU's
// cpu_get_ticks reads the host counter), so the host's frequency is the
// right value; HostKHz measures it. The coracle kernel calibrates its
// TSC itself and is not given anything.

// HostKHz measures the host's TSC frequency in kHz against the
// monotonic clock: the median of three 50 ms measurements, each on one
// OS thread. It returns 0 where the TSC cannot be read.
func HostKHz() uint64 {
	if runtime.GOARCH != "amd64" {
		return 0
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var khz []uint64
	for range 3 {
		t0, c0 := time.Now(), rdtsc()
		time.Sleep(50 * time.Millisecond)
		t1, c1 := time.Now(), rdtsc()
		us := uint64(t1.Sub(t0) / time.Microsecond)
		if c1 <= c0 || us == 0 {
			return 0
		}
		khz = append(khz, (c1-c0)*1000/us)
	}
	slices.Sort(khz)
	return khz[1]
}
