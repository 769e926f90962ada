#include "textflag.h"

// func RdtscOrdered() uint64
TEXT ·RdtscOrdered(SB),NOSPLIT,$0-8
	// LFENCE keeps RDTSC from executing before earlier instructions
	// (SDM Vol. 2B RDTSC: "If software requires RDTSC to be executed only
	// after all previous instructions have executed ... it can execute
	// LFENCE immediately before RDTSC").
	LFENCE
	RDTSC
	SHLQ	$32, DX
	ORQ	DX, AX
	MOVQ	AX, ret+0(FP)
	RET
