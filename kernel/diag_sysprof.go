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

// The scheduler's events that coracle.sysprof counts too, after the page
// faults: on several CPUs they are where a request's time goes besides
// the calls themselves.
const (
	// sysprofLockWait: an entry that found the kernel lock held, and
	// the cycles it spun for it.
	sysprofLockWait = sysprofFaultSlot + 1 + iota
	// sysprofHalt: the idle loop halted, and for how long.
	sysprofHalt
	// sysprofIdleSpin: the idle loop watched the clock for a close
	// deadline instead of halting.
	sysprofIdleSpin
	// sysprofKick: a kick IPI sent to another CPU.
	sysprofKick
	// sysprofShootdown: a TLB shootdown, and the cycles spent waiting
	// for the other CPUs' acknowledgements.
	sysprofShootdown
	// sysprofTimerArm: the local APIC timer programmed (or stopped).
	sysprofTimerArm
	// sysprofDeviceIRQ: a device interrupt taken.
	sysprofDeviceIRQ
	// sysprofIdlePoll: the idle loop polled for a wake-up before
	// halting, and for how long.
	sysprofIdlePoll
	// sysprofBusyIRQ: a device interrupt that stopped a thread running
	// in ring 3, and the cycles of its whole trap (the lock, the
	// handler, the kick of an idle CPU for the driver's thread). What
	// routing device interrupts to another CPU could save.
	sysprofBusyIRQ
	sysprofSlots
)

// sysprofEventNames name the scheduler's event rows.
var sysprofEventNames = [...]string{
	sysprofLockWait - sysprofLockWait:  "kernel-lock-wait",
	sysprofHalt - sysprofLockWait:      "idle-halt",
	sysprofIdleSpin - sysprofLockWait:  "idle-spin",
	sysprofKick - sysprofLockWait:      "kick-ipi",
	sysprofShootdown - sysprofLockWait: "tlb-shootdown",
	sysprofTimerArm - sysprofLockWait:  "timer-arm",
	sysprofDeviceIRQ - sysprofLockWait: "device-irq",
	sysprofIdlePoll - sysprofLockWait:  "idle-poll",
	sysprofBusyIRQ - sysprofLockWait:   "device-irq-busy",
}

// sysprofTrapSlot is the counters' slot of trap f, or -1 for a trap that
// is not counted. A device interrupt counts when it stopped a thread in
// ring 3; one that ended a halt is the idle loop's.
func sysprofTrapSlot(f *amd64.TrapFrame, fromUser bool) int {
	switch v := f.Vector; {
	case v == amd64.VectorSyscall:
		return sysprofSlot(f.RAX)
	case v == amd64.VectorPF:
		return sysprofFaultSlot
	case fromUser && isDeviceVector(v):
		return sysprofBusyIRQ
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

// sysprofEvent counts one scheduler event of slot i that took the TSC
// cycles since start (start = now for an instant one), under the kernel
// lock.
//
// Trap context: yes, under the kernel lock.
func sysprofEvent(i int, start uint64) {
	if sysprofEnabled {
		sysprofAdd(i, start)
	}
}

// sysprofRunnableWait counts how long a runnable thread waited for a
// CPU (ns), and keeps the longest wait.
//
// Trap context: yes, under the kernel lock.
func sysprofRunnableWait(ns int64) {
	if !sysprofEnabled {
		return
	}
	sysprofWaits.count++
	sysprofWaits.ns += uint64(ns)
	sysprofWaits.max = max(sysprofWaits.max, uint64(ns))
}

// sysprofReport prints every call and event counted, the most time
// first (instant events, such as kicks, last).
func sysprofReport() {
	if !sysprofEnabled {
		return
	}
	console.str("coracle: sysprof: calls, total µs, µs per call\n")
	var done [len(sysprofCalls)]bool
	for range len(sysprofCalls) {
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
		case best >= sysprofLockWait:
			console.str(sysprofEventNames[best-sysprofLockWait])
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
	if w := &sysprofWaits; w.count > 0 {
		console.str("coracle: sysprof: runnable-wait ")
		console.dec(w.count)
		console.str(" ")
		console.dec(w.ns / 1000)
		console.str(" ")
		console.dec(w.ns / 1000 / w.count)
		console.str(" (longest ")
		console.dec(w.max / 1000)
		console.str(" µs)\n")
	}
}
