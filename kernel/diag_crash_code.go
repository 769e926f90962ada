package kernel

import (
	"github.com/coracle-os/coracle/kernel/symtab"
)

// The code around a faulting RIP is printed as raw bytes on one
// "coracle: code" line, which the host decodes (tools/crashreport):
// x86asm's decoder and formatter allocate, which trap context cannot.
const (
	codeBefore = 32 // bytes before RIP
	codeAfter  = 16 // bytes from RIP on
)

// printCode prints the bytes around rip, clipped to the image's code:
// the whole of it is mapped, so reading there cannot fault, whereas a
// RIP outside it (a jump to nowhere) may be unmapped and is not read.
// The line is
//
//	coracle: code at 0x<start>, RIP at +<offset>: <hex bytes>
//
// Trap context: safe.
func printCode(rip uint64, symbols *symtab.Table) {
	lo, hi := symbols.Text()
	if rip < uint64(lo) || rip >= uint64(hi) {
		console.str("coracle: code: RIP is outside the image's code; not read\n")
		return
	}
	start := max(rip-codeBefore, uint64(lo))
	if rip < codeBefore {
		start = uint64(lo)
	}
	end := min(rip+codeAfter, uint64(hi))
	console.str("coracle: code at ")
	console.hex(start, 16)
	console.str(", RIP at +")
	console.dec(rip - start)
	console.str(":")
	var buf [3]byte
	buf[0] = ' '
	for a := start; a < end; a++ {
		b := *(*byte)(addrPointer(uintptr(a)))
		buf[1], buf[2] = "0123456789abcdef"[b>>4], "0123456789abcdef"[b&15]
		if a == start {
			console.port.Write(buf[:])
		} else {
			console.port.Write(buf[1:])
		}
	}
	console.str("\n")
}
