package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/futex"
)

// pid is the process ID the program sees: it is the only process.
const pid = 1

func sysGetpid(t *Thread, f *amd64.TrapFrame) uint64 { return pid }

func sysGettid(t *Thread, f *amd64.TrapFrame) uint64 { return uint64(t.tid) }

// threadCloneFlags are what a new thread must share with its creator;
// coracle has one address space and one process, so anything else (a
// fork) cannot be done.
const threadCloneFlags = linux.CLONE_VM | linux.CLONE_FS | linux.CLONE_FILES | linux.CLONE_SIGHAND | linux.CLONE_THREAD

// sysClone creates a thread (docs/linux-abi.md §3): the child starts at the
// same RIP with the parent's registers, RAX = 0, RSP = the new stack,
// FS base = tls when CLONE_SETTLS, the parent's signal mask and vector
// state.
func sysClone(t *Thread, f *amd64.TrapFrame) uint64 {
	flags := f.RDI
	if flags&threadCloneFlags != threadCloneFlags {
		return linux.EINVAL.Ret() // fork-like clones: there is one process
	}
	if flags&(linux.CLONE_PARENT_SETTID|linux.CLONE_CHILD_SETTID|linux.CLONE_CHILD_CLEARTID) != 0 {
		return linux.EINVAL.Ret() // not used by the Go runtime; refuse rather than ignore
	}
	child, errno := newThread()
	if child == nil {
		return errno.Ret()
	}
	child.Frame = *f
	child.Frame.RAX = 0
	child.Frame.RSP = f.RSI
	child.fsBase = t.fsBase
	if flags&linux.CLONE_SETTLS != 0 {
		child.fsBase = f.R8
	}
	child.sigMask = t.sigMask
	child.notOn = t.notOn
	copyVectorState(child.xsave, t.xsave)
	kickIdleCPU(child)
	return uint64(child.tid)
}

// sysExit ends the calling thread. The runtime has already released its
// stack (docs/linux-abi.md §3), so nothing of the thread's user memory is
// touched.
func sysExit(t *Thread, f *amd64.TrapFrame) uint64 {
	freeThread(t)
	if liveThreads() == 0 {
		Exit(int(int32(f.RDI)) & 0xff)
	}
	return 0
}

func sysExitGroup(t *Thread, f *amd64.TrapFrame) uint64 {
	Exit(int(int32(f.RDI)) & 0xff)
	return 0
}

func sysSchedYield(t *Thread, f *amd64.TrapFrame) uint64 {
	me().sliceEnd = 0 // let schedule pick another runnable thread
	return 0
}

func sysNanosleep(t *Thread, f *amd64.TrapFrame) uint64 {
	ns, ok := readTimespec(f.RDI)
	if !ok {
		return linux.EINVAL.Ret()
	}
	sleep(t, nanotime()+ns)
	return 0
}

func sysClockNanosleep(t *Thread, f *amd64.TrapFrame) uint64 {
	const timerAbstime = 1
	ns, ok := readTimespec(f.RDX)
	if !ok {
		return linux.EINVAL.Ret()
	}
	switch f.RDI {
	case linux.CLOCK_MONOTONIC, linux.CLOCK_BOOTTIME:
		if f.RSI&timerAbstime == 0 {
			ns += nanotime()
		}
	case linux.CLOCK_REALTIME:
		if f.RSI&timerAbstime == 0 {
			ns += nanotime()
		} else {
			ns -= walltime() - nanotime()
		}
	default:
		return linux.EINVAL.Ret()
	}
	sleep(t, ns)
	return 0
}

// sleep blocks t until the monotonic time deadline.
func sleep(t *Thread, deadline int64) {
	if deadline <= nanotime() {
		me().sliceEnd = 0 // as sched_yield: a zero sleep gives up the CPU
		return
	}
	block(t, waitSleep, deadline)
}

func sysFutex(t *Thread, f *amd64.TrapFrame) uint64 {
	op := f.RSI &^ (linux.FUTEX_PRIVATE_FLAG | linux.FUTEX_CLOCK_REALTIME)
	addr := f.RDI
	switch op {
	case linux.FUTEX_WAIT:
		word, ok := userU32(addr, false)
		if !ok {
			return linux.EFAULT.Ret()
		}
		if *word != uint32(f.RDX) {
			return linux.EAGAIN.Ret()
		}
		var deadline int64
		if f.R10 != 0 {
			ns, ok := readTimespec(f.R10)
			if !ok {
				return linux.EINVAL.Ret()
			}
			deadline = nanotime() + max(ns, 1)
		}
		futexes.Wait(t.slot(), addr)
		block(t, waitFutex, deadline)
		return 0
	case linux.FUTEX_WAKE:
		if addr%4 != 0 {
			return linux.EINVAL.Ret()
		}
		var woken [futex.MaxWaiters]int
		n := futexes.Wake(addr, futex.WakeCount(uint32(f.RDX)), woken[:])
		for _, i := range woken[:n] {
			wake(&threads[i], 0)
		}
		return uint64(n)
	}
	return linux.ENOSYS.Ret()
}
