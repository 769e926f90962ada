#include "textflag.h"

// func crashDivide()
TEXT ·crashDivide(SB),NOSPLIT,$0-0
	MOVL	$1, AX
	XORL	DX, DX
	XORL	CX, CX
	DIVL	CX
	RET

// func crashInvalidOpcode()
TEXT ·crashInvalidOpcode(SB),NOSPLIT,$0-0
	UD2
	RET

// func crashGeneralProtection()
TEXT ·crashGeneralProtection(SB),NOSPLIT,$0-0
	MOVQ	$0x8000000000000000, AX   // non-canonical
	MOVQ	(AX), AX
	RET

// func crashPageFault()
TEXT ·crashPageFault(SB),NOSPLIT,$0-0
	MOVQ	$0x10000000000, AX        // 1 TiB: canonical, never mapped
	MOVQ	(AX), AX
	RET

// func crashBreakpoint()
TEXT ·crashBreakpoint(SB),NOSPLIT,$0-0
	INT	$3
	RET
