package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// clockNow reads clock id in nanoseconds; ok is false for clocks coracle
// does not have.
func clockNow(id uint64) (int64, bool) {
	switch id {
	case linux.CLOCK_REALTIME, linux.CLOCK_REALTIME_COARSE:
		return walltime(), true
	case linux.CLOCK_MONOTONIC, linux.CLOCK_MONOTONIC_RAW, linux.CLOCK_MONOTONIC_COARSE, linux.CLOCK_BOOTTIME:
		return nanotime(), true
	case linux.CLOCK_PROCESS_CPUTIME_ID, linux.CLOCK_THREAD_CPUTIME_ID:
		// Time since boot bounds the CPU time used; there is no
		// per-thread accounting yet.
		return nanotime(), true
	}
	return 0, false
}

func sysClockGettime(t *Thread, f *amd64.TrapFrame) uint64 {
	ns, ok := clockNow(f.RDI)
	if !ok {
		return linux.EINVAL.Ret()
	}
	if !writeTimespec(f.RSI, ns) {
		return linux.EFAULT.Ret()
	}
	return 0
}

func sysClockGetres(t *Thread, f *amd64.TrapFrame) uint64 {
	if _, ok := clockNow(f.RDI); !ok {
		return linux.EINVAL.Ret()
	}
	if f.RSI != 0 && !writeTimespec(f.RSI, 1) {
		return linux.EFAULT.Ret()
	}
	return 0
}

func sysGettimeofday(t *Thread, f *amd64.TrapFrame) uint64 {
	if f.RDI != 0 {
		b, ok := userBytes(f.RDI, 16, true)
		if !ok {
			return linux.EFAULT.Ret()
		}
		ns := walltime()
		putU64(b, uint64(ns/1e9))
		putU64(b[8:], uint64(ns%1e9/1e3))
	}
	return 0
}

func putU64(b []byte, v uint64) {
	_ = b[7]
	for i := range 8 {
		b[i] = byte(v >> (8 * i))
	}
}
