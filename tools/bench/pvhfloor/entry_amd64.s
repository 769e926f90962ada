// PVH entry of pvhfloor: print one line on COM1, then exit through
// isa-debug-exit. See main.go.
//
// The Go assembler only emits 64-bit encodings, so every instruction is
// hand-encoded; each of these bytes means the same in 32-bit mode.

#include "textflag.h"

// func entry32()
TEXT ·entry32(SB),NOSPLIT|NOFRAME,$0
	BYTE $0xBA; LONG $0x3f8         // mov $0x3f8, %edx (COM1 data port)
	BYTE $0xB0; BYTE $'f'; BYTE $0xEE // mov $'f', %al; out %al, (%dx)
	BYTE $0xB0; BYTE $'l'; BYTE $0xEE
	BYTE $0xB0; BYTE $'o'; BYTE $0xEE
	BYTE $0xB0; BYTE $'o'; BYTE $0xEE
	BYTE $0xB0; BYTE $'r'; BYTE $0xEE
	BYTE $0xB0; BYTE $':'; BYTE $0xEE
	BYTE $0xB0; BYTE $' '; BYTE $0xEE
	BYTE $0xB0; BYTE $'r'; BYTE $0xEE
	BYTE $0xB0; BYTE $'e'; BYTE $0xEE
	BYTE $0xB0; BYTE $'a'; BYTE $0xEE
	BYTE $0xB0; BYTE $'d'; BYTE $0xEE
	BYTE $0xB0; BYTE $'y'; BYTE $0xEE
	BYTE $0xB0; BYTE $'\n'; BYTE $0xEE
	BYTE $0x31; BYTE $0xC0          // xor %eax, %eax: status 0
	BYTE $0xE7; BYTE $0xF4          // out %eax, $0xf4 (isa-debug-exit)
	BYTE $0xF4                      // hlt
	BYTE $0xEB; BYTE $0xFD          // jmp back to hlt
