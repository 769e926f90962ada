package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/exitstatus"
	"github.com/coracle-os/coracle/kernel/mm"
)

// physMemory gives mm access to physical memory.
type physMemory struct{}

// Page returns the frame at pa.
//
// Trap context: address arithmetic.
func (*physMemory) Page(pa uint64) *[4096]byte {
	return (*[4096]byte)(addrPointer(physOffset + uintptr(pa)))
}

// mustMap stops the boot if mapping what failed.
func mustMap(e mm.Errno, what string) {
	switch e {
	case 0:
	case mm.ENOMEM:
		outOfMemory(what)
	default:
		console.str("coracle: cannot map ")
		console.str(what)
		console.str(": errno ")
		console.dec(uint64(e))
		console.str("\n")
		bootFailure("the kernel's address space could not be built")
	}
}

// outOfMemory stops the VM: the kernel itself could not get memory.
func outOfMemory(what string) {
	console.str("coracle: out of memory: no free frame for ")
	console.str(what)
	console.str(" (")
	console.dec(frames.TotalCount() * 4096 >> 20)
	console.str(" MiB of RAM in all); give the VM more memory (-m)\n")
	Exit(exitstatus.OutOfMemory)
}

// pageFault handles #PF: demand paging for the program's mappings, from
// ring 3 or from the kernel touching user memory for the first time.
func pageFault(f *amd64.TrapFrame, fromUser bool) {
	addr := amd64.ReadCR2()
	switch r := mm.HandleFault(&space, &vmas, addr, f.ErrorCode); {
	case r.Resolved():
		if f.ErrorCode&mm.PF_P != 0 {
			// A present entry changed (a copy on write above all):
			// other CPUs may hold the old one.
			shootdown()
		}
		return
	case r == mm.FaultNoMem && reclaimFrames():
		return // the access is made again, and finds a frame
	case r == mm.FaultNoMem:
		outOfMemory("a page of the program")
	case r == mm.FaultBus && !fromUser:
		// The kernel checked the buffer against its file's size
		// (userRangeOK): only a hole it could not fill ends here.
		outOfMemory("a page of a mapped file")
	case fromUser && (r == mm.FaultMapErr || r == mm.FaultAccErr || r == mm.FaultBus):
		userFault(f, addr, r)
	default:
		kernelFault(f)
	}
}
