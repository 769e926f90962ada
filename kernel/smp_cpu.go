package kernel

import (
	"sync/atomic"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/cmdline"
)

// Per-CPU kernel state (docs/smp.md). Every CPU that runs threads has a
// cpuState, indexed by its CPU number (its index in bootCPUs, kept in its
// PerCPU block's CPU field and read with amd64.CPUNumber): the thread it
// runs, that thread's timeslice, its timer and whether it idles. The
// shared state (state.go) is guarded by the kernel lock (smp_lock.go).

// cpuState is one CPU's scheduling state. Only that CPU writes current,
// sliceEnd and armedAt, under the kernel lock; idle is written under
// the lock by the CPU and by a CPU that kicks it; the TLB words are
// atomics (smp_tlb.go).
type cpuState struct {
	// current is the slot of the thread this CPU runs, or last ran
	// while it idles (then that thread may run elsewhere: mine says
	// whether it runs here).
	current int
	// sliceEnd is when the running thread's timeslice ends.
	sliceEnd int64
	// armedAt is the deadline the local APIC timer is armed for (0:
	// none).
	armedAt int64
	// prof is the CPU's profiling clock (time_prof.go), paused while
	// it idles. Written under the kernel lock, by setitimer on any CPU.
	prof profClock
	// polling is 1 while the idle loop polls (idle, idlePollNs): a
	// CPU that wakes it clears it instead of sending a kick. Atomic.
	polling uint32
	// idle is set while the CPU halts in the idle loop, the lock
	// released: a thread that becomes runnable kicks it (kickIdleCPU).
	idle bool
	// scheduling says the CPU runs threads: the boot CPU always, each
	// online AP unless coracle.smp=off.
	scheduling bool
	// lockHalted is set while the CPU halts waiting for the kernel
	// lock (waitForKernelLock), for unlockKernel to kick it.
	lockHalted atomic.Bool
	// tlbWant is the shootdown the lock holder asked of this CPU,
	// tlbDone the last one it did (smp_tlb.go).
	tlbWant, tlbDone atomic.Uint32
}

// thisCPU is the calling CPU's number.
func thisCPU() int { return amd64.CPUNumber() }

// me is the calling CPU's cpuState.
func me() *cpuState { return &cpus[thisCPU()] }

// perCPUOf is CPU c's PerCPU block.
func perCPUOf(c int) *amd64.PerCPU {
	if c == bootCPUs.boot {
		return &cpu0
	}
	return &apCPUs[c].perCPU
}

// tssOf is CPU c's TSS.
func tssOf(c int) *amd64.TSS {
	if c == bootCPUs.boot {
		return &tss
	}
	return &apCPUs[c].tss
}

// thisPerCPU is the calling CPU's PerCPU block.
func thisPerCPU() *amd64.PerCPU { return perCPUOf(thisCPU()) }

// readSMPParams reads coracle.smp=on|off (threads on every online CPU,
// the default, or on the boot CPU alone), coracle.idlepoll=MICROSECONDS
// (idlePollNs) and coracle.checksched. Any other coracle.smp value, or an
// idle poll that is not a number of microseconds up to 1000, stops the
// boot, naming what it takes.
func readSMPParams(cmd string) {
	checkSched = cmdline.Has(cmd, "coracle.checksched")
	smpOn = true
	sc := cmdline.NewScanner(cmd)
	for w, ok := sc.Next(); ok; w, ok = sc.Next() {
		if w.Key == "coracle.idlepoll" {
			us, ok := parseDecimal(w.Value)
			if !ok || us > maxIdlePollMicros {
				console.str("coracle: coracle.idlepoll=")
				console.str(w.Value)
				console.str(" is not a number of microseconds (0 to 1000)\n")
				bootFailure("bad coracle.idlepoll value")
			}
			idlePollNs = int64(us) * 1000
			continue
		}
		if w.Key != "coracle.smp" {
			continue
		}
		switch w.Value {
		case "on":
			smpOn = true
		case "off":
			smpOn = false
		default:
			console.str("coracle: coracle.smp=")
			console.str(w.Value)
			console.str(" is not on or off\n")
			bootFailure("unknown coracle.smp value")
		}
	}
}

// setupSchedCPUs decides, once the APs are in, which CPUs run threads:
// the boot CPU, and every AP online unless coracle.smp=off.
func setupSchedCPUs() {
	b := bootCPUs.boot
	cpu0.CPU = uint64(b)
	cpus[b].scheduling = true
	if !smpOn {
		return
	}
	for i := range bootCPUs.n {
		if i != b && atomic.LoadUint32(&apCPUs[i].state) == apOnline {
			cpus[i].scheduling = true
			schedCPUs++
		}
	}
}

// onlineMask is the mask of CPUs that run threads, by CPU number, as
// sched_getaffinity reports it.
func onlineMask() (m cpuMask) {
	for i := range bootCPUs.n {
		if cpus[i].scheduling {
			m.set(i)
		}
	}
	return m
}

// cpuMask is a set of CPU numbers.
type cpuMask [maxCPUs / 64]uint64

func (m *cpuMask) set(i int)      { m[i/64] |= 1 << (i % 64) }
func (m *cpuMask) has(i int) bool { return m[i/64]&(1<<(i%64)) != 0 }
