package kernel

import (
	"github.com/coracle-os/coracle/kernel/abi/exitstatus"
	"github.com/coracle-os/coracle/kernel/schedcheck"
)

// checkSchedState, with coracle.checksched, copies the thread table and
// the per-CPU state into kernel/schedcheck's views and stops the VM
// with a report if they disagree. schedule calls it once it has chosen
// the calling CPU's thread.
//
// Trap context: yes, under the kernel lock.
func checkSchedState() {
	n := threadsHigh
	for i := range n {
		t := &threads[i]
		_, onFutex := futexes.Waiting(i)
		on := int(t.onCPU)
		schedCheckThreads[i] = schedcheck.Thread{
			State:   uint8(t.state),
			OnCPU:   t.onCPU,
			Allowed: on < 0 || t.allowedOn(on),
			OnFutex: onFutex,
			Futex:   t.wait == waitFutex,
		}
	}
	for i := range bootCPUs.n {
		c := &cpus[i]
		schedCheckCPUs[i] = schedcheck.CPU{Scheduling: c.scheduling, Current: c.current, Idle: c.idle}
	}
	self := thisCPU()
	if r := schedcheck.Check(schedCheckThreads[:n], schedCheckCPUs[:bootCPUs.n], self); r != "" {
		console.str("coracle: checksched: on CPU ")
		console.dec(uint64(self))
		console.str(": ")
		console.str(r)
		console.str("\n")
		for i := range n {
			t := &threads[i]
			console.str("coracle: checksched: slot ")
			console.dec(uint64(i))
			console.str(" tid ")
			console.dec(uint64(t.tid))
			console.str(" state ")
			console.dec(uint64(t.state))
			console.str(" cpu ")
			console.dec(uint64(t.onCPU + 1))
			console.str("-1\n")
		}
		Exit(exitstatus.KernelFault)
	}
}
