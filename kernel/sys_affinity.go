package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// CPU affinity (sched_getaffinity(2), sched_setaffinity(2)). The CPUs are
// those that run threads (schedCPUs of them, numbered by their index in
// the CPU list); a thread's mask is them less its notOn set, which
// pickNext honours.

// affinitySize is the size of the kernel's CPU mask in bytes, as Linux's
// cpumask_size: whole longs covering every CPU of the list.
func affinitySize() uint64 { return uint64(bootCPUs.n+63) / 64 * 8 }

// affinityTarget is the thread pid names: the caller for 0, else the
// thread with that ID.
func affinityTarget(t *Thread, pid uint64) *Thread {
	if int32(pid) == 0 {
		return t
	}
	return threadByTID(int32(pid))
}

// sysSchedGetaffinity stores the CPUs the thread may run on and returns
// the mask's size. The buffer must hold the whole mask and be a whole
// number of longs (EINVAL otherwise, as Linux).
func sysSchedGetaffinity(t *Thread, f *amd64.TrapFrame) uint64 {
	size := affinitySize()
	if f.RSI < size || f.RSI%8 != 0 {
		return linux.EINVAL.Ret()
	}
	target := affinityTarget(t, f.RDI)
	if target == nil {
		return linux.ESRCH.Ret()
	}
	b, ok := userBytes(f.RDX, size, true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	m := onlineMask()
	for i := range m {
		m[i] &^= target.notOn[i]
	}
	for i := range b {
		b[i] = byte(m[i/8] >> (8 * (i % 8)))
	}
	return size
}

// sysSchedSetaffinity keeps the thread on the CPUs of the mask that run
// threads (bits past the buffer are clear, bits of other CPUs ignored);
// EINVAL if none is left. A thread made to leave its CPU does so at
// once: the caller gives up its timeslice, another thread's CPU is
// kicked.
func sysSchedSetaffinity(t *Thread, f *amd64.TrapFrame) uint64 {
	target := affinityTarget(t, f.RDI)
	if target == nil {
		return linux.ESRCH.Ret()
	}
	n := min(f.RSI, affinitySize())
	b, ok := userBytes(f.RDX, n, false)
	if !ok {
		return linux.EFAULT.Ret()
	}
	var want cpuMask
	for i := range b {
		want[i/8] |= uint64(b[i]) << (8 * (i % 8))
	}
	online := onlineMask()
	any := false
	for i := range want {
		want[i] &= online[i]
		any = any || want[i] != 0
	}
	if !any {
		return linux.EINVAL.Ret()
	}
	for i := range want {
		target.notOn[i] = online[i] &^ want[i]
	}
	if target.state == threadRunning && !target.allowedOn(int(target.onCPU)) {
		if target == t {
			me().sliceEnd = 0
		} else {
			kickThread(target)
		}
	}
	return 0
}
