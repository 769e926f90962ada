package kernel

import "github.com/coracle-os/coracle/arch/amd64"

// dispatch receives every trap: system calls, exceptions and interrupts.
// For traps from ring 3 it ends by choosing the thread to resume.
//
// Trap context: on the kernel stack (or the interrupted ring-0 stack),
// interrupts off, R14 = PerCPU.KernelG.
func dispatch(f *amd64.TrapFrame) {
	fromUser := f.CS&3 != 0
	if fromUser && cpu0.UseFSGSBASE {
		// Ring 3 may set its FS base with WRFSBASE: the entry read it.
		cur().fsBase = cpu0.UserFSBase
	}
	if sysprofEnabled && f.Vector == amd64.VectorSyscall {
		nr, start := f.RAX, amd64.Rdtsc()
		defer sysprofAdd(nr, start)
	}
	switch v := f.Vector; {
	case v == amd64.VectorSyscall:
		doSyscall(cur(), f)
	case v == amd64.VectorPF:
		pageFault(f, fromUser)
	case v < amd64.NumExceptions:
		if fromUser {
			userFault(f, amd64.ReadCR2(), 0)
		} else {
			kernelFault(f)
		}
	case v == vectorTimer:
		timerInterrupt()
		profileTick(fromUser)
	case v >= vectorIRQBase && v < vectorIRQBase+maxIRQs:
		deviceInterrupt(int(v - vectorIRQBase))
	case v >= vectorMSIBase && v < vectorMSIBase+maxMSIs:
		deviceInterrupt(maxIRQs + int(v-vectorMSIBase))
	case v == vectorSpurious, v == vectorLegacyPIC+7, v == vectorLegacyPIC+15:
		// Spurious: nothing to acknowledge (SDM Vol. 3A §11.9; 8259A
		// datasheet for IRQ 7/15).
	default:
		console.str("coracle: unexpected interrupt vector ")
		console.dec(v)
		console.str("\n")
	}
	if fromUser {
		schedule()
	}
}
