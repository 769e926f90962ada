#include "textflag.h"

#define RDFSBASE_AX BYTE $0xF3; BYTE $0x48; BYTE $0x0F; BYTE $0xAE; BYTE $0xC0
#define WRFSBASE_BX BYTE $0xF3; BYTE $0x48; BYTE $0x0F; BYTE $0xAE; BYTE $0xD3
#define WRFSBASE_R12 BYTE $0xF3; BYTE $0x49; BYTE $0x0F; BYTE $0xAE; BYTE $0xD4

// func moveFS(blk *[2]uint64, got *[3]uint64)
//
// Points FS at &blk[1], with blk[0] a copy of the word at FS:-8 (Go's g),
// so that a signal handler in between still finds g. Then got[0] =
// arch_prctl(ARCH_GET_FS), sched_yield, got[1] = RDFSBASE, and FS goes
// back; got[2] is the FS base it had.
TEXT ·moveFS(SB),NOSPLIT,$0-16
	MOVQ	blk+0(FP), BX
	MOVQ	got+8(FP), R13
	RDFSBASE_AX
	MOVQ	AX, R12                    // the FS base to put back
	MOVQ	AX, 16(R13)
	MOVQ	-8(AX), CX
	MOVQ	CX, 0(BX)
	ADDQ	$8, BX
	WRFSBASE_BX
	MOVQ	$158, AX                   // arch_prctl
	MOVQ	$0x1003, DI                // ARCH_GET_FS
	MOVQ	R13, SI
	SYSCALL
	MOVQ	$24, AX                    // sched_yield
	SYSCALL
	RDFSBASE_AX
	MOVQ	AX, 8(R13)
	WRFSBASE_R12
	RET

// func hasFSGSBASE() bool: CPUID.(EAX=7,ECX=0):EBX bit 0.
TEXT ·hasFSGSBASE(SB),NOSPLIT,$0-1
	MOVL	$7, AX
	XORL	CX, CX
	CPUID
	ANDL	$1, BX
	MOVB	BX, ret+0(FP)
	RET
