package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/exitstatus"
	"github.com/coracle-os/coracle/kernel/symtab"
)

// kernelFault reports an exception the kernel cannot handle and stops
// the VM.
//
// Trap context: on the trap stack with interrupts off.
func kernelFault(f *amd64.TrapFrame) {
	if crashing {
		console.str("\ncoracle: another exception while reporting a crash: vector ")
		console.dec(f.Vector)
		console.str(", RIP ")
		console.hex(f.RIP, 16)
		console.str("\n")
		Exit(exitstatus.KernelFault)
	}
	crashing = true
	printCrashReport(f, amd64.ReadCR2(), amd64.ReadCR3())
	console.str("coracle: kernel fault, stopping with exit status ")
	console.dec(exitstatus.KernelFault)
	console.str("\n")
	Exit(exitstatus.KernelFault)
}

// printCrashReport prints the exception, its error code, every register,
// the stack as symbolized frames (for a kernel fault, the kernel's and
// the user stack of the thread it was serving) and the code around RIP.
// Each line starts with "coracle: " so that it stands out from program
// output. A fault in ring 3 reaches here only when the program has no
// handler for its signal; with one, the Go runtime prints its own
// traceback instead.
//
// Trap context: safe.
func printCrashReport(f *amd64.TrapFrame, cr2, cr3 uint64) {
	console.str("coracle: CPU exception ")
	console.dec(f.Vector)
	console.str(" (")
	if f.Vector < amd64.NumExceptions {
		console.str(amd64.ExceptionNames[f.Vector])
	} else {
		console.str("external interrupt")
	}
	console.str("), error code ")
	console.hex(f.ErrorCode, 4)
	if f.Vector == amd64.VectorPF {
		console.str(" (")
		console.str(pageFaultCause(f.ErrorCode))
		console.str(")")
	}
	console.str("\n")
	// The image's function table is read here, at crash time, rather
	// than kept from boot: checking it costs milliseconds a boot should
	// not spend, and a global holding it would be a pointer store (a
	// write barrier) in trap context.
	symbols, haveSymbols := symtab.Image()
	if haveSymbols {
		printSymbol(f.RIP, &symbols)
	}
	reg3("RIP", f.RIP, "RSP", f.RSP, "RFLAGS", f.RFLAGS)
	reg3("CR2", cr2, "CR3", cr3, "CS", f.CS)
	reg3("RAX", f.RAX, "RBX", f.RBX, "RCX", f.RCX)
	reg3("RDX", f.RDX, "RSI", f.RSI, "RDI", f.RDI)
	reg3("RBP", f.RBP, "R8", f.R8, "R9", f.R9)
	reg3("R10", f.R10, "R11", f.R11, "R12", f.R12)
	reg3("R13", f.R13, "R14", f.R14, "R15", f.R15)
	if !haveSymbols {
		console.str("coracle: no stack or code: the image's function table does not validate\n")
		return
	}
	if f.CS&3 == 0 {
		printKernelStack(f, &symbols)
		printUserStack(f, &symbols)
	} else {
		printFaultingUserStack(f, &symbols)
	}
	printCode(f.RIP, &symbols)
}

func reg3(n1 string, v1 uint64, n2 string, v2 uint64, n3 string, v3 uint64) {
	console.str("coracle:  ")
	reg(n1, v1)
	reg(n2, v2)
	reg(n3, v3)
	console.str("\n")
}

func reg(name string, v uint64) {
	console.str(" ")
	for range 6 - len(name) {
		console.str(" ")
	}
	console.str(name)
	console.str(" ")
	console.hex(v, 16)
}

// Page-fault error code bits (SDM Vol. 3A §4.7, Figure 4-12).
const (
	pfPresent = 1 << 0
	pfWrite   = 1 << 1
	pfUser    = 1 << 2
	pfFetch   = 1 << 4
)

// pageFaultCause describes a page-fault error code.
func pageFaultCause(code uint64) string {
	// Eight constant strings rather than formatting: no allocation.
	causes := [8]string{
		"read of a not-present page in ring 0",
		"read of a protected page in ring 0",
		"write to a not-present page in ring 0",
		"write to a protected page in ring 0",
		"read of a not-present page in ring 3",
		"read of a protected page in ring 3",
		"write to a not-present page in ring 3",
		"write to a protected page in ring 3",
	}
	if code&pfFetch != 0 {
		if code&pfPresent != 0 {
			return "instruction fetch from a non-executable page"
		}
		return "instruction fetch from a not-present page"
	}
	return causes[code&(pfPresent|pfWrite|pfUser)]
}

// printSymbol names the function holding pc, with its file and line.
func printSymbol(pc uint64, symbols *symtab.Table) {
	if _, _, ok := symbols.Lookup(uintptr(pc)); !ok {
		console.str("coracle:  RIP is outside the image's code\n")
		return
	}
	console.str("coracle:  RIP is in ")
	printWhere(pc, pc, symbols)
	console.str("\n")
}

// printWhere prints "function+offset at file:line" for pc, naming the
// function and line that hold at (pc itself, or pc-1 for a return
// address, which belongs to the call before it). It prints nothing and
// reports false when at is outside the image's code.
func printWhere(pc, at uint64, symbols *symtab.Table) bool {
	name, entry, ok := symbols.Lookup(uintptr(at))
	if !ok {
		return false
	}
	console.str(name)
	console.str("+")
	console.hex(pc-uint64(entry), 1)
	if file, line, ok := symbols.Line(uintptr(at)); ok {
		console.str(" at ")
		console.str(file)
		console.str(":")
		console.dec(uint64(line))
	}
	return true
}
