package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/devcall"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// The coracle.sysprof kernel parameter: the kernel counts each system
// call and page fault and the TSC cycles of its whole trap (handler and
// scheduling, not the entry and exit stubs), and prints the most
// expensive at exit. For finding where ring-0 time goes; off, it costs
// one test per trap.

// sysprofFaultSlot counts page faults, after the system calls' slots.
const sysprofFaultSlot = linux.NumSyscalls + devcall.SysEnd - devcall.SysBase

// sysprofTrapSlot is the counters' slot of trap f, or -1 for a trap that
// is not counted.
func sysprofTrapSlot(f *amd64.TrapFrame) int {
	switch f.Vector {
	case amd64.VectorSyscall:
		return sysprofSlot(f.RAX)
	case amd64.VectorPF:
		return sysprofFaultSlot
	}
	return -1
}

// sysprofSlot maps a system-call number to its counters, or -1.
func sysprofSlot(nr uint64) int {
	switch {
	case nr < linux.NumSyscalls:
		return int(nr)
	case nr >= devcall.SysBase && nr < devcall.SysEnd:
		return int(linux.NumSyscalls + nr - devcall.SysBase)
	}
	return -1
}

// sysprofAdd charges the trap that started at TSC start to slot i.
func sysprofAdd(i int, start uint64) {
	sysprofCalls[i].count++
	sysprofCalls[i].cycles += amd64.Rdtsc() - start
}

// sysprofReport prints the calls that took the most time, most first.
func sysprofReport() {
	if !sysprofEnabled {
		return
	}
	console.str("coracle: sysprof: calls, total µs, µs per call\n")
	var done [len(sysprofCalls)]bool
	for range 20 {
		best := -1
		for i := range sysprofCalls {
			if !done[i] && sysprofCalls[i].count > 0 && (best < 0 || sysprofCalls[i].cycles > sysprofCalls[best].cycles) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		done[best] = true
		c := &sysprofCalls[best]
		us := tsc.Nanoseconds(c.cycles) / 1000
		console.str("coracle: sysprof: ")
		switch {
		case best < linux.NumSyscalls:
			console.str(linux.SyscallName(uint64(best)))
		case best == sysprofFaultSlot:
			console.str("page-fault")
		default:
			console.str("devcall ")
			console.dec(uint64(best - linux.NumSyscalls))
		}
		console.str(" ")
		console.dec(c.count)
		console.str(" ")
		console.dec(us)
		console.str(" ")
		console.dec(us / c.count)
		console.str(".")
		console.dec(us * 10 / c.count % 10)
		console.str("\n")
	}
}
