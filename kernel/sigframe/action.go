package sigframe

import "github.com/coracle-os/coracle/kernel/abi/linux"

// sa_flags bits the kernel acts on (include/uapi/asm-generic/signal-defs.h,
// arch/x86/include/uapi/asm/signal.h).
const (
	SA_SIGINFO   = 0x4
	SA_ONSTACK   = 0x08000000
	SA_RESTORER  = 0x04000000
	SA_NODEFER   = 0x40000000
	SA_RESETHAND = 0x80000000
)

// Special handlers (include/uapi/asm-generic/signal-defs.h).
const (
	SIG_DFL = 0
	SIG_IGN = 1
)

// Action is the kernel's struct sigaction on x86-64, as rt_sigaction
// copies it in and out (sa_handler, sa_flags, sa_restorer, sa_mask).
type Action struct {
	Handler  uint64
	Flags    uint64
	Restorer uint64
	Mask     uint64
}

// Bit is signal sig's bit in a sigset_t (signal 1 is bit 0).
//
// Trap context: arithmetic.
func Bit(sig int) uint64 { return 1 << (sig - 1) }

// Unblockable are the signals that can be neither blocked nor caught:
// SIGKILL and SIGSTOP.
const Unblockable = 1<<(linux.SIGKILL-1) | 1<<(linux.SIGSTOP-1)

// HandlerMask is the signal mask a handler for sig runs with: the
// thread's mask, sa_mask, and sig itself unless SA_NODEFER
// (sigaction(2)); never the unblockable signals.
//
// Trap context: arithmetic.
func HandlerMask(mask uint64, sig int, act *Action) uint64 {
	if act.Flags&SA_NODEFER == 0 {
		mask |= Bit(sig)
	}
	return mask | act.Mask&^Unblockable
}

// Stack is Linux's stack_t (arch/x86/include/uapi/asm/signal.h): an
// alternate signal stack, as sigaltstack(2) sets and reports it. A zero
// Stack is "none".
type Stack struct {
	SP    uint64 // ss_sp: the lowest address
	Flags int32  // ss_flags
	_     int32
	Size  uint64 // ss_size
}

// On reports whether sp is on the stack: above its base, at most at its
// top (stacks grow down; Linux's on_sig_stack).
//
// Trap context: arithmetic.
func (s *Stack) On(sp uint64) bool {
	return s.Size != 0 && sp > s.SP && sp-s.SP <= s.Size
}

// Status is the stack as sigaltstack reports it and a signal frame's
// uc_stack records it for a thread whose stack pointer is sp: ss_flags
// is SS_DISABLE without a stack, SS_ONSTACK while sp is on it.
//
// Trap context: arithmetic.
func (s *Stack) Status(sp uint64) Stack {
	st := *s
	switch {
	case s.Size == 0:
		st.Flags = linux.SS_DISABLE
	case s.On(sp):
		st.Flags = linux.SS_ONSTACK
	default:
		st.Flags = 0
	}
	return st
}

// ValidateStack checks a stack given to sigaltstack and returns what the
// thread keeps: EINVAL for flags other than SS_DISABLE (SS_AUTODISARM is
// not supported), ENOMEM for an enabled stack smaller than MINSIGSTKSZ,
// and the zero Stack for SS_DISABLE. The caller refuses any change with
// EPERM while the thread runs on its current stack.
//
// Trap context: arithmetic.
func ValidateStack(next Stack) (Stack, linux.Errno) {
	if next.Flags&^linux.SS_DISABLE != 0 {
		return Stack{}, linux.EINVAL
	}
	if next.Flags&linux.SS_DISABLE != 0 {
		return Stack{}, 0
	}
	if next.Size < linux.MINSIGSTKSZ {
		return Stack{}, linux.ENOMEM
	}
	return next, 0
}
