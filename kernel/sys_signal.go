package kernel

import (
	"encoding/binary"
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// Signal state, recorded as Linux would so that M3 can deliver signals:
// the process-wide actions, and each thread's mask and alternate stack.

// sigaction is the kernel's struct sigaction on x86-64 (LINUX-ABI.md §6).
type sigaction struct {
	handler  uint64
	flags    uint64
	restorer uint64
	mask     uint64
}

func sysRtSigaction(t *Thread, f *amd64.TrapFrame) uint64 {
	sig := f.RDI
	if sig < 1 || sig > linux.NSIG || f.R10 != 8 {
		return linux.EINVAL.Ret()
	}
	if f.RSI != 0 && (sig == linux.SIGKILL || sig == linux.SIGSTOP) {
		return linux.EINVAL.Ret()
	}
	var next sigaction
	if f.RSI != 0 {
		b, ok := userBytes(f.RSI, uint64(unsafe.Sizeof(next)), false)
		if !ok {
			return linux.EFAULT.Ret()
		}
		next = *(*sigaction)(unsafe.Pointer(&b[0]))
	}
	if f.RDX != 0 {
		b, ok := userBytes(f.RDX, uint64(unsafe.Sizeof(next)), true)
		if !ok {
			return linux.EFAULT.Ret()
		}
		*(*sigaction)(unsafe.Pointer(&b[0])) = sigactions[sig]
	}
	if f.RSI != 0 {
		next.mask &^= 1<<(linux.SIGKILL-1) | 1<<(linux.SIGSTOP-1)
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
		set := *p &^ (1<<(linux.SIGKILL-1) | 1<<(linux.SIGSTOP-1))
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
	var next stackT
	if f.RDI != 0 && t.onAltStack(f.RSP) {
		return linux.EPERM.Ret() // Linux: no changes while running on it
	}
	if f.RDI != 0 {
		b, ok := userBytes(f.RDI, uint64(unsafe.Sizeof(next)), false)
		if !ok {
			return linux.EFAULT.Ret()
		}
		next = *(*stackT)(unsafe.Pointer(&b[0]))
		if next.flags&^linux.SS_DISABLE != 0 {
			return linux.EINVAL.Ret()
		}
		if next.flags&linux.SS_DISABLE == 0 && next.size < linux.MINSIGSTKSZ {
			return linux.ENOMEM.Ret()
		}
	}
	if f.RSI != 0 {
		b, ok := userBytes(f.RSI, uint64(unsafe.Sizeof(next)), true)
		if !ok {
			return linux.EFAULT.Ret()
		}
		old := t.altStack
		switch {
		case old.size == 0:
			old.flags = linux.SS_DISABLE
		case t.onAltStack(f.RSP):
			old.flags = linux.SS_ONSTACK
		}
		*(*stackT)(unsafe.Pointer(&b[0])) = old
	}
	if f.RDI != 0 {
		if next.flags&linux.SS_DISABLE != 0 {
			next = stackT{}
		}
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
	if t.sigMask&sigbit(int(sig)) != 0 {
		for i := range liveSlots() {
			if u := &threads[i]; u.state != threadFree && u.sigMask&sigbit(int(sig)) == 0 {
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
// signal mask and the vector state. The ucontext is at the stack pointer
// (the handler's RET popped pretcode).
func sysRtSigreturn(t *Thread, f *amd64.TrapFrame) uint64 {
	ucAddr := f.RSP
	uc, ok := userBytes(ucAddr, ucontextSize, false)
	if !ok {
		console.str("coracle: rt_sigreturn with no signal frame on the stack\n")
		programKilled(SIGSEGV)
	}
	le := binary.LittleEndian
	mc := uc[ucMcontextOff:]
	get := func(off int) uint64 { return le.Uint64(mc[off:]) }
	*f = amd64.TrapFrame{
		R8: get(scR8), R9: get(scR9), R10: get(scR10), R11: get(scR11),
		R12: get(scR12), R13: get(scR13), R14: get(scR14), R15: get(scR15),
		RDI: get(scRDI), RSI: get(scRSI), RBP: get(scRBP), RBX: get(scRBX),
		RDX: get(scRDX), RAX: get(scRAX), RCX: get(scRCX),
		RSP: get(scRSP), RIP: get(scRIP),
		RFLAGS: get(scEFLAGS)&userRFLAGS | amd64.UserRFLAGS,
		CS:     amd64.UserCS, SS: amd64.UserDS,
	}
	t.sigMask = le.Uint64(uc[ucSigmaskOff:]) &^ unblockable
	restoreVectorState(t, get(scFPState))
	return f.RAX
}
