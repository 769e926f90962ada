// Exception entry stubs. Each stub makes the frame uniform (a zero
// error code where the CPU pushes none, then the vector) and jumps to
// trapCommon, which saves the general registers as a TrapFrame (trap.go),
// calls dispatchTrap and returns with IRETQ.

#include "textflag.h"

#define NOERR(v) PUSHQ $0; PUSHQ $v; JMP trapCommon<>(SB)
#define ERR(v) PUSHQ $v; JMP trapCommon<>(SB)

TEXT trap0<>(SB),NOSPLIT|NOFRAME,$0
	NOERR(0)

TEXT trap1<>(SB),NOSPLIT|NOFRAME,$0
	NOERR(1)

TEXT trap2<>(SB),NOSPLIT|NOFRAME,$0
	NOERR(2)

TEXT trap3<>(SB),NOSPLIT|NOFRAME,$0
	NOERR(3)

TEXT trap4<>(SB),NOSPLIT|NOFRAME,$0
	NOERR(4)

TEXT trap5<>(SB),NOSPLIT|NOFRAME,$0
	NOERR(5)

TEXT trap6<>(SB),NOSPLIT|NOFRAME,$0
	NOERR(6)

TEXT trap7<>(SB),NOSPLIT|NOFRAME,$0
	NOERR(7)

TEXT trap8<>(SB),NOSPLIT|NOFRAME,$0
	ERR(8)

TEXT trap9<>(SB),NOSPLIT|NOFRAME,$0
	NOERR(9)

TEXT trap10<>(SB),NOSPLIT|NOFRAME,$0
	ERR(10)

TEXT trap11<>(SB),NOSPLIT|NOFRAME,$0
	ERR(11)

TEXT trap12<>(SB),NOSPLIT|NOFRAME,$0
	ERR(12)

TEXT trap13<>(SB),NOSPLIT|NOFRAME,$0
	ERR(13)

TEXT trap14<>(SB),NOSPLIT|NOFRAME,$0
	ERR(14)

TEXT trap15<>(SB),NOSPLIT|NOFRAME,$0
	NOERR(15)

TEXT trap16<>(SB),NOSPLIT|NOFRAME,$0
	NOERR(16)

TEXT trap17<>(SB),NOSPLIT|NOFRAME,$0
	ERR(17)

TEXT trap18<>(SB),NOSPLIT|NOFRAME,$0
	NOERR(18)

TEXT trap19<>(SB),NOSPLIT|NOFRAME,$0
	NOERR(19)

TEXT trap20<>(SB),NOSPLIT|NOFRAME,$0
	NOERR(20)

TEXT trap21<>(SB),NOSPLIT|NOFRAME,$0
	ERR(21)

TEXT trap22<>(SB),NOSPLIT|NOFRAME,$0
	NOERR(22)

TEXT trap23<>(SB),NOSPLIT|NOFRAME,$0
	NOERR(23)

TEXT trap24<>(SB),NOSPLIT|NOFRAME,$0
	NOERR(24)

TEXT trap25<>(SB),NOSPLIT|NOFRAME,$0
	NOERR(25)

TEXT trap26<>(SB),NOSPLIT|NOFRAME,$0
	NOERR(26)

TEXT trap27<>(SB),NOSPLIT|NOFRAME,$0
	NOERR(27)

TEXT trap28<>(SB),NOSPLIT|NOFRAME,$0
	NOERR(28)

TEXT trap29<>(SB),NOSPLIT|NOFRAME,$0
	ERR(29)

TEXT trap30<>(SB),NOSPLIT|NOFRAME,$0
	ERR(30)

TEXT trap31<>(SB),NOSPLIT|NOFRAME,$0
	NOERR(31)

// trapCommon: SP -> vector, error code, RIP, CS, RFLAGS, RSP, SS.
TEXT trapCommon<>(SB),NOSPLIT|NOFRAME,$0
	PUSHQ	AX
	PUSHQ	BX
	PUSHQ	CX
	PUSHQ	DX
	PUSHQ	SI
	PUSHQ	DI
	PUSHQ	BP
	PUSHQ	R8
	PUSHQ	R9
	PUSHQ	R10
	PUSHQ	R11
	PUSHQ	R12
	PUSHQ	R13
	PUSHQ	R14
	PUSHQ	R15
	CLD
	MOVQ	SP, AX
	SUBQ	$16, SP
	MOVQ	AX, 0(SP)                 // dispatchTrap(f *TrapFrame), ABI0
	CALL	·dispatchTrap(SB)
	ADDQ	$16, SP
	POPQ	R15
	POPQ	R14
	POPQ	R13
	POPQ	R12
	POPQ	R11
	POPQ	R10
	POPQ	R9
	POPQ	R8
	POPQ	BP
	POPQ	DI
	POPQ	SI
	POPQ	DX
	POPQ	CX
	POPQ	BX
	POPQ	AX
	ADDQ	$16, SP                   // vector, error code
	IRETQ

// func trapStubTable() *[NumExceptions]uintptr
TEXT ·trapStubTable(SB),NOSPLIT,$0-8
	LEAQ	trapStubs<>(SB), AX
	MOVQ	AX, ret+0(FP)
	RET

DATA trapStubs<>+0(SB)/8, $trap0<>(SB)
DATA trapStubs<>+8(SB)/8, $trap1<>(SB)
DATA trapStubs<>+16(SB)/8, $trap2<>(SB)
DATA trapStubs<>+24(SB)/8, $trap3<>(SB)
DATA trapStubs<>+32(SB)/8, $trap4<>(SB)
DATA trapStubs<>+40(SB)/8, $trap5<>(SB)
DATA trapStubs<>+48(SB)/8, $trap6<>(SB)
DATA trapStubs<>+56(SB)/8, $trap7<>(SB)
DATA trapStubs<>+64(SB)/8, $trap8<>(SB)
DATA trapStubs<>+72(SB)/8, $trap9<>(SB)
DATA trapStubs<>+80(SB)/8, $trap10<>(SB)
DATA trapStubs<>+88(SB)/8, $trap11<>(SB)
DATA trapStubs<>+96(SB)/8, $trap12<>(SB)
DATA trapStubs<>+104(SB)/8, $trap13<>(SB)
DATA trapStubs<>+112(SB)/8, $trap14<>(SB)
DATA trapStubs<>+120(SB)/8, $trap15<>(SB)
DATA trapStubs<>+128(SB)/8, $trap16<>(SB)
DATA trapStubs<>+136(SB)/8, $trap17<>(SB)
DATA trapStubs<>+144(SB)/8, $trap18<>(SB)
DATA trapStubs<>+152(SB)/8, $trap19<>(SB)
DATA trapStubs<>+160(SB)/8, $trap20<>(SB)
DATA trapStubs<>+168(SB)/8, $trap21<>(SB)
DATA trapStubs<>+176(SB)/8, $trap22<>(SB)
DATA trapStubs<>+184(SB)/8, $trap23<>(SB)
DATA trapStubs<>+192(SB)/8, $trap24<>(SB)
DATA trapStubs<>+200(SB)/8, $trap25<>(SB)
DATA trapStubs<>+208(SB)/8, $trap26<>(SB)
DATA trapStubs<>+216(SB)/8, $trap27<>(SB)
DATA trapStubs<>+224(SB)/8, $trap28<>(SB)
DATA trapStubs<>+232(SB)/8, $trap29<>(SB)
DATA trapStubs<>+240(SB)/8, $trap30<>(SB)
DATA trapStubs<>+248(SB)/8, $trap31<>(SB)
GLOBL trapStubs<>(SB), RODATA, $256
