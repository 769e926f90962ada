package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// The profiling timer, ITIMER_PROF (setitimer(2)): the Go runtime's CPU
// profiler sets it to 100 Hz (when timer_create, its per-thread
// alternative, is missing) and expects SIGPROF with si_code SI_KERNEL.
// Samples are taken as Linux takes them, by a tick of CPU time
// (time_prof.go): while the timer runs and a thread is running, the
// local APIC timer is also armed for the CPU's next tick, and a tick
// that interrupts the program raises SIGPROF on the running thread.
// Ticks never interrupt the kernel (it runs with interrupts off), so a
// tick due during a system call lands as the call returns, on the
// wrapper that made it.

const (
	itimerReal    = 0
	itimerVirtual = 1
	itimerProf    = 2
)

// timeval is Linux's struct timeval; itimerval two of them.
type itimerval struct {
	intervalSec, intervalUsec int64
	valueSec, valueUsec       int64
}

func readItimerval(addr uint64) (interval, value int64, e linux.Errno) {
	b, ok := userBytes(addr, 32, false)
	if !ok || addr%8 != 0 {
		return 0, 0, linux.EFAULT
	}
	v := (*itimerval)(unsafe.Pointer(&b[0]))
	if v.intervalSec < 0 || v.intervalUsec < 0 || v.intervalUsec >= 1e6 || v.valueSec < 0 || v.valueUsec < 0 || v.valueUsec >= 1e6 ||
		v.intervalSec > 1<<32 || v.valueSec > 1<<32 {
		return 0, 0, linux.EINVAL
	}
	return v.intervalSec*1e9 + v.intervalUsec*1e3, v.valueSec*1e9 + v.valueUsec*1e3, 0
}

func writeItimerval(addr uint64, interval, value int64) linux.Errno {
	if addr == 0 {
		return 0
	}
	b, ok := userBytes(addr, 32, true)
	if !ok || addr%8 != 0 {
		return linux.EFAULT
	}
	*(*itimerval)(unsafe.Pointer(&b[0])) = itimerval{interval / 1e9, interval % 1e9 / 1e3, value / 1e9, value % 1e9 / 1e3}
	return 0
}

// setitimer(which, new, old): ITIMER_PROF only; ITIMER_REAL and
// ITIMER_VIRTUAL fail with EINVAL, and are logged once.
func sysSetitimer(t *Thread, f *amd64.TrapFrame) uint64 {
	if f.RDI != itimerProf {
		return unsupportedTimer(f.RDI)
	}
	interval, value, e := readItimerval(f.RSI)
	if e != 0 {
		return e.Ret()
	}
	if e := writeItimerval(f.RDX, profInterval, me().prof.remaining(nanotime())); e != 0 {
		return e.Ret()
	}
	setProfileTimer(interval, value)
	return 0
}

// getitimer(which, cur)
func sysGetitimer(t *Thread, f *amd64.TrapFrame) uint64 {
	if f.RDI != itimerProf {
		return unsupportedTimer(f.RDI)
	}
	return writeItimerval(f.RSI, profInterval, me().prof.remaining(nanotime())).Ret0()
}

func unsupportedTimer(which uint64) uint64 {
	if which != itimerReal && which != itimerVirtual {
		return linux.EINVAL.Ret()
	}
	if !itimerLogged[which] {
		itimerLogged[which] = true
		console.str("coracle: setitimer: only ITIMER_PROF is implemented; ITIMER_REAL and ITIMER_VIRTUAL fail with EINVAL\n")
	}
	return linux.EINVAL.Ret()
}
