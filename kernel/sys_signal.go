package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/linux"
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

var sigactions [linux.NSIG + 1]sigaction

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
		if old.size == 0 {
			old.flags = linux.SS_DISABLE
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
