#include "textflag.h"

// func apicWrmsrFence()
TEXT ·apicWrmsrFence(SB),NOSPLIT,$0-0
	// MFENCE orders the earlier stores (memory, the MMIO store to the
	// timer LVT); LFENCE keeps the following WRMSR from executing before
	// MFENCE completes (the sequence Linux's weak_wrmsr_fence uses).
	MFENCE
	LFENCE
	RET

// func MMIOWrite32(addr uintptr, v uint32)
TEXT ·MMIOWrite32(SB),NOSPLIT,$0-12
	MOVQ	addr+0(FP), BX
	MOVL	v+8(FP), AX
	MOVL	AX, (BX)
	RET
