#include "textflag.h"

// func apicWrmsrFence()
TEXT ·apicWrmsrFence(SB),NOSPLIT,$0-0
	// MFENCE orders the earlier stores (memory, the MMIO store to the
	// timer LVT); LFENCE keeps the following WRMSR from executing before
	// MFENCE completes (the sequence Linux's weak_wrmsr_fence uses).
	MFENCE
	LFENCE
	RET
