package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/sigframe"
)

// Signal state, recorded as Linux would so that M3 can deliver signals:
// the process-wide actions, and each thread's mask and alternate stack.

func sysRtSigaction(t *Thread, f *amd64.TrapFrame) uint64 {
	sig := f.RDI
	if sig < 1 || sig > linux.NSIG || f.R10 != 8 {
		return linux.EINVAL.Ret()
	}
	if f.RSI != 0 && (sig == linux.SIGKILL || sig == linux.SIGSTOP) {
		return linux.EINVAL.Ret()
	}
	var next sigframe.Action
	if f.RSI != 0 {
		b, ok := userBytes(f.RSI, uint64(unsafe.Sizeof(next)), false)
		if !ok {
			return linux.EFAULT.Ret()
		}
		next = *(*sigframe.Action)(unsafe.Pointer(&b[0]))
	}
	if f.RDX != 0 {
		b, ok := userBytes(f.RDX, uint64(unsafe.Sizeof(next)), true)
		if !ok {
			return linux.EFAULT.Ret()
		}
		*(*sigframe.Action)(unsafe.Pointer(&b[0])) = sigactions[sig]
	}
	if f.RSI != 0 {
		next.Mask &^= sigframe.Unblockable
		sigactions[sig] = next
	}
	return 0
}

func sysRtSigprocmask(t *Thread, f *amd64.TrapFrame) uint64 {
	if f.R10 != 8 {
		return linux.EINVAL.Ret()
	}
	old := t.sigMask
	if f.RSI != 0 {
		p, ok := userU64(f.RSI, false)
		if !ok {
			return linux.EFAULT.Ret()
		}
		set := *p &^ sigframe.Unblockable
		switch f.RDI {
		case linux.SIG_BLOCK:
			t.sigMask |= set
		case linux.SIG_UNBLOCK:
			t.sigMask &^= set
		case linux.SIG_SETMASK:
			t.sigMask = set
		default:
			return linux.EINVAL.Ret()
		}
	}
	if f.RDX != 0 {
		p, ok := userU64(f.RDX, true)
		if !ok {
			return linux.EFAULT.Ret()
		}
		*p = old
	}
	return 0
}

func sysSigaltstack(t *Thread, f *amd64.TrapFrame) uint64 {
	var next sigframe.Stack
	if f.RDI != 0 && t.altStack.On(f.RSP) {
		return linux.EPERM.Ret() // Linux: no changes while running on it
	}
	if f.RDI != 0 {
		b, ok := userBytes(f.RDI, uint64(unsafe.Sizeof(next)), false)
		if !ok {
			return linux.EFAULT.Ret()
		}
		var e linux.Errno
		if next, e = sigframe.ValidateStack(*(*sigframe.Stack)(unsafe.Pointer(&b[0]))); e != 0 {
			return e.Ret()
		}
	}
	if f.RSI != 0 {
		b, ok := userBytes(f.RSI, uint64(unsafe.Sizeof(next)), true)
		if !ok {
			return linux.EFAULT.Ret()
		}
		*(*sigframe.Stack)(unsafe.Pointer(&b[0])) = t.altStack.Status(f.RSP)
	}
	if f.RDI != 0 {
		t.altStack = next
	}
	return 0
}

// sysTgkill sends a signal to one thread of the process: the runtime
// preempts goroutines this way (SIGURG) and raises fatal signals.
func sysTgkill(t *Thread, f *amd64.TrapFrame) uint64 {
	if int64(f.RDI) != pid {
		return linux.ESRCH.Ret()
	}
	return signalThread(int32(f.RSI), f.RDX)
}

func sysTkill(t *Thread, f *amd64.TrapFrame) uint64 {
	return signalThread(int32(f.RDI), f.RSI)
}

func signalThread(tid int32, sig uint64) uint64 {
	target := threadByTID(tid)
	if target == nil {
		return linux.ESRCH.Ret()
	}
	if sig > linux.NSIG {
		return linux.EINVAL.Ret()
	}
	if sig != 0 {
		sendSignal(target, int(sig))
	}
	return 0
}

// sysKill sends a signal to the process (pid 1, or 0 and -1, which name
// it too): one thread that does not block it receives it, the calling
// thread first.
func sysKill(t *Thread, f *amd64.TrapFrame) uint64 {
	p, sig := int64(f.RDI), f.RSI
	if p != pid && p != 0 && p != -1 {
		return linux.ESRCH.Ret()
	}
	if sig > linux.NSIG {
		return linux.EINVAL.Ret()
	}
	if sig == 0 {
		return 0
	}
	target := t
	if t.sigMask&sigframe.Bit(int(sig)) != 0 {
		for i := range liveSlots() {
			if u := &threads[i]; u.state != threadFree && u.sigMask&sigframe.Bit(int(sig)) == 0 {
				target = u
				break
			}
		}
	}
	sendSignal(target, int(sig))
	return 0
}

// sysRtSigreturn restores the context saved by deliverSignal, as edited
// by the handler: every register, the flags a program may set, the
// signal mask and the vector state (sigframe.Restore says what is
// cleaned). The ucontext is at the stack pointer (the handler's RET
// popped pretcode).
func sysRtSigreturn(t *Thread, f *amd64.TrapFrame) uint64 {
	uc, ok := userBytes(f.RSP, sigframe.UcontextSize, false)
	if !ok {
		console.str("coracle: rt_sigreturn with no signal frame on the stack\n")
		programKilled(SIGSEGV)
	}
	mask, fp, ok := sigframe.Restore(uc, f)
	if !ok {
		console.str("coracle: rt_sigreturn to a non-canonical address\n")
		programKilled(SIGSEGV)
	}
	t.sigMask = mask
	restoreVectorState(t, fp)
	return f.RAX
}
