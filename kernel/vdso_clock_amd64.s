#include "textflag.h"

// func vdsoClockGettime()
//
// The vDSO's __vdso_clock_gettime, run by the program in ring 3 with the
// C calling convention: DI = clock id, SI = struct timespec *, result in
// AX; RBX, RBP and R12-R15 are preserved (only caller-saved registers
// are used). REALTIME, MONOTONIC and their COARSE, RAW and BOOTTIME
// variants are computed from the TSC exactly as clock.Clock does; any
// other clock, or no TSC reading, makes the system call.
TEXT ·vdsoClockGettime(SB),NOSPLIT|NOFRAME,$0
	CMPQ	DI, $7 // CLOCK_BOOTTIME, the last one handled
	JHI	syscall
	CMPQ	DI, $2 // CLOCK_PROCESS_CPUTIME_ID
	JEQ	syscall
	CMPQ	DI, $3 // CLOCK_THREAD_CPUTIME_ID
	JEQ	syscall
	MOVQ	·vdsoClock+0(SB), AX
	TESTQ	AX, AX
	JZ	syscall

	LFENCE // as RdtscOrdered
	RDTSC
	SHLQ	$32, DX
	ORQ	DX, AX
	SUBQ	·vdsoClock+8(SB), AX // cycles since base
	TESTQ	AX, AX
	JLE	zero // not after base: 0, as int64(cycles) > 0 fails

	// ns = cycles*mul >> shift (clock.Scale.Apply), saturating.
	MULQ	·vdsoClock+16(SB) // DX:AX
	MOVQ	·vdsoClock+24(SB), CX
	CMPQ	CX, $64
	JB	narrow
	SUBQ	$64, CX
	SHRQ	CX, DX
	MOVQ	DX, AX
	JMP	add
narrow:
	MOVQ	DX, R8
	SHRQ	CX, R8
	TESTQ	R8, R8
	JNZ	saturate
	SHRQ	CX, DX, AX // AX = DX:AX >> CX
	JMP	add
saturate:
	MOVQ	$-1, AX
	JMP	add
zero:
	XORL	AX, AX

add:
	CMPQ	DI, $0 // CLOCK_REALTIME
	JEQ	wall
	CMPQ	DI, $5 // CLOCK_REALTIME_COARSE
	JNE	split
wall:
	ADDQ	·vdsoClock+32(SB), AX

split:
	XORL	DX, DX
	MOVQ	$1000000000, CX
	DIVQ	CX
	MOVQ	AX, 0(SI) // tv_sec
	MOVQ	DX, 8(SI) // tv_nsec
	XORL	AX, AX
	RET

syscall:
	MOVL	$228, AX // SYS_clock_gettime
	SYSCALL
	RET

// func vdsoClockGettimeAddr() uintptr
TEXT ·vdsoClockGettimeAddr(SB),NOSPLIT,$0-8
	LEAQ	·vdsoClockGettime(SB), AX
	MOVQ	AX, ret+0(FP)
	RET
