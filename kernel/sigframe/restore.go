package sigframe

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/arch/amd64"
)

// UserRFLAGS are the RFLAGS bits a handler may change through the saved
// context: CF, PF, AF, ZF, SF, TF, DF, OF, NT, RF and AC (Linux's
// FIX_EFLAGS, arch/x86/kernel/signal.c). The others (IF, IOPL, VM, ...)
// are the kernel's: rt_sigreturn gives them amd64.UserRFLAGS.
const UserRFLAGS = 1<<0 | 1<<2 | 1<<4 | 1<<6 | 1<<7 | amd64.RFLAGS_TF | amd64.RFLAGS_DF |
	1<<11 | amd64.RFLAGS_NT | 1<<16 | amd64.RFLAGS_AC

// canonical reports whether va is a canonical 48-bit address: bits 63..47
// all equal (SDM Vol. 1 §3.3.7.1). IRETQ to a non-canonical RIP faults in
// ring 0, before the return.
func canonical(va uint64) bool {
	return uint64(int64(va<<16)>>16) == va
}

// Restore reads the ucontext uc a handler returns with (rt_sigreturn:
// the handler's RET popped pretcode, so RSP points at it) into regs and
// returns the signal mask to restore and the address of the saved vector
// state (0: none). What the program may not choose is cleaned, not
// trusted: RFLAGS keeps only UserRFLAGS from the frame, CS and SS are the
// user segments, the vector and error code are cleared, SIGKILL and
// SIGSTOP leave the mask. It reports false, changing nothing, when uc is
// shorter than a ucontext or the saved RIP is not canonical: the CPU could
// not return there, and the caller ends the program with SIGSEGV as
// Linux's failed return to user mode does.
//
// Trap context: reads uc, stores into regs.
func Restore(uc []byte, regs *amd64.TrapFrame) (mask, fpstate uint64, ok bool) {
	if len(uc) < UcontextSize {
		return 0, 0, false
	}
	le := binary.LittleEndian
	mc := uc[UcMcontextOff : UcMcontextOff+SigcontextSize]
	get := func(off int) uint64 { return le.Uint64(mc[off:]) }
	if !canonical(get(ScRIP)) {
		return 0, 0, false
	}
	*regs = amd64.TrapFrame{
		R8: get(ScR8), R9: get(ScR9), R10: get(ScR10), R11: get(ScR11),
		R12: get(ScR12), R13: get(ScR13), R14: get(ScR14), R15: get(ScR15),
		RDI: get(ScRDI), RSI: get(ScRSI), RBP: get(ScRBP), RBX: get(ScRBX),
		RDX: get(ScRDX), RAX: get(ScRAX), RCX: get(ScRCX),
		RSP: get(ScRSP), RIP: get(ScRIP),
		RFLAGS: get(ScEFLAGS)&UserRFLAGS | amd64.UserRFLAGS,
		CS:     amd64.UserCS, SS: amd64.UserDS,
	}
	return le.Uint64(uc[UcSigmaskOff:]) &^ Unblockable, get(ScFPState), true
}

// RestoreXState loads the vector state src (user memory at a frame's
// fpstate, at least fpu.Size bytes) into the thread's save area dst, made
// safe for XRSTOR/FXRSTOR, which fault in ring 0 on what a scribbled frame
// may hold (SDM Vol. 1 §10.5.1.1, §13.8): MXCSR keeps only the bits the
// CPU supports, the software-reserved bytes (_fpx_sw_bytes) are cleared,
// and under XSAVE XSTATE_BV keeps only enabled components while XCOMP_BV
// and the reserved header bytes are zeroed (the standard form). dst must
// hold the state the CPU saved on entry to rt_sigreturn: its MXCSR_MASK
// is the CPU's, and is kept. It reports false, changing nothing, if src
// or dst is shorter than fpu.Size; the caller then gives the thread a
// clean vector state.
//
// Trap context: copies into dst.
func RestoreXState(dst, src []byte, fpu FPU) bool {
	if uint64(len(src)) < fpu.Size || uint64(len(dst)) < fpu.Size || fpu.Size < FXSaveSize {
		return false
	}
	le := binary.LittleEndian
	mask := le.Uint32(dst[MXCSRMaskOff:])
	copy(dst[:fpu.Size], src[:fpu.Size])
	le.PutUint32(dst[MXCSRMaskOff:], mask)
	if mask == 0 {
		mask = DefaultMXCSRMask
	}
	le.PutUint32(dst[MXCSROff:], le.Uint32(dst[MXCSROff:])&mask)
	clear(dst[FpxSWOff:FpxSWEnd])
	if fpu.XSAVE && fpu.Size >= XHeaderEndOff {
		le.PutUint64(dst[XStateBVOff:], le.Uint64(dst[XStateBVOff:])&fpu.XCR0)
		clear(dst[XCompBVOff:XHeaderEndOff])
	}
	return true
}
