package sigframe

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/arch/amd64"
)

// Layout is where a signal frame goes in user memory.
type Layout struct {
	// Frame is the address of struct rt_sigframe, where pretcode is:
	// the handler's RSP at entry, 8 below a 16-byte boundary as if the
	// handler had been called.
	Frame uint64
	// FPState is the 64-byte aligned vector state, above the frame.
	FPState uint64
	// End is the first byte above the region the frame takes: the
	// interrupted RSP less the red zone, or the top of the alternate
	// stack. The caller checks [Frame, End) writable.
	End uint64
}

// Size is the number of bytes the frame takes, End - Frame.
//
// Trap context: arithmetic.
func (l Layout) Size() uint64 { return l.End - l.Frame }

// Place puts the frame for a handler with action act below sp, the
// interrupted RSP: on the alternate stack alt when act asks for it
// (SA_ONSTACK), the thread has one and is not already on it; otherwise
// below the red zone. The vector state goes first (highest), 64-byte
// aligned; the frame below it, aligned for the handler's entry
// (Linux's get_sigframe, fpu__alloc_mathframe and align_sigframe).
//
// Trap context: arithmetic.
func Place(sp uint64, act *Action, alt *Stack, fpu FPU) Layout {
	if act.Flags&SA_ONSTACK != 0 && alt.Size != 0 && !alt.On(sp) {
		sp = alt.SP + alt.Size
	} else {
		sp -= RedZone
	}
	fp := (sp - fpu.FrameBytes()) &^ (XStateAlign - 1)
	frame := ((fp - FrameSize) &^ (handlerStackAlign - 1)) - 8
	return Layout{Frame: frame, FPState: fp, End: sp}
}

// Info is what a handler learns about a signal in its siginfo_t.
type Info struct {
	Signo, Code int32
	Addr        uint64 // si_addr, for faults; also sigcontext.cr2
	PID, UID    uint32 // si_pid, si_uid, for kill and tgkill
	// FromUser selects the _kill member of the union (sent by kill or
	// tgkill) over _sigfault.
	FromUser bool
}

// Delivery is what a frame records besides the registers and the vector
// state.
type Delivery struct {
	Info Info
	// Mask is the thread's signal mask before the handler: rt_sigreturn
	// restores it (uc_sigmask, and sigcontext.oldmask).
	Mask uint64
	// Restorer is sa_restorer, the handler's return address (pretcode).
	Restorer uint64
	// AltStack is the thread's alternate stack as Stack.Status reports
	// it for the interrupted RSP (uc_stack).
	AltStack Stack
}

// Build writes the frame into b, the user memory from l.Frame to l.End,
// as Linux lays it out: everything zeroed first, then the vector state
// xstate (fpu.Size bytes, the thread's save area) with, under XSAVE,
// _fpx_sw_bytes and FP_XSTATE_MAGIC2 marking its size and components;
// the ucontext (uc_flags, uc_stack, the sigcontext of regs, uc_sigmask);
// the siginfo; pretcode. It reports false, writing nothing, if b or
// xstate is too short for l and fpu.
//
// Trap context: copies into b.
func Build(b []byte, l Layout, regs *amd64.TrapFrame, d *Delivery, fpu FPU, xstate []byte) bool {
	if uint64(len(b)) < l.Size() || uint64(len(xstate)) < fpu.Size ||
		l.FPState < l.Frame+FrameSize || l.FPState+fpu.FrameBytes() > l.End {
		return false
	}
	b = b[:l.Size()]
	clear(b)
	le := binary.LittleEndian
	uc := b[UcontextOff:SiginfoOff]
	info := b[SiginfoOff:FrameSize]
	fpb := b[l.FPState-l.Frame:][:fpu.FrameBytes()]

	copy(fpb, xstate[:fpu.Size])
	if fpu.XSAVE {
		le.PutUint32(fpb[FpxMagic1Off:], FP_XSTATE_MAGIC1)
		le.PutUint32(fpb[FpxExtSizeOff:], uint32(fpu.FrameBytes()))
		le.PutUint64(fpb[FpxXFeaturesOff:], fpu.XCR0)
		le.PutUint32(fpb[FpxXStateSizeOff:], uint32(fpu.Size))
		le.PutUint32(fpb[fpu.Size:], FP_XSTATE_MAGIC2)
		le.PutUint64(uc[UcFlagsOff:], UC_FP_XSTATE)
	}

	st := uc[UcStackOff:]
	le.PutUint64(st[StackSPOff:], d.AltStack.SP)
	le.PutUint32(st[StackFlagsOff:], uint32(d.AltStack.Flags))
	le.PutUint64(st[StackSizeOff:], d.AltStack.Size)

	mc := uc[UcMcontextOff : UcMcontextOff+SigcontextSize]
	putRegs(mc, regs)
	le.PutUint64(mc[ScErr:], regs.ErrorCode)
	le.PutUint64(mc[ScTrapno:], regs.Vector)
	le.PutUint64(mc[ScOldmask:], d.Mask)
	le.PutUint64(mc[ScCR2:], d.Info.Addr)
	le.PutUint64(mc[ScFPState:], l.FPState)
	le.PutUint64(uc[UcSigmaskOff:], d.Mask)

	le.PutUint32(info[SiSignoOff:], uint32(d.Info.Signo))
	le.PutUint32(info[SiCodeOff:], uint32(d.Info.Code))
	if d.Info.FromUser {
		le.PutUint32(info[SiPIDOff:], d.Info.PID)
		le.PutUint32(info[SiUIDOff:], d.Info.UID)
	} else {
		le.PutUint64(info[SiAddrOff:], d.Info.Addr)
	}

	le.PutUint64(b[0:], d.Restorer)
	return true
}

// putRegs stores the general registers, RIP, RFLAGS and the CS and SS
// selectors of r in sigcontext mc (GS and FS stay 0, as Linux leaves
// them on x86-64).
func putRegs(mc []byte, r *amd64.TrapFrame) {
	le := binary.LittleEndian
	le.PutUint64(mc[ScR8:], r.R8)
	le.PutUint64(mc[ScR9:], r.R9)
	le.PutUint64(mc[ScR10:], r.R10)
	le.PutUint64(mc[ScR11:], r.R11)
	le.PutUint64(mc[ScR12:], r.R12)
	le.PutUint64(mc[ScR13:], r.R13)
	le.PutUint64(mc[ScR14:], r.R14)
	le.PutUint64(mc[ScR15:], r.R15)
	le.PutUint64(mc[ScRDI:], r.RDI)
	le.PutUint64(mc[ScRSI:], r.RSI)
	le.PutUint64(mc[ScRBP:], r.RBP)
	le.PutUint64(mc[ScRBX:], r.RBX)
	le.PutUint64(mc[ScRDX:], r.RDX)
	le.PutUint64(mc[ScRAX:], r.RAX)
	le.PutUint64(mc[ScRCX:], r.RCX)
	le.PutUint64(mc[ScRSP:], r.RSP)
	le.PutUint64(mc[ScRIP:], r.RIP)
	le.PutUint64(mc[ScEFLAGS:], r.RFLAGS)
	le.PutUint16(mc[ScCS:], uint16(r.CS))
	le.PutUint16(mc[ScSS:], uint16(r.SS))
}

// Enter points regs at the handler for sig with the frame at l, as Linux
// calls it: RDI = sig, RSI = &siginfo, RDX = &ucontext, RAX = 0 (no
// vector arguments), RSP = the frame, so that the handler's RET pops
// pretcode; DF and TF cleared; the user code and stack segments. The
// caller also gives the thread a clean vector state.
//
// Trap context: stores into regs.
func Enter(regs *amd64.TrapFrame, l Layout, sig int, handler uint64) {
	regs.RDI = uint64(sig)
	regs.RSI = l.Frame + SiginfoOff
	regs.RDX = l.Frame + UcontextOff
	regs.RAX = 0
	regs.RSP = l.Frame
	regs.RIP = handler
	regs.RFLAGS &^= amd64.RFLAGS_DF | amd64.RFLAGS_TF
	regs.CS, regs.SS = amd64.UserCS, amd64.UserDS
}
