package sigframe

// Sizes and offsets of struct rt_sigframe on x86-64
// (arch/x86/include/asm/sigframe.h): pretcode, then struct ucontext
// (include/uapi/asm-generic/ucontext.h), then siginfo_t
// (include/uapi/asm-generic/siginfo.h). The vector state follows at
// its own 64-byte aligned address, named by sigcontext.fpstate.
const (
	// FrameSize is sizeof(struct rt_sigframe).
	FrameSize = PretcodeSize + UcontextSize + SiginfoSize

	PretcodeSize = 8   // char __user *pretcode: the handler's return address
	UcontextSize = 304 // sizeof(struct ucontext)
	SiginfoSize  = 128 // SI_MAX_SIZE

	// Offsets in the frame.
	UcontextOff = PretcodeSize                // &frame.uc: the handler's third argument
	SiginfoOff  = PretcodeSize + UcontextSize // &frame.info: its second

	// Offsets in struct ucontext.
	UcFlagsOff    = 0
	UcLinkOff     = 8
	UcStackOff    = 16  // stack_t uc_stack
	UcMcontextOff = 40  // struct sigcontext uc_mcontext
	UcSigmaskOff  = 296 // sigset_t uc_sigmask, after the 256-byte sigcontext

	// Offsets in stack_t (arch/x86/include/uapi/asm/signal.h).
	StackSPOff    = 0
	StackFlagsOff = 8
	StackSizeOff  = 16
	StackSize     = 24 // sizeof(stack_t)

	// SigcontextSize is sizeof(struct sigcontext) on x86-64.
	SigcontextSize = 256

	// Offsets in siginfo_t: si_signo, si_errno, si_code, then the union
	// (_sifields), 8-byte aligned.
	SiSignoOff = 0
	SiErrnoOff = 4
	SiCodeOff  = 8
	SiAddrOff  = 16 // _sigfault.si_addr
	SiPIDOff   = 16 // _kill.si_pid
	SiUIDOff   = 20 // _kill.si_uid

	// RedZone is the part of the stack below RSP that leaf code may use
	// without moving RSP (System V AMD64 ABI §3.2.2): a frame on the
	// same stack goes below it.
	RedZone = 128

	// UC_FP_XSTATE: fpstate has the XSAVE layout, with _fpx_sw_bytes
	// (arch/x86/include/uapi/asm/ucontext.h).
	UC_FP_XSTATE = 0x1
)

// Offsets of the registers in struct sigcontext, x86-64
// (arch/x86/include/uapi/asm/sigcontext.h): sixteen general registers in
// the order r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, then rip and
// eflags.
const (
	ScR8 = 8 * iota
	ScR9
	ScR10
	ScR11
	ScR12
	ScR13
	ScR14
	ScR15
	ScRDI
	ScRSI
	ScRBP
	ScRBX
	ScRDX
	ScRAX
	ScRCX
	ScRSP
	ScRIP
	ScEFLAGS
	ScCS // __u16 cs, gs, fs, ss: four 16-bit selectors in one word
	ScErr
	ScTrapno
	ScOldmask
	ScCR2
	ScFPState // struct _fpstate __user *fpstate

	ScGS = ScCS + 2
	ScFS = ScCS + 4
	ScSS = ScCS + 6
)

// The vector state: the 512-byte FXSAVE area (SDM Vol. 1 §10.5.1,
// Table 10-2), whose bytes 464..511 are free for software, then the XSAVE
// header and the extended components (§13.4).
const (
	FXSaveSize   = 512
	FCWOff       = 0  // x87 control word
	MXCSROff     = 24 // MXCSR
	MXCSRMaskOff = 28 // MXCSR_MASK: the MXCSR bits the CPU supports

	// DefaultMXCSRMask is the mask to assume when MXCSR_MASK reads 0
	// (SDM Vol. 1 §11.6.6): every bit but DAZ.
	DefaultMXCSRMask = 0xFFBF

	// XSAVE header (§13.4.2): XSTATE_BV, XCOMP_BV, 48 reserved bytes.
	XStateBVOff   = 512
	XCompBVOff    = 520
	XHeaderEndOff = 576

	// FpxSWOff is struct _fpx_sw_bytes in the software-reserved bytes
	// (arch/x86/include/uapi/asm/sigcontext.h): magic1, extended_size,
	// xfeatures, xstate_size, padding.
	FpxSWOff          = 464
	FpxMagic1Off      = FpxSWOff + 0
	FpxExtSizeOff     = FpxSWOff + 4
	FpxXFeaturesOff   = FpxSWOff + 8
	FpxXStateSizeOff  = FpxSWOff + 16
	FpxSWEnd          = FXSaveSize
	FP_XSTATE_MAGIC1  = 0x46505853 // "FPXS"
	FP_XSTATE_MAGIC2  = 0x46505845 // "FPXE", just past the XSAVE area
	FpxMagic2Size     = 4
	XStateAlign       = 64 // XSAVE needs a 64-byte aligned area
	handlerStackAlign = 16 // RSP+8 at a function's entry (SysV ABI §3.2.2)
)

// FPU describes the vector state the CPU saves: what Linux's fpu_user_cfg
// tells the signal code.
type FPU struct {
	// Size is the save area in bytes: CPUID.(EAX=0DH,ECX=0):EBX for
	// the enabled components, or FXSaveSize without XSAVE.
	Size uint64
	// XSAVE is true when the area has the XSAVE layout (and header).
	XSAVE bool
	// XCR0 is the set of enabled state components.
	XCR0 uint64
}

// FrameBytes is the room the vector state takes in a signal frame: the
// area and, with XSAVE, FP_XSTATE_MAGIC2 after it.
//
// Trap context: arithmetic.
func (c FPU) FrameBytes() uint64 {
	if c.XSAVE {
		return c.Size + FpxMagic2Size
	}
	return c.Size
}
