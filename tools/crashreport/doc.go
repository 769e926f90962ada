// Package crashreport completes a coracle crash report on the host: it
// finds the "coracle: code" line the kernel prints after a fault (the raw
// bytes around RIP) and prints those bytes disassembled with
// golang.org/x/arch/x86/x86asm in Go assembler syntax, with the image's
// function names and source lines, the faulting instruction marked "=>".
//
// The kernel prints bytes rather than instructions because x86asm's
// decoder and formatter allocate, which its trap handlers must not.
// coracle run passes the serial console through Writer; Annotate does the
// same for a console log saved elsewhere (Firecracker, a CI log).
//
// Decoding x86 backwards from RIP is ambiguous: the bytes before it can
// be split into instructions in several ways. Disassemble therefore
// starts at a function entry from the image's symbols where one lies in
// the window before RIP (an entry is always an instruction boundary), and
// otherwise tries every start offset and keeps the earliest from which
// decoding lands exactly on RIP.
//
// Trap context: none (host code).
package crashreport
