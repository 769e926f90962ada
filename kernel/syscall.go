package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/devcall"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// A syscallFn implements one system call for thread t, whose registers
// (arguments in RDI, RSI, RDX, R10, R8, R9) are in f. It returns the
// value for RAX: a result, or a negated errno (linux.Errno.Ret). A call
// that blocks parks t with block and returns anything: the waker sets
// RAX.
//
// Trap context: every syscallFn runs in it.
type syscallFn func(t *Thread, f *amd64.TrapFrame) uint64

// doSyscall runs the system call in f for t.
func doSyscall(t *Thread, f *amd64.TrapFrame) {
	nr := f.RAX
	if runStamps.pending {
		runStamps.observe(nr, f.RDI)
	}
	var fn syscallFn
	switch {
	case nr < linux.NumSyscalls:
		fn = syscalls[nr].fn
	case nr >= devcall.SysBase && nr < devcall.SysEnd:
		fn = devcalls[nr-devcall.SysBase].fn
	}
	if fn == nil {
		logENOSYS(nr)
		f.RAX = linux.ENOSYS.Ret()
		return
	}
	if crashAtWrite && nr == linux.SYS_WRITE && f.RDI == 1 {
		crashServingWrite()
	}
	a0, a1, a2 := f.RDI, f.RSI, f.RDX
	f.RAX = fn(t, f)
	if straceEnabled {
		traceSyscall(t, nr, a0, a1, a2, f.RAX)
	}
}

// logENOSYS reports a system call that answers ENOSYS the first time it
// is made: one not implemented, or one refused by design, with the
// table's note that says why.
func logENOSYS(nr uint64) {
	refused := false
	if nr < linux.NumSyscalls {
		if enosysLogged[nr] {
			return
		}
		enosysLogged[nr] = true
		refused = syscalls[nr].status == callENOSYSByDesign
	}
	if refused {
		console.str("coracle: refused system call ")
	} else {
		console.str("coracle: unimplemented system call ")
	}
	if name := linux.SyscallName(nr); name != "" {
		console.str(name)
		console.str(" (")
		console.dec(nr)
		console.str(")")
	} else {
		console.dec(nr)
	}
	console.str(": ENOSYS")
	if refused {
		console.str(" (")
		console.str(syscalls[nr].note)
		console.str(")")
	}
	console.str("\n")
}
