package sigframe

import (
	"testing"
	"unsafe"
)

// The structures below are transcribed field by field from Linux's UAPI
// headers (x86-64), so that the compiler, not the package, computes the
// offsets the package's constants must match.

// struct sigcontext, arch/x86/include/uapi/asm/sigcontext.h (__x86_64__).
type linuxSigcontext struct {
	r8, r9, r10, r11, r12, r13, r14, r15 uint64
	rdi, rsi, rbp, rbx, rdx, rax, rcx    uint64
	rsp, rip, eflags                     uint64
	cs, gs, fs, ss                       uint16
	err, trapno, oldmask, cr2            uint64
	fpstate                              uint64 // struct _fpstate __user *
	reserved1                            [8]uint64
}

// stack_t, include/uapi/asm-generic/signal.h / arch/x86/include/uapi/asm/signal.h.
type linuxStackT struct {
	ssSP    uint64 // void __user *ss_sp
	ssFlags int32
	ssSize  uint64 // size_t
}

// struct ucontext, include/uapi/asm-generic/ucontext.h.
type linuxUcontext struct {
	ucFlags    uint64
	ucLink     uint64 // struct ucontext *
	ucStack    linuxStackT
	ucMcontext linuxSigcontext
	ucSigmask  uint64 // sigset_t: _NSIG/8 bytes on x86-64
}

// siginfo_t, include/uapi/asm-generic/siginfo.h: three ints, then the
// union, whose pointer members align it to 8; SI_MAX_SIZE 128.
type linuxSiginfo struct {
	siSigno, siErrno, siCode int32
	union                    [(128 - 16) / 8]uint64
}

// struct rt_sigframe, arch/x86/include/asm/sigframe.h (CONFIG_X86_64).
type linuxRtSigframe struct {
	pretcode uint64
	uc       linuxUcontext
	info     linuxSiginfo
}

// struct _fpx_sw_bytes, arch/x86/include/uapi/asm/sigcontext.h.
type linuxFpxSWBytes struct {
	magic1, extendedSize uint32
	xfeatures            uint64
	xstateSize           uint32
	padding              [7]uint32
}

func TestLayoutMatchesLinuxHeaders(t *testing.T) {
	var f linuxRtSigframe
	var sc linuxSigcontext
	var st linuxStackT
	var sw linuxFpxSWBytes
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"sizeof(rt_sigframe)", FrameSize, unsafe.Sizeof(f)},
		{"sizeof(ucontext)", UcontextSize, unsafe.Sizeof(f.uc)},
		{"sizeof(siginfo)", SiginfoSize, unsafe.Sizeof(f.info)},
		{"sizeof(sigcontext)", SigcontextSize, unsafe.Sizeof(sc)},
		{"sizeof(stack_t)", StackSize, unsafe.Sizeof(st)},
		{"rt_sigframe.uc", UcontextOff, unsafe.Offsetof(f.uc)},
		{"rt_sigframe.info", SiginfoOff, unsafe.Offsetof(f.info)},
		{"uc_flags", UcFlagsOff, unsafe.Offsetof(f.uc.ucFlags)},
		{"uc_link", UcLinkOff, unsafe.Offsetof(f.uc.ucLink)},
		{"uc_stack", UcStackOff, unsafe.Offsetof(f.uc.ucStack)},
		{"uc_mcontext", UcMcontextOff, unsafe.Offsetof(f.uc.ucMcontext)},
		{"uc_sigmask", UcSigmaskOff, unsafe.Offsetof(f.uc.ucSigmask)},
		{"ss_sp", StackSPOff, unsafe.Offsetof(st.ssSP)},
		{"ss_flags", StackFlagsOff, unsafe.Offsetof(st.ssFlags)},
		{"ss_size", StackSizeOff, unsafe.Offsetof(st.ssSize)},
		{"sc.r8", ScR8, unsafe.Offsetof(sc.r8)},
		{"sc.r15", ScR15, unsafe.Offsetof(sc.r15)},
		{"sc.rdi", ScRDI, unsafe.Offsetof(sc.rdi)},
		{"sc.rsi", ScRSI, unsafe.Offsetof(sc.rsi)},
		{"sc.rbp", ScRBP, unsafe.Offsetof(sc.rbp)},
		{"sc.rbx", ScRBX, unsafe.Offsetof(sc.rbx)},
		{"sc.rdx", ScRDX, unsafe.Offsetof(sc.rdx)},
		{"sc.rax", ScRAX, unsafe.Offsetof(sc.rax)},
		{"sc.rcx", ScRCX, unsafe.Offsetof(sc.rcx)},
		{"sc.rsp", ScRSP, unsafe.Offsetof(sc.rsp)},
		{"sc.rip", ScRIP, unsafe.Offsetof(sc.rip)},
		{"sc.eflags", ScEFLAGS, unsafe.Offsetof(sc.eflags)},
		{"sc.cs", ScCS, unsafe.Offsetof(sc.cs)},
		{"sc.gs", ScGS, unsafe.Offsetof(sc.gs)},
		{"sc.fs", ScFS, unsafe.Offsetof(sc.fs)},
		{"sc.ss", ScSS, unsafe.Offsetof(sc.ss)},
		{"sc.err", ScErr, unsafe.Offsetof(sc.err)},
		{"sc.trapno", ScTrapno, unsafe.Offsetof(sc.trapno)},
		{"sc.oldmask", ScOldmask, unsafe.Offsetof(sc.oldmask)},
		{"sc.cr2", ScCR2, unsafe.Offsetof(sc.cr2)},
		{"sc.fpstate", ScFPState, unsafe.Offsetof(sc.fpstate)},
		{"sw.magic1", FpxMagic1Off - FpxSWOff, unsafe.Offsetof(sw.magic1)},
		{"sw.extended_size", FpxExtSizeOff - FpxSWOff, unsafe.Offsetof(sw.extendedSize)},
		{"sw.xfeatures", FpxXFeaturesOff - FpxSWOff, unsafe.Offsetof(sw.xfeatures)},
		{"sw.xstate_size", FpxXStateSizeOff - FpxSWOff, unsafe.Offsetof(sw.xstateSize)},
		{"sizeof(_fpx_sw_bytes)", FpxSWEnd - FpxSWOff, unsafe.Sizeof(sw)},
		{"Stack", StackSize, unsafe.Sizeof(Stack{})},
		{"Action", 32, unsafe.Sizeof(Action{})},
	} {
		if c.got != c.want {
			t.Errorf("%s: package says %d, the Linux structure has %d", c.name, c.got, c.want)
		}
	}
}

// TestLayoutNumbers pins the values the Go runtime's sigctxt and glibc
// rely on, as literal numbers: the transcription above could share a
// mistake with the constants.
func TestLayoutNumbers(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"FrameSize", FrameSize, 440},
		{"siginfo offset", SiginfoOff, 312},
		{"uc_mcontext", UcMcontextOff, 40},
		{"uc_sigmask", UcSigmaskOff, 296},
		{"sc.rip", ScRIP, 128},
		{"sc.eflags", ScEFLAGS, 136},
		{"sc.fpstate", ScFPState, 184},
		{"_fpx_sw_bytes", FpxSWOff, 464},
		{"XSAVE header", XStateBVOff, 512},
		{"MXCSR", MXCSROff, 24},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if FP_XSTATE_MAGIC1 != 0x46505853 || FP_XSTATE_MAGIC2 != 0x46505845 {
		t.Error("FP_XSTATE magics differ from sigcontext.h")
	}
}
