#include "textflag.h"

// func imageHeader() uintptr
TEXT ·imageHeader(SB),NOSPLIT,$0-8
	MOVQ	$runtime·text(SB), AX
	SUBQ	$0x1000, AX
	MOVQ	AX, ret+0(FP)
	RET
