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
// vector state is saved to PerCPU.XSaveArea, and the dispatcher runs on
// PerCPU.KernelStack; afterwards ResumeUser returns into whichever thread
// PerCPU.ResumeFrame names. From ring 0 (the idle loop, or a kernel bug)
// the frame stays on the interrupted stack and the trap returns there.
// Both ways back pop the frame the same way: trapCommon's pushes in
// reverse, then IRETQ (trap_test.go checks each IRETQ against them).
//
// The dispatcher is called as Go calls a closure (ABIInternal): argument
// in AX, closure pointer in DX, g in R14 = PerCPU.KernelG, X15 zero.
// From ring 3 the stub also loads the kernel's FS base, because Go's
// wrappers around assembly functions reload g from FS:-8 after each
// call; ResumeUser puts the thread's FS base back.

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
#define FXSAVE64_DI BYTE $0x48; BYTE $0x0F; BYTE $0xAE; BYTE $0x07
#define FXRSTOR64_DI BYTE $0x48; BYTE $0x0F; BYTE $0xAE; BYTE $0x0F

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
	MOVL	$const_MSR_FS_BASE, CX
	MOVQ	PerCPU_KernelFSBase(BX), AX
	MOVQ	AX, DX
	SHRQ	$32, DX
	WRMSR
	MOVQ	SP, AX
	MOVQ	PerCPU_KernelStack(BX), SP
	CALL_DISPATCH
	JMP	·ResumeUser(SB)

// func ResumeUser()
TEXT ·ResumeUser(SB),NOSPLIT|NOFRAME,$0
	MOVQ_GS_TO_BX(PerCPU_Self)
	MOVL	$const_MSR_FS_BASE, CX
	MOVQ	PerCPU_UserFSBase(BX), AX
	MOVQ	AX, DX
	SHRQ	$32, DX
	WRMSR
	MOVQ	PerCPU_XSaveArea(BX), DI
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
