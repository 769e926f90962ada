#include "textflag.h"

// func mmioRead8(addr uintptr) uint8
TEXT ·mmioRead8(SB),NOSPLIT,$0-9
	MOVQ	addr+0(FP), BX
	MOVBLZX	(BX), AX
	MOVB	AX, ret+8(FP)
	RET

// func mmioRead16(addr uintptr) uint16
TEXT ·mmioRead16(SB),NOSPLIT,$0-10
	MOVQ	addr+0(FP), BX
	MOVWLZX	(BX), AX
	MOVW	AX, ret+8(FP)
	RET

// func mmioWrite8(addr uintptr, v uint8)
TEXT ·mmioWrite8(SB),NOSPLIT,$0-9
	MOVQ	addr+0(FP), BX
	MOVB	v+8(FP), AX
	MOVB	AX, (BX)
	RET

// func mmioWrite16(addr uintptr, v uint16)
TEXT ·mmioWrite16(SB),NOSPLIT,$0-10
	MOVQ	addr+0(FP), BX
	MOVW	v+8(FP), AX
	MOVW	AX, (BX)
	RET
