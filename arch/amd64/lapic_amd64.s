#include "textflag.h"

// func lapicDeadlineFence()
TEXT ·lapicDeadlineFence(SB),NOSPLIT,$0-0
	// MFENCE orders the earlier MMIO store to the timer LVT; LFENCE keeps
	// the following WRMSR from executing before MFENCE completes (the
	// sequence Linux's weak_wrmsr_fence uses).
	MFENCE
	LFENCE
	RET
