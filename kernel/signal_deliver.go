package kernel

import (
	"encoding/binary"
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/exitstatus"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/mm"
)

// Signal delivery as Linux does it on x86-64 (arch/x86/kernel/signal.c,
// signal_64.c; LINUX-ABI.md §6): a CPU exception in Go code, or a signal
// sent with tgkill, becomes an rt_sigframe on the thread's stack (its
// sigaltstack when the handler asks for one) and a jump to the handler
// that rt_sigaction recorded; rt_sigreturn restores what the handler may
// have changed. This is how a nil dereference becomes a recoverable Go
// panic and how the runtime preempts goroutines (SIGURG).

// Sizes and offsets of the signal frame (include/uapi/asm-generic/siginfo.h,
// arch/x86/include/uapi/asm/sigcontext.h, ucontext.h).
const (
	sigFrameSize  = 8 + ucontextSize + siginfoSize // pretcode, uc, info
	ucontextSize  = 304
	siginfoSize   = 128
	ucMcontextOff = 40  // uc_flags, uc_link, uc_stack
	ucSigmaskOff  = 296 // after the 256-byte sigcontext
	redZone       = 128

	ucFPXState = 1 // UC_FP_XSTATE: fpstate has the XSAVE layout

	// Software-reserved bytes of the FXSAVE area that mark an XSAVE
	// layout (struct _fpx_sw_bytes, sigcontext.h).
	fpxSWOffset    = 464
	fpXStateMagic1 = 0x46505853 // "FPXS"
	fpXStateMagic2 = 0x46505845 // "FPXE", just past the XSAVE area
)

// sigcontext offsets within uc_mcontext (LINUX-ABI.md §6).
const (
	scR8 = 8 * iota
	scR9
	scR10
	scR11
	scR12
	scR13
	scR14
	scR15
	scRDI
	scRSI
	scRBP
	scRBX
	scRDX
	scRAX
	scRCX
	scRSP
	scRIP
	scEFLAGS
	scCSGSFS // cs, gs, fs, ss as u16s
	scErr
	scTrapno
	scOldmask
	scCR2
	scFPState
)

// Signal numbers and codes the kernel raises (asm-generic/signal.h,
// siginfo.h).
const (
	SIGILL   = 4
	SIGTRAP  = 5
	SIGABRT  = 6
	SIGBUS   = 7
	SIGFPE   = 8
	SIGKILL  = 9
	SIGSEGV  = 11
	SIGPIPE  = 13
	SIGCHLD  = 17
	SIGCONT  = 18
	SIGSTOP  = 19
	SIGTSTP  = 20
	SIGTTIN  = 21
	SIGTTOU  = 22
	SIGURG   = 23
	SIGPROF  = 27
	SIGWINCH = 28

	SI_USER     = 0
	SI_KERNEL   = 0x80
	SI_TKILL    = -6
	ILL_ILLOPN  = 2
	FPE_INTDIV  = 1
	FPE_FLTINV  = 7
	TRAP_BRKPT  = 1
	BUS_ADRALN  = 1
	SEGV_MAPERR = 1
	SEGV_ACCERR = 2

	SA_NODEFER   = 0x40000000
	SA_RESETHAND = 0x80000000
	SA_ONSTACK   = 0x08000000
	SA_SIGINFO   = 0x4

	sigDFL = 0
	sigIGN = 1
)

// siginfo is what the handler learns about a signal.
type siginfo struct {
	signo, code int32
	addr        uint64 // si_addr for faults
	pid, uid    uint32 // si_pid, si_uid for kill/tgkill
	fromUser    bool   // sent by kill/tgkill: use the _kill union member
}

// sigbit is signal sig's bit in a mask.
func sigbit(sig int) uint64 { return 1 << (sig - 1) }

// unblockable signals can be neither blocked nor caught.
const unblockable = 1<<(SIGKILL-1) | 1<<(SIGSTOP-1)

// faultSignal maps a CPU exception in ring 3 to the signal Linux sends
// (arch/x86/kernel/traps.c).
func faultSignal(f *amd64.TrapFrame, cr2 uint64, pf mm.FaultResult) siginfo {
	switch f.Vector {
	case amd64.VectorPF:
		code := int32(SEGV_MAPERR)
		if pf == mm.FaultAccErr {
			code = SEGV_ACCERR
		}
		return siginfo{signo: SIGSEGV, code: code, addr: cr2}
	case amd64.VectorDE:
		return siginfo{signo: SIGFPE, code: FPE_INTDIV, addr: f.RIP}
	case amd64.VectorUD:
		return siginfo{signo: SIGILL, code: ILL_ILLOPN, addr: f.RIP}
	case amd64.VectorBP:
		return siginfo{signo: SIGTRAP, code: SI_KERNEL}
	case vectorMF, vectorXM:
		return siginfo{signo: SIGFPE, code: FPE_FLTINV, addr: f.RIP}
	case vectorAC:
		return siginfo{signo: SIGBUS, code: BUS_ADRALN, addr: f.RIP}
	}
	// #GP, #SS, #NP and the rest: SIGSEGV from the kernel, no address.
	return siginfo{signo: SIGSEGV, code: SI_KERNEL}
}

// Exception vectors that have their own signal (SDM Vol. 3A Table 6-1).
const (
	vectorMF = 16
	vectorAC = 17
	vectorXM = 19
)

// userFault turns an exception raised by Go code in ring 3 into its
// signal. A fault whose signal is blocked, ignored or unhandled ends the
// program, as Linux's force_sig does.
func userFault(f *amd64.TrapFrame, cr2 uint64, pf mm.FaultResult) {
	t := cur()
	info := faultSignal(f, cr2, pf)
	act := &sigactions[info.signo]
	if t.sigMask&sigbit(int(info.signo)) == 0 && act.handler != sigDFL && act.handler != sigIGN {
		if deliverSignal(t, int(info.signo), &info) {
			return
		}
	}
	console.str("coracle: program crashed: ")
	console.str(signalName(int(info.signo)))
	console.str(" with no handler to take it\n")
	printCrashReport(f, cr2, amd64.ReadCR3())
	programKilled(int(info.signo))
}

// programKilled ends the VM for a fatal signal.
func programKilled(sig int) {
	console.str("coracle: program killed by ")
	console.str(signalName(sig))
	console.str(", stopping with exit status ")
	console.dec(exitstatus.ProgramFault)
	console.str("\n")
	Exit(exitstatus.ProgramFault)
}

// sendSignal marks sig pending for t; it is delivered the next time t
// returns to ring 3 with sig unblocked.
func sendSignal(t *Thread, sig int) {
	t.pendingSignals |= sigbit(sig)
}

// deliverPending delivers t's lowest pending unblocked signal, if any,
// just before t returns to ring 3. Default actions apply here: ignore
// (SIGCHLD, SIGURG, SIGWINCH, SIGCONT, the stop signals) or terminate.
func deliverPending(t *Thread) {
	for {
		ready := t.pendingSignals &^ (t.sigMask &^ unblockable)
		if ready == 0 {
			return
		}
		sig := 1
		for ready&1 == 0 {
			ready >>= 1
			sig++
		}
		t.pendingSignals &^= sigbit(sig)
		fromKernel := t.kernelSignals&sigbit(sig) != 0
		t.kernelSignals &^= sigbit(sig)
		act := &sigactions[sig]
		switch {
		case sig == SIGKILL:
			programKilled(sig)
		case act.handler == sigIGN:
			continue
		case act.handler == sigDFL:
			switch sig {
			case SIGCHLD, SIGURG, SIGWINCH, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU:
				continue
			}
			programKilled(sig)
		}
		info := siginfo{signo: int32(sig), code: SI_TKILL, pid: pid, fromUser: true}
		if fromKernel {
			info = siginfo{signo: int32(sig), code: SI_KERNEL}
		}
		if !deliverSignal(t, sig, &info) {
			console.str("coracle: cannot write the signal frame for ")
			console.str(signalName(sig))
			console.str(": the thread's stack is unusable\n")
			programKilled(SIGSEGV)
		}
		return
	}
}

// deliverSignal builds the rt_sigframe for sig on t's stack and points t
// at the handler. It reports false if the frame cannot be written.
func deliverSignal(t *Thread, sig int, info *siginfo) bool {
	act := &sigactions[sig]
	f := &t.Frame
	sp := f.RSP
	onAlt := t.onAltStack(sp)
	if act.flags&SA_ONSTACK != 0 && t.altStack.size != 0 && !onAlt {
		sp = t.altStack.sp + t.altStack.size
	} else {
		sp -= redZone
	}
	// The vector state goes first, 64-byte aligned, then the frame,
	// placed so that (RSP+8) is 16-byte aligned at the handler's entry,
	// as if it had been called.
	xsize := cpu0.XSaveSize
	fpSize := xsize
	if cpu0.UseXSAVE {
		fpSize += 4 // FP_XSTATE_MAGIC2
	}
	fp := (sp - fpSize) &^ 63
	frame := ((fp - sigFrameSize) &^ 15) - 8
	b, ok := userBytes(frame, sp-frame, true)
	if !ok {
		return false
	}
	clear(b)
	le := binary.LittleEndian
	uc := b[8:]
	info8 := b[8+ucontextSize:]
	fpb := b[fp-frame:]

	// Vector state, in the layout Linux gives signal handlers.
	copy(fpb[:xsize], unsafe.Slice((*byte)(addrPointer(t.xsave)), xsize))
	if cpu0.UseXSAVE {
		le.PutUint32(fpb[fpxSWOffset:], fpXStateMagic1)
		le.PutUint32(fpb[fpxSWOffset+4:], uint32(fpSize))
		le.PutUint64(fpb[fpxSWOffset+8:], xcr0)
		le.PutUint32(fpb[fpxSWOffset+16:], uint32(xsize))
		le.PutUint32(fpb[xsize:], fpXStateMagic2)
		le.PutUint64(uc[0:], ucFPXState)
	}

	// ucontext: uc_stack, sigcontext, sigmask.
	ssFlags := uint32(0)
	switch {
	case t.altStack.size == 0:
		ssFlags = linux.SS_DISABLE
	case onAlt:
		ssFlags = linux.SS_ONSTACK
	}
	le.PutUint64(uc[16:], t.altStack.sp)
	le.PutUint32(uc[24:], ssFlags)
	le.PutUint64(uc[32:], t.altStack.size)
	mc := uc[ucMcontextOff:]
	for _, r := range [...]struct {
		off int
		v   uint64
	}{
		{scR8, f.R8}, {scR9, f.R9}, {scR10, f.R10}, {scR11, f.R11},
		{scR12, f.R12}, {scR13, f.R13}, {scR14, f.R14}, {scR15, f.R15},
		{scRDI, f.RDI}, {scRSI, f.RSI}, {scRBP, f.RBP}, {scRBX, f.RBX},
		{scRDX, f.RDX}, {scRAX, f.RAX}, {scRCX, f.RCX}, {scRSP, f.RSP},
		{scRIP, f.RIP}, {scEFLAGS, f.RFLAGS},
		{scErr, f.ErrorCode}, {scTrapno, f.Vector}, {scOldmask, t.sigMask},
		{scCR2, info.addr}, {scFPState, fp},
	} {
		le.PutUint64(mc[r.off:], r.v)
	}
	le.PutUint16(mc[scCSGSFS:], uint16(f.CS))
	le.PutUint16(mc[scCSGSFS+6:], uint16(f.SS))
	le.PutUint64(uc[ucSigmaskOff:], t.sigMask)

	// siginfo: signo, errno, code, then the union.
	le.PutUint32(info8[0:], uint32(info.signo))
	le.PutUint32(info8[8:], uint32(info.code))
	if info.fromUser {
		le.PutUint32(info8[16:], info.pid)
		le.PutUint32(info8[20:], info.uid)
	} else {
		le.PutUint64(info8[16:], info.addr)
	}

	le.PutUint64(b[0:], act.restorer) // pretcode: the handler returns there

	// Enter the handler with a clean vector state, as Linux does.
	if act.flags&SA_NODEFER == 0 {
		t.sigMask |= sigbit(sig)
	}
	t.sigMask |= act.mask &^ unblockable
	if act.flags&SA_RESETHAND != 0 {
		act.handler = sigDFL
	}
	initVectorState(t.xsave)
	f.RDI = uint64(sig)
	f.RSI = frame + 8 + ucontextSize
	f.RDX = frame + 8
	f.RAX = 0
	f.RSP = frame
	f.RIP = act.handler
	f.RFLAGS &^= amd64.RFLAGS_DF | amd64.RFLAGS_TF
	f.CS, f.SS = amd64.UserCS, amd64.UserDS
	return true
}

// onAltStack reports whether sp is on t's signal stack.
func (t *Thread) onAltStack(sp uint64) bool {
	s := &t.altStack
	return s.size != 0 && sp > s.sp && sp-s.sp <= s.size
}

// userRFLAGS are the flags a signal handler may change through the
// saved context (Linux's FIX_EFLAGS).
const userRFLAGS = 1<<0 | 1<<2 | 1<<4 | 1<<6 | 1<<7 | amd64.RFLAGS_TF | amd64.RFLAGS_DF | 1<<11 | amd64.RFLAGS_NT | 1<<16 | amd64.RFLAGS_AC

// restoreVectorState loads the vector state a handler left at fp, made
// safe for XRSTOR: components the kernel did not enable are dropped and
// reserved header bytes cleared, so a scribbled frame can at worst upset
// the program, never fault in the kernel.
func restoreVectorState(t *Thread, fp uint64) {
	xsize := cpu0.XSaveSize
	src, ok := userBytes(fp, xsize, false)
	if fp == 0 || !ok {
		initVectorState(t.xsave)
		return
	}
	dst := unsafe.Slice((*byte)(addrPointer(t.xsave)), xsize)
	copy(dst, src)
	le := binary.LittleEndian
	mask := le.Uint32(dst[28:]) // MXCSR_MASK; 0 means the default
	if mask == 0 {
		mask = 0xFFBF
	}
	le.PutUint32(dst[24:], le.Uint32(dst[24:])&mask)
	clear(dst[fpxSWOffset:512]) // software-reserved: not the CPU's
	if cpu0.UseXSAVE {
		le.PutUint64(dst[512:], le.Uint64(dst[512:])&xcr0)
		clear(dst[520:576]) // XCOMP_BV and reserved: standard form
	}
}

// signalNames names the standard signals for messages.
var signalNames = [...]string{
	1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT",
	7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2",
	13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM", 16: "SIGSTKFLT", 17: "SIGCHLD", 18: "SIGCONT",
	19: "SIGSTOP", 20: "SIGTSTP", 21: "SIGTTIN", 22: "SIGTTOU", 23: "SIGURG", 24: "SIGXCPU",
	25: "SIGXFSZ", 26: "SIGVTALRM", 27: "SIGPROF", 28: "SIGWINCH", 29: "SIGIO", 30: "SIGPWR",
	31: "SIGSYS",
}

func signalName(sig int) string {
	if sig > 0 && sig < len(signalNames) {
		return signalNames[sig]
	}
	return "a real-time signal"
}
