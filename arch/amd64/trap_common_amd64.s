// Trap entry, the hand-written part: the path every exception, interrupt
// and SYSCALL takes, and the return to ring 3. The per-vector entry stubs
// and their table (trapStubs) are generated into trap_amd64.s by
// gen_trap.go.
//
// Every vector's stub makes the frame uniform (a zero error code where
// the CPU pushes none, then the vector) and jumps to trapCommon; SYSCALL
// entry builds the same frame. trapCommon saves the general registers as
// a TrapFrame (trap.go) and calls the dispatcher (PerCPU.Dispatch) with
// it.
//
// From ring 3 the frame is built in place in the running thread's
// TrapFrame (TSS.RSP0 and PerCPU.FrameTop point just past it), the
// vector state is saved to PerCPU.XSaveArea (only the registers kernel
// code can change, where PerCPU.FastVector allows: vector_save.go), and
// the dispatcher runs on PerCPU.KernelStack; afterwards ResumeUser
// returns into whichever thread PerCPU.ResumeFrame names. From ring 0 (the idle loop, or a kernel bug)
// the frame stays on the interrupted stack and the trap returns there.
// Every way back pops the frame the same way: trapCommon's pushes in
// reverse, then IRETQ, or SYSRETQ when ResumeUser returns into a frame
// that SYSRET restores exactly (trap_test.go checks each IRETQ and
// SYSRETQ against the pushes).
//
// The dispatcher is called as Go calls a closure (ABIInternal): argument
// in AX, closure pointer in DX, g in R14 = PerCPU.KernelG, X15 zero.
// From ring 3 the stub also loads the kernel's FS base, because Go's
// wrappers around assembly functions reload g from FS:-8 after each
// call; ResumeUser puts the thread's FS base back. Both use WRFSBASE
// where the CPU has it (PerCPU.UseFSGSBASE), WRMSR otherwise.

#include "textflag.h"
#include "go_asm.h"

// GS-relative moves, spelled out: the Go assembler has no segment
// override. Each is "65 REX.W opcode ModRM(mod 00, rm 100) SIB(25) disp32".
#define MOVQ_SP_TO_GS(off) BYTE $0x65; BYTE $0x48; BYTE $0x89; BYTE $0x24; BYTE $0x25; LONG $off
#define MOVQ_GS_TO_SP(off) BYTE $0x65; BYTE $0x48; BYTE $0x8B; BYTE $0x24; BYTE $0x25; LONG $off
#define MOVQ_GS_TO_BX(off) BYTE $0x65; BYTE $0x48; BYTE $0x8B; BYTE $0x1C; BYTE $0x25; LONG $off
#define PUSHQ_GS(off) BYTE $0x65; BYTE $0xFF; BYTE $0x34; BYTE $0x25; LONG $off

// Vector state, with EDX:EAX = ~0 (every enabled component) and DI the area.
#define XSAVE64_DI BYTE $0x48; BYTE $0x0F; BYTE $0xAE; BYTE $0x27
#define XRSTOR64_DI BYTE $0x48; BYTE $0x0F; BYTE $0xAE; BYTE $0x2F
// FS base moves (F3 REX.W 0F AE /0 and /2), for CR4.FSGSBASE.
#define RDFSBASE_DX BYTE $0xF3; BYTE $0x48; BYTE $0x0F; BYTE $0xAE; BYTE $0xC2
#define WRFSBASE_AX BYTE $0xF3; BYTE $0x48; BYTE $0x0F; BYTE $0xAE; BYTE $0xD0

// SYSRET with REX.W: the return to 64-bit code (without it, to 32-bit).
#define SYSRETQ BYTE $0x48; BYTE $0x0F; BYTE $0x07

#define FXSAVE64_DI BYTE $0x48; BYTE $0x0F; BYTE $0xAE; BYTE $0x07
#define FXRSTOR64_DI BYTE $0x48; BYTE $0x0F; BYTE $0xAE; BYTE $0x0F

// The vector registers kernel code may change, moved to and from the
// save area at DI (vector_save.go). With SSE only, XMM0-15 go where
// XSAVE's standard layout keeps them, at byte 160; with AVX, YMM0-15
// whole to the area's YMM block, which storeEntryState splits into
// XSAVE's layout (low halves at 160, high halves at 576) when needed.
#define SAVE_XMM_DI \
MOVUPS X0, 0+160(DI) \
MOVUPS X1, 16+160(DI) \
MOVUPS X2, 32+160(DI) \
MOVUPS X3, 48+160(DI) \
MOVUPS X4, 64+160(DI) \
MOVUPS X5, 80+160(DI) \
MOVUPS X6, 96+160(DI) \
MOVUPS X7, 112+160(DI) \
MOVUPS X8, 128+160(DI) \
MOVUPS X9, 144+160(DI) \
MOVUPS X10, 160+160(DI) \
MOVUPS X11, 176+160(DI) \
MOVUPS X12, 192+160(DI) \
MOVUPS X13, 208+160(DI) \
MOVUPS X14, 224+160(DI) \
MOVUPS X15, 240+160(DI)
#define LOAD_XMM_DI \
MOVUPS 0+160(DI), X0 \
MOVUPS 16+160(DI), X1 \
MOVUPS 32+160(DI), X2 \
MOVUPS 48+160(DI), X3 \
MOVUPS 64+160(DI), X4 \
MOVUPS 80+160(DI), X5 \
MOVUPS 96+160(DI), X6 \
MOVUPS 112+160(DI), X7 \
MOVUPS 128+160(DI), X8 \
MOVUPS 144+160(DI), X9 \
MOVUPS 160+160(DI), X10 \
MOVUPS 176+160(DI), X11 \
MOVUPS 192+160(DI), X12 \
MOVUPS 208+160(DI), X13 \
MOVUPS 224+160(DI), X14 \
MOVUPS 240+160(DI), X15
#define SAVE_YMM_DI \
VMOVDQU Y0, const_ymmBlockOffset+0(DI) \
VMOVDQU Y1, const_ymmBlockOffset+32(DI) \
VMOVDQU Y2, const_ymmBlockOffset+64(DI) \
VMOVDQU Y3, const_ymmBlockOffset+96(DI) \
VMOVDQU Y4, const_ymmBlockOffset+128(DI) \
VMOVDQU Y5, const_ymmBlockOffset+160(DI) \
VMOVDQU Y6, const_ymmBlockOffset+192(DI) \
VMOVDQU Y7, const_ymmBlockOffset+224(DI) \
VMOVDQU Y8, const_ymmBlockOffset+256(DI) \
VMOVDQU Y9, const_ymmBlockOffset+288(DI) \
VMOVDQU Y10, const_ymmBlockOffset+320(DI) \
VMOVDQU Y11, const_ymmBlockOffset+352(DI) \
VMOVDQU Y12, const_ymmBlockOffset+384(DI) \
VMOVDQU Y13, const_ymmBlockOffset+416(DI) \
VMOVDQU Y14, const_ymmBlockOffset+448(DI) \
VMOVDQU Y15, const_ymmBlockOffset+480(DI)
#define LOAD_YMM_DI \
VMOVDQU const_ymmBlockOffset+0(DI), Y0 \
VMOVDQU const_ymmBlockOffset+32(DI), Y1 \
VMOVDQU const_ymmBlockOffset+64(DI), Y2 \
VMOVDQU const_ymmBlockOffset+96(DI), Y3 \
VMOVDQU const_ymmBlockOffset+128(DI), Y4 \
VMOVDQU const_ymmBlockOffset+160(DI), Y5 \
VMOVDQU const_ymmBlockOffset+192(DI), Y6 \
VMOVDQU const_ymmBlockOffset+224(DI), Y7 \
VMOVDQU const_ymmBlockOffset+256(DI), Y8 \
VMOVDQU const_ymmBlockOffset+288(DI), Y9 \
VMOVDQU const_ymmBlockOffset+320(DI), Y10 \
VMOVDQU const_ymmBlockOffset+352(DI), Y11 \
VMOVDQU const_ymmBlockOffset+384(DI), Y12 \
VMOVDQU const_ymmBlockOffset+416(DI), Y13 \
VMOVDQU const_ymmBlockOffset+448(DI), Y14 \
VMOVDQU const_ymmBlockOffset+480(DI), Y15
#define SPLIT_YMM_DI \
MOVUPS const_ymmBlockOffset+0(DI), X0; MOVUPS X0, 0+160(DI); MOVUPS const_ymmBlockOffset+0+16(DI), X0; MOVUPS X0, 0+576(DI) \
MOVUPS const_ymmBlockOffset+32(DI), X0; MOVUPS X0, 16+160(DI); MOVUPS const_ymmBlockOffset+32+16(DI), X0; MOVUPS X0, 16+576(DI) \
MOVUPS const_ymmBlockOffset+64(DI), X0; MOVUPS X0, 32+160(DI); MOVUPS const_ymmBlockOffset+64+16(DI), X0; MOVUPS X0, 32+576(DI) \
MOVUPS const_ymmBlockOffset+96(DI), X0; MOVUPS X0, 48+160(DI); MOVUPS const_ymmBlockOffset+96+16(DI), X0; MOVUPS X0, 48+576(DI) \
MOVUPS const_ymmBlockOffset+128(DI), X0; MOVUPS X0, 64+160(DI); MOVUPS const_ymmBlockOffset+128+16(DI), X0; MOVUPS X0, 64+576(DI) \
MOVUPS const_ymmBlockOffset+160(DI), X0; MOVUPS X0, 80+160(DI); MOVUPS const_ymmBlockOffset+160+16(DI), X0; MOVUPS X0, 80+576(DI) \
MOVUPS const_ymmBlockOffset+192(DI), X0; MOVUPS X0, 96+160(DI); MOVUPS const_ymmBlockOffset+192+16(DI), X0; MOVUPS X0, 96+576(DI) \
MOVUPS const_ymmBlockOffset+224(DI), X0; MOVUPS X0, 112+160(DI); MOVUPS const_ymmBlockOffset+224+16(DI), X0; MOVUPS X0, 112+576(DI) \
MOVUPS const_ymmBlockOffset+256(DI), X0; MOVUPS X0, 128+160(DI); MOVUPS const_ymmBlockOffset+256+16(DI), X0; MOVUPS X0, 128+576(DI) \
MOVUPS const_ymmBlockOffset+288(DI), X0; MOVUPS X0, 144+160(DI); MOVUPS const_ymmBlockOffset+288+16(DI), X0; MOVUPS X0, 144+576(DI) \
MOVUPS const_ymmBlockOffset+320(DI), X0; MOVUPS X0, 160+160(DI); MOVUPS const_ymmBlockOffset+320+16(DI), X0; MOVUPS X0, 160+576(DI) \
MOVUPS const_ymmBlockOffset+352(DI), X0; MOVUPS X0, 176+160(DI); MOVUPS const_ymmBlockOffset+352+16(DI), X0; MOVUPS X0, 176+576(DI) \
MOVUPS const_ymmBlockOffset+384(DI), X0; MOVUPS X0, 192+160(DI); MOVUPS const_ymmBlockOffset+384+16(DI), X0; MOVUPS X0, 192+576(DI) \
MOVUPS const_ymmBlockOffset+416(DI), X0; MOVUPS X0, 208+160(DI); MOVUPS const_ymmBlockOffset+416+16(DI), X0; MOVUPS X0, 208+576(DI) \
MOVUPS const_ymmBlockOffset+448(DI), X0; MOVUPS X0, 224+160(DI); MOVUPS const_ymmBlockOffset+448+16(DI), X0; MOVUPS X0, 224+576(DI) \
MOVUPS const_ymmBlockOffset+480(DI), X0; MOVUPS X0, 240+160(DI); MOVUPS const_ymmBlockOffset+480+16(DI), X0; MOVUPS X0, 240+576(DI)

// CALL_DISPATCH calls PerCPU.Dispatch(AX) with BX = PerCPU. The 8 bytes
// below the return address are the argument's spill slot, which Go's
// register ABI lets the callee write (the caller owns it): reserve it.
#define CALL_DISPATCH LEAQ PerCPU_KernelG(BX), R14; MOVQ PerCPU_Dispatch(BX), DX; XORPS X15, X15; SUBQ $8, SP; CALL (DX); ADDQ $8, SP

// trapCommon is jumped to, never called: by the entry stubs
// (trap_amd64.s) and syscallEntry, with
// SP -> vector, error code, RIP, CS, RFLAGS, RSP, SS.
//
// func trapCommon()
TEXT ·trapCommon(SB),NOSPLIT|NOFRAME,$0
	PUSHQ	AX
	PUSHQ	BX
	PUSHQ	CX
	PUSHQ	DX
	PUSHQ	SI
	PUSHQ	DI
	PUSHQ	BP
	PUSHQ	R8
	PUSHQ	R9
	PUSHQ	R10
	PUSHQ	R11
	PUSHQ	R12
	PUSHQ	R13
	PUSHQ	R14
	PUSHQ	R15
	CLD
	MOVQ_GS_TO_BX(PerCPU_Self)
	TESTQ	$3, TrapFrame_CS(SP)
	JNZ	fromUser

	// Ring 0 (the idle loop, or kernel code touching a user page for the
	// first time): handle on this stack and return to the interrupted
	// code. Go code in the handler may use any vector register, and the
	// interrupted code may be Go code too, so save its vector state below
	// the frame first.
	MOVQ	SP, R12                    // R12 = frame
	SUBQ	PerCPU_XSaveSize(BX), SP
	ANDQ	$~63, SP                   // XSAVE needs 64-byte alignment
	MOVQ	SP, DI
	CMPB	PerCPU_UseXSAVE(BX), $0
	JEQ	kfxsave
	// XRSTOR faults on a header with stray bits, and XSAVE writes only
	// the XSTATE_BV bits of the components it saves: clear the header
	// (XSTATE_BV, XCOMP_BV, reserved) first.
	MOVQ	$0, 512(DI)
	MOVQ	$0, 520(DI)
	MOVQ	$0, 528(DI)
	MOVQ	$0, 536(DI)
	MOVQ	$0, 544(DI)
	MOVQ	$0, 552(DI)
	MOVQ	$0, 560(DI)
	MOVQ	$0, 568(DI)
	MOVL	$-1, AX
	MOVL	$-1, DX
	XSAVE64_DI
	JMP	ksaved
kfxsave:
	FXSAVE64_DI
ksaved:
	PUSHQ	R12                        // frame
	PUSHQ	DI                         // vector save area
	MOVQ	R12, AX
	CALL_DISPATCH
	POPQ	DI
	POPQ	R12
	MOVQ_GS_TO_BX(PerCPU_Self)
	MOVL	$-1, AX
	MOVL	$-1, DX
	CMPB	PerCPU_UseXSAVE(BX), $0
	JEQ	kfxrstor
	XRSTOR64_DI
	JMP	krestored
kfxrstor:
	FXRSTOR64_DI
krestored:
	MOVQ	R12, SP
	POPQ	R15
	POPQ	R14
	POPQ	R13
	POPQ	R12
	POPQ	R11
	POPQ	R10
	POPQ	R9
	POPQ	R8
	POPQ	BP
	POPQ	DI
	POPQ	SI
	POPQ	DX
	POPQ	CX
	POPQ	BX
	POPQ	AX
	ADDQ	$16, SP                   // vector, error code
	IRETQ

fromUser:
	MOVQ	PerCPU_XSaveArea(BX), DI
	CMPB	PerCPU_FastVector(BX), $const_VectorSaveFull
	JEQ	fullSave
	// Only what kernel code can change; the x87 state stays in the CPU
	// until ResumeUser or VectorStateToMemory stores it.
	MOVQ	DI, PerCPU_EntryArea(BX)
	STMXCSR	24(DI)
	CMPB	PerCPU_FastVector(BX), $const_VectorSaveAVX
	JNE	saveXMM
	SAVE_YMM_DI
	JMP	saved
saveXMM:
	SAVE_XMM_DI
	ORQ	$const_XCR0_SSE, const_xsaveHeaderOffset(DI)
	JMP	saved
fullSave:
	MOVL	$-1, AX
	MOVL	$-1, DX
	CMPB	PerCPU_UseXSAVE(BX), $0
	JEQ	fxsave
	XSAVE64_DI
	JMP	saved
fxsave:
	FXSAVE64_DI
saved:
	// The kernel's FS: Go code finds KernelG at FS:-8 (see PerCPU).
	MOVQ	PerCPU_KernelFSBase(BX), AX
	CMPB	PerCPU_UseFSGSBASE(BX), $0
	JEQ	kfsMSR
	// Ring 3 may have moved its FS base itself: keep the current one.
	RDFSBASE_DX
	MOVQ	DX, PerCPU_UserFSBase(BX)
	WRFSBASE_AX
	JMP	kfsDone
kfsMSR:
	MOVL	$const_MSR_FS_BASE, CX
	MOVQ	AX, DX
	SHRQ	$32, DX
	WRMSR
kfsDone:
	MOVQ	SP, AX
	MOVQ	PerCPU_KernelStack(BX), SP
	CALL_DISPATCH
	JMP	·ResumeUser(SB)

// func ResumeUser()
TEXT ·ResumeUser(SB),NOSPLIT|NOFRAME,$0
	MOVQ_GS_TO_BX(PerCPU_Self)
	MOVQ	PerCPU_UserFSBase(BX), AX
	CMPB	PerCPU_UseFSGSBASE(BX), $0
	JEQ	ufsMSR
	WRFSBASE_AX
	JMP	ufsDone
ufsMSR:
	MOVL	$const_MSR_FS_BASE, CX
	MOVQ	AX, DX
	SHRQ	$32, DX
	WRMSR
ufsDone:
	MOVQ	PerCPU_XSaveArea(BX), DI
	MOVQ	PerCPU_EntryArea(BX), SI
	TESTQ	SI, SI
	JEQ	fullRestore
	MOVQ	$0, PerCPU_EntryArea(BX)
	CMPQ	SI, DI
	JNE	otherThread
	// Back to the thread that entered: its x87 state never left the
	// CPU. MXCSR is loaded too, for the status flags kernel code's
	// floating-point arithmetic may have set.
	LDMXCSR	24(DI)
	CMPB	PerCPU_FastVector(BX), $const_VectorSaveAVX
	JNE	loadXMM
	LOAD_YMM_DI
	JMP	restored
loadXMM:
	LOAD_XMM_DI
	JMP	restored
otherThread:
	// Another thread runs next: first complete the area of the thread
	// that entered, whose x87 state is still in the CPU.
	MOVQ	SI, DI
	CALL	storeEntryState<>(SB)
	MOVQ	PerCPU_XSaveArea(BX), DI
fullRestore:
	MOVL	$-1, AX
	MOVL	$-1, DX
	CMPB	PerCPU_UseXSAVE(BX), $0
	JEQ	fxrstor
	XRSTOR64_DI
	JMP	restored
fxrstor:
	FXRSTOR64_DI
restored:
	MOVQ	PerCPU_ResumeFrame(BX), SP
	// SYSRETQ, which is cheaper, when it loads exactly what IRETQ
	// would: it sets RIP from RCX and RFLAGS from R11 (clearing RF and
	// VM), and CS and SS to UserCS and UserDS as IA32_STAR names them
	// (EnableSyscall). A frame that SYSCALL entry built and no one
	// changed qualifies; one changed by a signal delivery, or built by
	// an interrupt, almost never does and takes IRETQ. RIP must be in
	// the lower canonical half: Intel CPUs raise #GP in ring 0, on the
	// user's stack, for SYSRET to a non-canonical address.
	MOVQ	TrapFrame_RIP(SP), AX
	CMPQ	AX, TrapFrame_RCX(SP)
	JNE	iret
	SHRQ	$47, AX
	JNZ	iret
	MOVQ	TrapFrame_RFLAGS(SP), AX
	CMPQ	AX, TrapFrame_R11(SP)
	JNE	iret
	TESTQ	$~const_sysretRFLAGS, AX
	JNZ	iret
	CMPQ	TrapFrame_CS(SP), $const_UserCS
	JNE	iret
	CMPQ	TrapFrame_SS(SP), $const_UserDS
	JNE	iret
	POPQ	R15
	POPQ	R14
	POPQ	R13
	POPQ	R12
	POPQ	R11
	POPQ	R10
	POPQ	R9
	POPQ	R8
	POPQ	BP
	POPQ	DI
	POPQ	SI
	POPQ	DX
	POPQ	CX
	POPQ	BX
	POPQ	AX
	MOVQ	40(SP), SP                // RSP, past vector, error code, RIP, CS, RFLAGS
	SYSRETQ
iret:
	POPQ	R15
	POPQ	R14
	POPQ	R13
	POPQ	R12
	POPQ	R11
	POPQ	R10
	POPQ	R9
	POPQ	R8
	POPQ	BP
	POPQ	DI
	POPQ	SI
	POPQ	DX
	POPQ	CX
	POPQ	BX
	POPQ	AX
	ADDQ	$16, SP                   // vector, error code
	IRETQ

// syscallEntry is the SYSCALL target (IA32_LSTAR). In: RCX = user RIP,
// R11 = user RFLAGS, RSP = user stack, interrupts off (IA32_FMASK).
TEXT syscallEntry<>(SB),NOSPLIT|NOFRAME,$0
	MOVQ_SP_TO_GS(PerCPU_UserRSP)
	MOVQ_GS_TO_SP(PerCPU_FrameTop)
	PUSHQ	$const_UserDS              // SS
	PUSHQ_GS(PerCPU_UserRSP)           // RSP
	PUSHQ	R11                        // RFLAGS
	PUSHQ	$const_UserCS              // CS
	PUSHQ	CX                         // RIP
	PUSHQ	$0                         // error code
	PUSHQ	$const_VectorSyscall
	JMP	·trapCommon(SB)

// storeEntryState completes the save area at DI that a trap from ring 3
// with BX = PerCPU stored only the vector registers in (FastVector): it
// moves a YMM block into XSAVE's layout and stores the x87 state, which
// kernel code never changes, with XSAVE of that component alone (which
// leaves the other XSTATE_BV bits as they are). Clobbers AX, DX, X0.
TEXT storeEntryState<>(SB),NOSPLIT|NOFRAME,$0
	CMPB	PerCPU_FastVector(BX), $const_VectorSaveAVX
	JNE	x87
	SPLIT_YMM_DI
	ORQ	$(const_XCR0_SSE|const_XCR0_AVX), const_xsaveHeaderOffset(DI)
x87:
	MOVL	$const_XCR0_X87, AX
	XORL	DX, DX
	XSAVE64_DI
	RET

// func storeEntryVector(c *PerCPU)
TEXT ·storeEntryVector(SB),NOSPLIT,$0-8
	MOVQ	c+0(FP), BX
	MOVQ	PerCPU_EntryArea(BX), DI
	MOVQ	$0, PerCPU_EntryArea(BX)
	CALL	storeEntryState<>(SB)
	RET

// func CPUNumber() int
TEXT ·CPUNumber(SB),NOSPLIT,$0-8
	MOVQ_GS_TO_BX(PerCPU_CPU)
	MOVQ	BX, ret+0(FP)
	RET

// func syscallEntryAddr() uintptr
TEXT ·syscallEntryAddr(SB),NOSPLIT,$0-8
	MOVQ	$syscallEntry<>(SB), AX
	MOVQ	AX, ret+0(FP)
	RET

// func trapStubTable() *[256]uintptr
TEXT ·trapStubTable(SB),NOSPLIT,$0-8
	MOVQ	$·trapStubs(SB), AX
	MOVQ	AX, ret+0(FP)
	RET
