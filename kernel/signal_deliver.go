package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/exitstatus"
	"github.com/coracle-os/coracle/kernel/mm"
	"github.com/coracle-os/coracle/kernel/sigframe"
)

// Signal delivery as Linux does it on x86-64 (arch/x86/kernel/signal.c,
// signal_64.c; docs/linux-abi.md §6): a CPU exception in Go code, or a signal
// sent with tgkill, becomes an rt_sigframe on the thread's stack (its
// sigaltstack when the handler asks for one) and a jump to the handler
// that rt_sigaction recorded; rt_sigreturn restores what the handler may
// have changed. This is how a nil dereference becomes a recoverable Go
// panic and how the runtime preempts goroutines (SIGURG). The frame's
// layout and the rules for building and restoring it are package
// sigframe's; this file decides when and for which thread.

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
	SIGXFSZ  = 25
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
	BUS_ADRERR  = 2
	SEGV_MAPERR = 1
	SEGV_ACCERR = 2
)

// faultSignal maps a CPU exception in ring 3 to the signal Linux sends
// (arch/x86/kernel/traps.c).
func faultSignal(f *amd64.TrapFrame, cr2 uint64, pf mm.FaultResult) sigframe.Info {
	switch f.Vector {
	case amd64.VectorPF:
		if pf == mm.FaultBus {
			return sigframe.Info{Signo: SIGBUS, Code: BUS_ADRERR, Addr: cr2}
		}
		code := int32(SEGV_MAPERR)
		if pf == mm.FaultAccErr {
			code = SEGV_ACCERR
		}
		return sigframe.Info{Signo: SIGSEGV, Code: code, Addr: cr2}
	case amd64.VectorDE:
		return sigframe.Info{Signo: SIGFPE, Code: FPE_INTDIV, Addr: f.RIP}
	case amd64.VectorUD:
		return sigframe.Info{Signo: SIGILL, Code: ILL_ILLOPN, Addr: f.RIP}
	case amd64.VectorBP:
		return sigframe.Info{Signo: SIGTRAP, Code: SI_KERNEL}
	case vectorMF, vectorXM:
		return sigframe.Info{Signo: SIGFPE, Code: FPE_FLTINV, Addr: f.RIP}
	case vectorAC:
		return sigframe.Info{Signo: SIGBUS, Code: BUS_ADRALN, Addr: f.RIP}
	}
	// #GP, #SS, #NP and the rest: SIGSEGV from the kernel, no address.
	return sigframe.Info{Signo: SIGSEGV, Code: SI_KERNEL}
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
	act := &sigactions[info.Signo]
	if t.sigMask&sigframe.Bit(int(info.Signo)) == 0 && act.Handler != sigframe.SIG_DFL && act.Handler != sigframe.SIG_IGN {
		if deliverSignal(t, int(info.Signo), &info) {
			return
		}
	}
	console.str("coracle: program crashed: ")
	console.str(signalName(int(info.Signo)))
	console.str(" with no handler to take it\n")
	printCrashReport(f, cr2, amd64.ReadCR3())
	programKilled(int(info.Signo))
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

// raiseSIGPIPE is what a write with no reader left does besides
// answering EPIPE. The Go runtime's handler ignores it (it only notes
// it for os/signal), and package os turns EPIPE on descriptors 1 and 2
// into the SIGPIPE that ends the program, as on Linux.
func raiseSIGPIPE(t *Thread) {
	sendSignal(t, SIGPIPE)
	t.kernelSignals |= sigframe.Bit(SIGPIPE)
}

// raiseSIGXFSZ is what a write or a growth past RLIMIT_FSIZE does
// besides answering EFBIG (fs_limit.go), as Linux's send_sig does.
func raiseSIGXFSZ(t *Thread) {
	sendSignal(t, SIGXFSZ)
	t.kernelSignals |= sigframe.Bit(SIGXFSZ)
}

// sendSignal marks sig pending for t; it is delivered the next time t
// returns to ring 3 with sig unblocked.
func sendSignal(t *Thread, sig int) {
	t.pendingSignals |= sigframe.Bit(sig)
	kickThread(t) // running elsewhere: it takes the signal on its way back
}

// deliverPending delivers t's lowest pending unblocked signal, if any,
// just before t returns to ring 3. Default actions apply here: ignore
// (SIGCHLD, SIGURG, SIGWINCH, SIGCONT, the stop signals) or terminate.
func deliverPending(t *Thread) {
	for {
		ready := t.pendingSignals &^ (t.sigMask &^ sigframe.Unblockable)
		if ready == 0 {
			return
		}
		sig := 1
		for ready&1 == 0 {
			ready >>= 1
			sig++
		}
		t.pendingSignals &^= sigframe.Bit(sig)
		fromKernel := t.kernelSignals&sigframe.Bit(sig) != 0
		t.kernelSignals &^= sigframe.Bit(sig)
		act := &sigactions[sig]
		switch {
		case sig == SIGKILL:
			programKilled(sig)
		case act.Handler == sigframe.SIG_IGN:
			continue
		case act.Handler == sigframe.SIG_DFL:
			switch sig {
			case SIGCHLD, SIGURG, SIGWINCH, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU:
				continue
			}
			programKilled(sig)
		}
		info := sigframe.Info{Signo: int32(sig), Code: SI_TKILL, PID: pid, FromUser: true}
		switch {
		case fromKernel && (sig == SIGPIPE || sig == SIGXFSZ):
			// Linux raises them with send_sig(sig, current, 0):
			// SI_USER, from the process itself.
			info = sigframe.Info{Signo: int32(sig), Code: SI_USER, PID: pid, FromUser: true}
		case fromKernel:
			info = sigframe.Info{Signo: int32(sig), Code: SI_KERNEL}
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

// deliverSignal builds the rt_sigframe for sig on t's stack (or its
// sigaltstack) and points t at the handler, with the mask the handler
// runs under and a clean vector state, as Linux enters handlers. It
// reports false if the frame cannot be written.
func deliverSignal(t *Thread, sig int, info *sigframe.Info) bool {
	act := &sigactions[sig]
	f := &t.Frame
	fpu := userFPU()
	l := sigframe.Place(f.RSP, act, &t.altStack, fpu)
	b, ok := userBytes(l.Frame, l.Size(), true)
	if !ok {
		return false
	}
	d := sigframe.Delivery{Info: *info, Mask: t.sigMask, Restorer: act.Restorer, AltStack: t.altStack.Status(f.RSP)}
	if !sigframe.Build(b, l, f, &d, fpu, vectorState(t)) {
		return false
	}
	handler := act.Handler
	t.sigMask = sigframe.HandlerMask(t.sigMask, sig, act)
	if act.Flags&sigframe.SA_RESETHAND != 0 {
		act.Handler = sigframe.SIG_DFL // after this delivery
	}
	initVectorState(t.xsave)
	sigframe.Enter(f, l, sig, handler)
	return true
}

// userFPU describes the vector state the CPU saves for ring 3.
func userFPU() sigframe.FPU {
	return sigframe.FPU{Size: cpu0.XSaveSize, XSAVE: cpu0.UseXSAVE, XCR0: xcr0} // the same on every CPU
}

// vectorState is t's vector save area, complete in memory.
func vectorState(t *Thread) []byte {
	thisPerCPU().VectorStateToMemory()
	return unsafe.Slice((*byte)(addrPointer(t.xsave)), cpu0.XSaveSize)
}

// restoreVectorState loads the vector state a handler left at fp, made
// safe for XRSTOR (sigframe.RestoreXState), so a scribbled frame can at
// worst upset the program, never fault in the kernel. Without a
// readable one the thread gets a clean state.
func restoreVectorState(t *Thread, fp uint64) {
	fpu := userFPU()
	src, ok := userBytes(fp, fpu.Size, false)
	if fp == 0 || !ok || !sigframe.RestoreXState(vectorState(t), src, fpu) {
		initVectorState(t.xsave)
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
