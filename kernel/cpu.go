package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
)

// The boot CPU's state. One vCPU for now; everything per-CPU is reached
// through cpu0 (and GS, for the entry stubs) so a second one can follow.
var (
	cpu0 amd64.PerCPU
	tss  amd64.TSS
)

// dispatchFn is the trap dispatcher as a func value, whose closure the
// entry stubs call. It is a top-level function: its closure is static,
// which PerCPU.SetDispatcher requires.
var dispatchFn = dispatch

// setupCPU installs the kernel's GDT, TSS, per-CPU block and trap
// handlers. Traps taken before the kernel stack exists run on the
// interrupted (boot) stack.
func setupCPU() {
	tss.NoIOMap()
	amd64.LoadGDT(&tss)
	amd64.InstallPerCPU(&cpu0)
	cpu0.SetDispatcher(dispatchFn)
	cpu0.SetKernelStack(0) // until setupUserEntry: ring 3 is not entered before
	cpu0.XSaveSize = amd64.FXSaveSize
	amd64.InstallTrapHandlers(&tss)
}

// kernelStack is the stack trap handlers run on for traps from ring 3.
var kernelStack [64 << 10]byte

// setupUserEntry readies the CPU to run ring-3 code: vector state
// (XSAVE with the components Go may use), the kernel stack, SYSCALL and
// the execute-disable bit.
func setupUserEntry() {
	size, useXSAVE, _ := amd64.EnableVectorState()
	cpu0.XSaveSize = uint64(size)
	cpu0.UseXSAVE = useXSAVE
	cpu0.SetKernelStack(uintptr(unsafe.Pointer(&kernelStack[len(kernelStack)-1])) &^ 15)
	amd64.EnableSyscall()
}
