package trapcheck

import "strings"

// Roots of the contexts coracle's kernel code runs in.
var (
	// BootRoots run before the Go runtime starts: on the boot stack,
	// and on the application processors' kernel stacks from their
	// 64-bit entry to their parked state.
	BootRoots = []string{
		"github.com/coracle-os/coracle/boot.entry64",
		"github.com/coracle-os/coracle/kernel.apEntry64",
	}
	// TrapRoots run on a trap stack with interrupts off. The entry
	// stubs reach dispatch through a closure, dispatch reaches the
	// system calls through the syscall table, and mm reaches physical
	// memory through an interface: none of these calls is direct, so
	// their targets are named here.
	TrapRoots = []string{
		"github.com/coracle-os/coracle/kernel.dispatch",
		"github.com/coracle-os/coracle/kernel.apDispatch",
		"github.com/coracle-os/coracle/kernel.sys*",
		"github.com/coracle-os/coracle/kernel.(*physMemory).Page",
	}
)

// allocators are the runtime entry points through which compiled code
// allocates, or hands work to the scheduler.
var allocators = []string{
	"runtime.newobject", "runtime.mallocgc", "runtime.makeslice", "runtime.growslice",
	"runtime.makemap", "runtime.mapassign", "runtime.convT", "runtime.concatstring",
	"runtime.slicebytetostring", "runtime.stringtoslice", "runtime.newproc",
	"runtime.deferproc", "runtime.printlock", "runtime.makechan", "runtime.chansend",
	"runtime.chanrecv", "runtime.selectgo", "runtime.lock", "runtime.gopanic",
}

// interfaceConversions are the runtime's conversions of one interface
// to another (a type assertion or switch to an interface type): they
// look the method table up in a cache the runtime locks, and build the
// table, allocating, on a miss.
var interfaceConversions = []string{
	"runtime.typeAssert", "runtime.interfaceSwitch", "runtime.assertE2I", "runtime.getitab",
}

// NoAllocation forbids allocation and the scheduler: there is no heap
// before the runtime starts, and none that a trap handler may touch.
func NoAllocation(callee string) string {
	for _, a := range interfaceConversions {
		if strings.HasPrefix(callee, a) {
			return "converts an interface to another interface type (locks and may allocate): pass the second interface in, or assert to a concrete type"
		}
	}
	for _, a := range allocators {
		if strings.HasPrefix(callee, a) {
			return "allocates or needs the scheduler"
		}
	}
	return ""
}

// TrapSafe adds the rules of trap context to NoAllocation: no write
// barriers (the garbage collector may be mid-cycle on the interrupted
// thread, and its barrier needs a real g and P) and no panics (they need
// the runtime too). Stack growth is not forbidden: trap handlers run with
// a stand-in g whose guard is zero, so prologues never call morestack
// (see arch/amd64.PerCPU.KernelG); kernel stacks end in guard pages.
func TrapSafe(callee string) string {
	switch {
	case strings.HasPrefix(callee, "runtime.gcWriteBarrier"), strings.HasPrefix(callee, "runtime.wbZero"),
		strings.HasPrefix(callee, "runtime.wbMove"), strings.HasPrefix(callee, "runtime.typedmemmove"):
		return "has a write barrier: store only non-pointer data in trap context"
	}
	return NoAllocation(callee)
}

// Rules are the checks every coracle image must pass.
func Rules() []Rule {
	return []Rule{
		{Context: "boot path", Roots: BootRoots, Forbid: NoAllocation},
		{Context: "trap context", Roots: TrapRoots, Forbid: TrapSafe},
	}
}
