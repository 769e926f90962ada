#include "textflag.h"

// runtime·coracleService is where a goroutine started by sysgo.Go begins.
// Its name is in the runtime's name space so that the runtime counts the
// goroutine as a system goroutine. DX holds the func value Go called (a
// *trampoline); its second word is the service's own func value, which
// becomes the closure context as Go's internal ABI expects, and its first
// word is the code to run. No frame is built: the return address on the
// stack stays runtime.goexit's, as for any goroutine.
TEXT runtime·coracleService(SB),NOSPLIT|NOFRAME,$0-0
	MOVQ	8(DX), DX
	MOVQ	0(DX), BX
	JMP	BX

// func servicePC() uintptr
TEXT ·servicePC(SB),NOSPLIT,$0-8
	MOVQ	$runtime·coracleService(SB), AX
	MOVQ	AX, ret+0(FP)
	RET

// func GrowStack()
// A 12 KiB frame, never written: the prologue that the assembler adds
// for a frame this large (no NOSPLIT) calls morestack when the stack
// lacks room for it; then the frame is popped again. No calls are made
// in it, so it needs no stack map.
TEXT ·GrowStack(SB),0,$12288-0
	RET
