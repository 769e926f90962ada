#include "textflag.h"

// func callerRegs() (pc, sp, fp uint64)
//
// Returns its caller's PC (the return address), SP (after the return)
// and frame pointer. A leaf without a frame: RBP is the caller's. Used
// by the tests to walk a real Go stack.
TEXT ·callerRegs(SB),NOSPLIT|NOFRAME,$0-24
	MOVQ	0(SP), AX
	MOVQ	AX, pc+0(FP)
	LEAQ	8(SP), AX
	MOVQ	AX, sp+8(FP)
	MOVQ	BP, fp+16(FP)
	RET
