package kernel

import (
	"sync/atomic"

	"github.com/coracle-os/coracle/arch/amd64"
)

// The application processors' side of start-up: what each AP runs from
// the trampoline to its parked state. The boot CPU's side is
// boot_aps.go.
//
// An AP runs here with interrupts off and without the Go runtime, on its
// own kernel stack with the stand-in g of its PerCPU block (whose bounds
// are the whole address space, so no prologue asks for more stack): no
// allocation, no locks, no pointer stores into Go memory. It writes only
// its own apCPUs entry and its own CPU's registers.

// Constants apEntry64 uses (through go_asm.h).
const (
	apTrampolineDS = amd64.TrampolineDS
	apCR0Clear     = amd64.CR0_EM
	apCR0Set       = amd64.CR0_MP | amd64.CR0_NE | amd64.CR0_WP
	apCR4Set       = amd64.CR4_OSFXSR | amd64.CR4_OSXMMEXCPT
	apMSRGSBase    = amd64.MSR_GS_BASE
	apMSRFSBase    = amd64.MSR_FS_BASE
)

// defined in boot_aps_amd64.s

// apEntryAddr returns the address of apEntry64, the 64-bit code the
// trampoline jumps to. apEntry64 is not a Go function (it has no stack
// until it sets one up, and it never returns), so Go declares none.
func apEntryAddr() uintptr

// apMain brings AP i (its index in bootCPUs) to its parked state: its
// own GDT and TSS (with its emergency stack), its PerCPU block in GS,
// the shared IDT, the boot CPU's vector-state, FS-base and SYSCALL
// features, its own kvmclock record when the clock is kvmclock
// (boot_kvmclock.go), and its local APIC in the boot CPU's mode (xAPIC
// or x2APIC), enabled with the spurious vector and the timer, LINT0 and
// LINT1 masked. Then it checks in (apCPU.state) and parks. apEntry64
// calls it on the AP's kernel stack.
//
// It need not be nosplit: the stand-in g's guard is zero.
func apMain(i int) {
	a := &apCPUs[i]
	a.gdt.Load(&a.tss)
	amd64.InstallPerCPU(&a.perCPU)
	amd64.UseTrapHandlers(&a.tss, uintptr(a.emergencyTop))
	a.perCPU.SetDispatcher(apDispatchFn)
	x := enableCPUFeatures(&a.perCPU)
	apKVMClock(i)
	apSetLAPICMode()
	lapic.Enable(vectorSpurious)
	lapic.Mask(amd64.LAPIC_LVT_LINT0)
	lapic.Mask(amd64.LAPIC_LVT_LINT1)
	lapic.StopTimer()
	a.onlineTSC = amd64.Rdtsc()
	state := uint32(apOnline)
	if !sameFeatures(x, &a.perCPU) {
		state = apMismatch
	}
	// The boot CPU may have given up on this AP (apSilent) just
	// before: then it stays out.
	if atomic.CompareAndSwapUint32(&a.state, apStarting, state) && state == apOnline && crashOnAP == i {
		crashOnceBootCPUWaits()
	}
	if smpOn && state == apOnline {
		apRunThreads(i)
	}
	apPark()
}

// apRunThreads makes AP i one of the CPUs that run threads, once the
// boot CPU has started the program, if it chose i (setupSchedCPUs): the
// AP takes traps through the common dispatcher, arms its local APIC
// timer as the boot CPU does (the same rate: one clock drives every
// local APIC), and enters the scheduler, which idles it until there is
// a thread for it. It returns only if the AP was not chosen.
func apRunThreads(i int) {
	// Halted, not spinning, until the program starts (startAPThreads
	// kicks it): under TCG a spinning AP takes a host core from the
	// boot CPU, which made a 4-vCPU boot 12 ms slower on 2 host cores.
	// apDispatch acknowledges the kick.
	for schedGo.Load() == 0 {
		amd64.WaitForInterrupt()
	}
	if !cpus[i].scheduling {
		return
	}
	a := &apCPUs[i]
	a.perCPU.SetDispatcher(dispatchFn)
	if useTSCDeadline {
		lapic.SetTSCDeadline(vectorTimer)
	} else {
		lapic.SetOneShot(vectorTimer, amd64.TIMER_DCR_DIV16)
	}
	lockKernel(i)
	cpus[i].current = 0 // no thread of its own: every one runs elsewhere or waits
	schedule()
	unlockKernel()
	amd64.ResumeUser()
}

// crashOnceBootCPUWaits raises an invalid opcode for coracle.crash=ap,
// once the boot CPU has printed its lines and halted, so that the report
// is not mixed with them.
func crashOnceBootCPUWaits() {
	for atomic.LoadUint32(&aps.crashGo) == 0 {
		amd64.Pause()
	}
	crashInvalidOpcode()
}

// sameFeatures reports whether an AP enabled what the boot CPU did: the
// trap path and the threads' save areas are sized and shaped by the boot
// CPU's choices, so a thread could not move to a CPU that differs.
func sameFeatures(x uint64, c *amd64.PerCPU) bool {
	return x == xcr0 && c.XSaveSize == cpu0.XSaveSize && c.UseXSAVE == cpu0.UseXSAVE &&
		c.FastVector == cpu0.FastVector && c.UseFSGSBASE == cpu0.UseFSGSBASE
}

// apPark is where an AP stays once started: halted with interrupts off,
// so nothing of the single-CPU kernel runs on it (only an NMI wakes it,
// and the loop halts it again). Running threads on the APs starts here:
// the scheduler's idle loop replaces it.
func apPark() {
	amd64.HaltForever()
}

// apDispatch receives every trap an AP takes (PerCPU.Dispatch). Nothing
// is routed to the APs yet and they run with interrupts off, so an
// exception is a kernel bug (or coracle.crash=ap) and is reported naming
// the CPU; an NMI, or an interrupt that should not be there, is
// acknowledged and ignored.
//
// Trap context: on the AP, with interrupts off.
func apDispatch(f *amd64.TrapFrame) {
	switch v := f.Vector; {
	case v < amd64.NumExceptions && v != amd64.VectorNMI:
		i := apIndexOf(uintptr(amd64.Rdmsr(amd64.MSR_GS_BASE)))
		console.str("coracle: exception on CPU ")
		console.dec(uint64(i))
		console.str(" (APIC ID ")
		console.dec(uint64(apCPUs[i].apicID))
		console.str("), an application processor, which runs no program code yet\n")
		kernelFault(f)
	case v >= amd64.NumExceptions && v != vectorSpurious:
		lapic.EOI()
	}
}

// apIndexOf returns the index of the AP whose PerCPU block is at gs.
func apIndexOf(gs uintptr) int {
	for i := range bootCPUs.n {
		if apCPUs[i].perCPU.Self == gs {
			return i
		}
	}
	return 0
}
