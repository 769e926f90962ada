package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/linux"
)

// The profiling timer, ITIMER_PROF (setitimer(2)): the Go runtime's CPU
// profiler sets it to 100 Hz (when timer_create, its per-thread
// alternative, is missing) and expects SIGPROF with si_code SI_KERNEL.
// The CPU time of the program's threads is charged at each return to
// ring 3, from the moment the thread last resumed; while the timer runs,
// the local APIC timer is armed for when it expires, so a thread that
// computes without system calls is still interrupted. The signal goes to
// the thread that was running, as Linux sends it to the process.

const (
	itimerReal    = 0
	itimerVirtual = 1
	itimerProf    = 2
)

var (
	profInterval int64 // ns; 0: the timer is off
	profLeft     int64 // CPU ns until it expires
	// resumedAt is when the running thread last resumed in ring 3 (0:
	// never), set at the end of schedule.
	resumedAt int64
)

// chargeProfile charges the CPU time since resumedAt to the profiling
// timer and raises SIGPROF on t when it expires.
func chargeProfile(t *Thread, now int64) {
	if profLeft == 0 || resumedAt == 0 || now <= resumedAt {
		return
	}
	profLeft -= now - resumedAt
	if profLeft > 0 {
		return
	}
	t.pendingSignals |= sigbit(SIGPROF)
	t.kernelSignals |= sigbit(SIGPROF)
	profLeft = profInterval // 0 for a one-shot timer: off
	if profLeft > 0 && profLeft < 1000 {
		profLeft = 1000
	}
}

// profileDeadline is when the running thread's CPU time next expires the
// profiling timer, or 0.
func profileDeadline(now int64) int64 {
	if profLeft == 0 || cur().state != threadRunning {
		return 0
	}
	return now + profLeft
}

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
	if e := writeItimerval(f.RDX, profInterval, profLeft); e != 0 {
		return e.Ret()
	}
	profInterval, profLeft = interval, value
	if resumedAt == 0 || profLeft == 0 {
		resumedAt = nanotime() // charge from now on
	}
	return 0
}

// getitimer(which, cur)
func sysGetitimer(t *Thread, f *amd64.TrapFrame) uint64 {
	if f.RDI != itimerProf {
		return unsupportedTimer(f.RDI)
	}
	return writeItimerval(f.RSI, profInterval, profLeft).Ret0()
}

var itimerLogged [3]bool

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
