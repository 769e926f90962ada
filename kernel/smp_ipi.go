package kernel

import (
	"sync/atomic"

	"github.com/coracle-os/coracle/arch/amd64"
)

// Inter-processor interrupts between CPUs that run threads: the kick,
// which wakes an idle CPU or makes a CPU running a thread enter the
// kernel (for a signal), and the TLB shootdown (smp_tlb.go). Both are
// fixed-vector IPIs through the local APIC (arch/amd64/lapic_ipi.go).
const (
	// vectorKick wakes an idle CPU to look for threads, or brings the
	// thread a CPU runs into the kernel so that it takes a signal on its
	// way back. Its handler only acknowledges it: what it is for
	// happens in schedule.
	vectorKick = 0xF0
	// vectorShootdown asks a CPU to flush its TLB (tlbServe).
	vectorShootdown = 0xF1
)

// sendIPI sends vector to CPU c.
//
// Trap context: yes.
func sendIPI(c int, vector uint8) {
	if vector == vectorKick {
		sysprofEvent(sysprofKick, amd64.Rdtsc())
	}
	lapic.SendIPI(bootCPUs.apicIDs[c], amd64.ICRFixed(vector))
}

// startAPThreads lets the APs that run threads look for them, now that
// the first thread is ready: it sets schedGo and kicks each AP out of
// its halt in apRunThreads (an AP that has not halted yet sees schedGo,
// or takes the pending kick as soon as it halts).
//
// Runs on the boot CPU at the end of the boot, interrupts off.
func startAPThreads() {
	schedGo.Store(1)
	for i := range bootCPUs.n {
		if i != bootCPUs.boot && cpus[i].scheduling {
			sendIPI(i, vectorKick)
		}
	}
}

// kickIdleCPU wakes one idle CPU (other than the caller) allowed to run
// t, which has just become runnable. The kicked CPU counts as busy from
// now on, so that the next wake-up kicks another; it idles again if it
// finds nothing. With no idle CPU for it, the caller's own timer ends
// its running thread's slice for t (armTimer), unless t's affinity
// excludes the caller: then a busy CPU allowed to run t is kicked, so
// that it arms its timer for its slice's end.
//
// Trap context: yes, under the kernel lock.
func kickIdleCPU(t *Thread) {
	if schedCPUs == 1 {
		return
	}
	self := thisCPU()
	if cpus[self].idle && t.allowedOn(self) {
		// An interrupt in this CPU's idle loop made t runnable: this
		// CPU looks for work as soon as the handler returns (and stops
		// polling), so waking another would only send it looking too
		// (and find nothing if this one is first).
		atomic.StoreUint32(&cpus[self].polling, 0)
		return
	}
	for i := range bootCPUs.n {
		c := &cpus[i]
		if i != self && c.scheduling && c.idle && t.allowedOn(i) {
			c.idle = false
			if atomic.SwapUint32(&c.polling, 0) == 0 {
				sendIPI(i, vectorKick) // halted, or about to: no poll sees it
			}
			return
		}
	}
	if t.allowedOn(self) {
		return
	}
	for i := range bootCPUs.n {
		if i != self && cpus[i].scheduling && t.allowedOn(i) {
			sendIPI(i, vectorKick)
			return
		}
	}
}

// kickThread makes t, when it runs on another CPU, enter the kernel, so
// that it takes what is pending for it (a signal) before it returns to
// ring 3.
//
// Trap context: yes, under the kernel lock.
func kickThread(t *Thread) {
	if t.state == threadRunning && t.onCPU >= 0 && int(t.onCPU) != thisCPU() {
		sendIPI(int(t.onCPU), vectorKick)
	}
}
