// Package clock is the kernel's clock: it answers CLOCK_MONOTONIC and
// CLOCK_REALTIME in nanoseconds for clock_gettime and the timers, from
// kvmclock where KVM offers it and from the TSC otherwise.
//
// Pieces, and what each follows:
//
//   - pvclock.go: the pvclock ABI that KVM (and Xen) share: the 32-byte
//     per-vCPU time record and the wall-clock record, with their read
//     algorithm (Linux Documentation/virt/kvm/x86/msr.rst,
//     arch/x86/include/asm/pvclock-abi.h).
//   - kvmclock.go: finding and enabling kvmclock: CPUID 0x40000001 feature
//     bits and the MSRs (Documentation/virt/kvm/x86/cpuid.rst, msr.rst).
//   - tsc.go: TSC cycles to nanoseconds and back for a known frequency, in
//     64.64-bit fixed point, exact to 2 ns over any uptime.
//   - clock.go: Clock, which combines one of them with the wall-clock time
//     (kvmclock's wall clock, or the CMOS RTC through arch/amd64/pc/mc146818).
//
// Setting up, once, at boot on the boot CPU:
//
//  1. If DetectKVMClock reports kvmclock: lay out a record per CPU
//     (KVMClockPages, KVMClockRecordPlace), EnableKVMClock with the
//     physical address of the boot CPU's, then InitKVMClock with all of
//     them; and RequestKVMWallClock + SetWallClockKVM for the wall time.
//     Every other CPU calls EnableKVMClock with its own record's address
//     before it reads the clock: each CPU reads its own record.
//  2. Otherwise find the TSC frequency (amd64.ReadTSCLeaves().Frequency, or
//     i8254.CalibrateTSC), InitTSC, and SetRealtime from the RTC.
//
// Trap context: the read paths (Clock.Monotonic, Clock.Realtime,
// Clock.SetRealtime, TSC.Nanoseconds, TSC.Cycles and the pvclock reads)
// may run in syscall and interrupt context: they are allocation-free,
// lock-free, store no pointers (no write barriers) and never block (the
// pvclock retry loop ends as soon as the hypervisor finishes an update);
// their tests check the allocations. Setup runs once at boot.
package clock
