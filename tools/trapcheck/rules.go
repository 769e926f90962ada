package trapcheck

import "strings"

// Roots of the contexts coracle's kernel code runs in.
var (
	// BootRoots run on the boot stack before the Go runtime starts.
	BootRoots = []string{
		"github.com/coracle-os/coracle/boot.entry64",
	}
	// TrapRoots run on a trap stack with interrupts off. handleTrap is
	// reached through a function value, so it is named here.
	TrapRoots = []string{
		"github.com/coracle-os/coracle/arch/amd64.dispatchTrap",
		"github.com/coracle-os/coracle/kernel.handleTrap",
	}
)

// allocators are the runtime entry points through which compiled code
// allocates, or hands work to the scheduler.
var allocators = []string{
	"runtime.newobject", "runtime.mallocgc", "runtime.makeslice", "runtime.growslice",
	"runtime.makemap", "runtime.mapassign", "runtime.convT", "runtime.concatstring",
	"runtime.slicebytetostring", "runtime.stringtoslice", "runtime.newproc",
	"runtime.deferproc", "runtime.printlock", "runtime.makechan", "runtime.chansend",
	"runtime.chanrecv", "runtime.selectgo", "runtime.lock",
}

// NoAllocation forbids allocation and the scheduler: there is no heap
// before the runtime starts, and none that a trap handler may touch.
func NoAllocation(callee string) string {
	for _, a := range allocators {
		if strings.HasPrefix(callee, a) {
			return "allocates or needs the scheduler"
		}
	}
	return ""
}

// TrapSafe adds the rules of trap context to NoAllocation: no stack
// growth (every function must be //go:nosplit: the stack is the trap
// stack, not a goroutine's) and no write barriers (the garbage collector
// may be mid-cycle on the interrupted thread).
func TrapSafe(callee string) string {
	switch {
	case strings.HasPrefix(callee, "runtime.morestack"):
		return "may grow the stack: mark the caller //go:nosplit"
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
