package amd64

// SYSCALL/SYSRET configuration (SDM Vol. 2B SYSCALL; Vol. 4 Table 2-2).
const (
	MSR_EFER  = 0xC0000080
	MSR_STAR  = 0xC0000081
	MSR_LSTAR = 0xC0000082
	MSR_FMASK = 0xC0000084

	EFER_SCE = 1 << 0  // SYSCALL enable
	EFER_NXE = 1 << 11 // execute-disable bit in page tables

	// RFLAGS bits (SDM Vol. 1 §3.4.3).
	RFLAGS_TF   = 1 << 8
	RFLAGS_IF   = 1 << 9
	RFLAGS_DF   = 1 << 10
	RFLAGS_IOPL = 3 << 12 // IOPL 3: ring 3 may use IN/OUT
	RFLAGS_NT   = 1 << 14
	RFLAGS_AC   = 1 << 18
	RFLAGS_1    = 1 << 1 // reserved, always 1

	// sysretRFLAGS is the mask SYSRET applies to R11 before loading it
	// into RFLAGS (SDM Vol. 2B, SYSRET): everything but RF, VM and
	// reserved bits.
	sysretRFLAGS = 0x3C7FD7

	// UserRFLAGS is what Go code starts with: interrupts on, port I/O
	// allowed (docs/design.md, principle 5).
	UserRFLAGS = RFLAGS_1 | RFLAGS_IF | RFLAGS_IOPL
)

// EnableSyscall points SYSCALL at the entry stub. STAR's SYSRET half
// names userCS32: SYSRET loads CS from it+16 (UserCS) and SS from it+8
// (UserDS); ResumeUser returns with it when the frame allows.
// FMASK clears IF (handlers run with interrupts off), TF, DF, NT and AC.
func EnableSyscall() {
	Wrmsr(MSR_EFER, Rdmsr(MSR_EFER)|EFER_SCE)
	Wrmsr(MSR_STAR, uint64(userCS32&^rplUser)<<48|uint64(KernelCS)<<32)
	Wrmsr(MSR_LSTAR, uint64(syscallEntryAddr()))
	Wrmsr(MSR_FMASK, RFLAGS_IF|RFLAGS_TF|RFLAGS_DF|RFLAGS_NT|RFLAGS_AC)
}

// EnableNX turns on the execute-disable bit if the CPU has it
// (CPUID.80000001H:EDX bit 20) and reports whether it did.
func EnableNX() bool {
	if maxExt, _, _, _ := CPUID(0x80000000, 0); maxExt < 0x80000001 {
		return false
	}
	if _, _, _, edx := CPUID(0x80000001, 0); edx&(1<<20) == 0 {
		return false
	}
	Wrmsr(MSR_EFER, Rdmsr(MSR_EFER)|EFER_NXE)
	return true
}
