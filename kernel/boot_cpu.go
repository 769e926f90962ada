package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/mm"
)

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

// setupUserEntry readies the boot CPU to run ring-3 code
// (enableCPUFeatures).
func setupUserEntry() {
	xcr0 = enableCPUFeatures(&cpu0)
	setupVectorAreas()
}

// enableCPUFeatures readies the calling CPU to run ring-3 code: vector
// state (XSAVE with the components Go may use, and how traps save it,
// recorded in c), the FS base instructions and SYSCALL. It returns the
// XCR0 it set. Every CPU runs it, the boot CPU in setupUserEntry and
// each AP in apMain, so all have the same features.
func enableCPUFeatures(c *amd64.PerCPU) uint64 {
	size, useXSAVE, enabled := amd64.EnableVectorState()
	c.XSaveSize = uint64(size)
	c.UseXSAVE = useXSAVE
	avxOffset := uint32(0)
	if enabled&amd64.XCR0_AVX != 0 {
		avxOffset = amd64.AVXStateOffset()
	}
	c.FastVector = amd64.FastVectorMode(useXSAVE, size, enabled, avxOffset)
	c.UseFSGSBASE = amd64.EnableFSGSBASE()
	amd64.EnableSyscall()
	return enabled
}

// The kernel stack trap handlers run on for traps from ring 3 lives in
// its own region of the kernel half, with an unmapped guard page below:
// an overflow faults (and, with nowhere to push, double-faults onto the
// IST stack, which reports it) instead of corrupting memory.
const (
	kernelStackBase = 0xffff_c000_0000_0000 // guard page; the stack follows
	kernelStackSize = 64 << 10
)

// setupKernelStack maps the kernel stack. It runs after setupMemory.
func setupKernelStack() {
	for va := uint64(kernelStackBase + 4096); va < kernelStackBase+4096+kernelStackSize; va += 4096 {
		pa, ok := frames.AllocZeroed()
		if !ok {
			outOfMemory("the kernel stack")
		}
		mustMap(space.Map(va, pa, mm.P|mm.RW|mm.XD), "the kernel stack")
	}
	cpu0.SetKernelStack(uintptr(kernelStackBase + 4096 + kernelStackSize))
}

// detectRandom finds the CPU's random instructions.
func detectRandom() bool {
	_, _, ecx, _ := amd64.CPUID(1, 0)
	haveRDRAND = ecx&cpuidRDRAND != 0
	if max, _, _, _ := amd64.CPUID(0, 0); max >= 7 {
		_, ebx, _, _ := amd64.CPUID(7, 0)
		haveRDSEED = ebx&cpuidRDSEED != 0
	}
	return haveRDRAND || haveRDSEED
}

// checkThreadLayout stops the boot if the table breaks the stubs'
// assumptions about alignment.
func checkThreadLayout() {
	if uintptr(unsafe.Pointer(&threads[0].Frame))%16 != 0 || unsafe.Sizeof(Thread{})%16 != 0 {
		bootFailure("thread table is not 16-byte aligned")
	}
}
