package kernel

import "github.com/coracle-os/coracle/kernel/abi/linux"

// The coracle.strace kernel parameter: every system call is logged on the
// console with its first three arguments and its result (for a call that
// blocks, the result is not final). straceEnabled is in state.go.

// traceSyscall logs one system call.
//
// Trap context.
func traceSyscall(t *Thread, nr, a0, a1, a2, ret uint64) {
	console.str("coracle: strace: [")
	console.dec(uint64(t.tid))
	console.str("] ")
	if name := linux.SyscallName(nr); name != "" {
		console.str(name)
	} else {
		console.dec(nr)
	}
	console.str("(")
	console.hex(a0, 1)
	console.str(", ")
	console.hex(a1, 1)
	console.str(", ")
	console.hex(a2, 1)
	console.str(") = ")
	if int64(ret) < 0 && int64(ret) > -4096 {
		console.str("-")
		console.dec(-ret)
	} else {
		console.hex(ret, 1)
	}
	console.str("\n")
}
