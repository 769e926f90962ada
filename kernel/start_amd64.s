#include "textflag.h"

// func runtimeEntry() uintptr
TEXT ·runtimeEntry(SB),NOSPLIT,$0-8
	MOVQ	$_rt0_amd64_linux(SB), AX
	MOVQ	AX, ret+0(FP)
	RET

// func imageHeader() uintptr
TEXT ·imageHeader(SB),NOSPLIT,$0-8
	MOVQ	$runtime·text(SB), AX
	SUBQ	$0x1000, AX
	MOVQ	AX, ret+0(FP)
	RET
