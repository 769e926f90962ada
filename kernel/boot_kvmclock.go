package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/kernel/clock"
)

// kvmclock, one record per CPU (Linux Documentation/virt/kvm/x86/
// msr.rst, MSR_KVM_SYSTEM_TIME_NEW): each vCPU registers its own
// pvclock record, which the hypervisor keeps exact for that vCPU's TSC.
// The boot CPU lays out every CPU's record (clock.KVMClockRecordPlace)
// in zeroed frames and registers its own; each AP registers its own in
// apMain, before it checks in; the kernel's clock reads the calling
// CPU's (clock.Clock). Only hardware KVM runs this (docs/smp.md, "What
// only hardware KVM exercises").

// Every CPU of the list has a record.
var _ [clock.MaxKVMClockCPUs - maxCPUs]struct{}

// setupKVMClock lays out the records, registers the boot CPU's, makes
// kvmclock the kernel's clock and sets the wall clock from it. It
// returns the boot CPU's record.
func setupKVMClock(kvm clock.KVMClock) *clock.PvclockVCPUTimeInfo {
	var pages [clock.MaxKVMClockPages]uint64
	for p := range clock.KVMClockPages(bootCPUs.n) {
		pa, ok := frames.AllocZeroed()
		if !ok {
			outOfMemory("kvmclock")
		}
		pages[p] = pa
	}
	for i := range bootCPUs.n {
		page, off := clock.KVMClockRecordPlace(i)
		kvmclockPhys[i] = pages[page] + off
		kvmclockRecords[i] = (*clock.PvclockVCPUTimeInfo)(unsafe.Pointer(&physMem.Page(pages[page])[off]))
	}
	boot := bootCPUs.boot
	clock.EnableKVMClock(kvmclockPhys[boot])
	clk.InitKVMClock(kvmclockRecords[:bootCPUs.n], boot, kvm.Stable, thisCPU)
	wall := (*clock.PvclockWallClock)(unsafe.Pointer(&physMem.Page(pages[0])[0]))
	clock.RequestKVMWallClock(pages[0])
	clk.SetWallClockKVM(wall)
	return kvmclockRecords[boot]
}

// apKVMClock registers AP i's record when the kernel's clock is
// kvmclock.
//
// Runs on the AP before the Go runtime knows of it: no allocation.
func apKVMClock(i int) {
	if pa := kvmclockPhys[i]; pa != 0 {
		clock.EnableKVMClock(pa)
	}
}
