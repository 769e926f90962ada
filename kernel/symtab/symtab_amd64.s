#include "textflag.h"

// func imagePCLNTab() (start, end uintptr)
//
// runtime.pclntab is the carrier symbol of .gopclntab, at the address of
// its first part, runtime.pcheader. Do not name runtime.pcheader here: the
// Go 1.26 linker generates it internally, and a reference from an object
// file makes the link fail ("runtime.pclntab: phase error").
TEXT ·imagePCLNTab(SB), NOSPLIT|NOFRAME, $0-16
	LEAQ	runtime·pclntab(SB), AX
	MOVQ	AX, start+0(FP)
	LEAQ	runtime·epclntab(SB), AX
	MOVQ	AX, end+8(FP)
	RET

// func imageText() uintptr
TEXT ·imageText(SB), NOSPLIT|NOFRAME, $0-8
	LEAQ	runtime·text(SB), AX
	MOVQ	AX, ret+0(FP)
	RET
