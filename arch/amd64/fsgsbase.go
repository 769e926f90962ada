package amd64

// FS base without WRMSR (SDM Vol. 3A §2.5 CR4.FSGSBASE; Vol. 2
// RDFSBASE/WRFSBASE).
const (
	CR4_FSGSBASE     = 1 << 16
	cpuidFSGSBASE    = 1 << 0 // CPUID.(EAX=07H,ECX=0):EBX
	cpuidLeafFeature = 7
)

// EnableFSGSBASE turns on RDFSBASE/WRFSBASE (and the GS forms) if the CPU
// has them, and reports whether it did. The trap path then switches FS
// with WRFSBASE, which unlike WRMSR is an ordinary instruction (cheap on
// hardware, and it does not end a translation block under TCG).
//
// The instructions work in ring 3 too, as on Linux since 5.9: a program
// may set its own FS base, so the entry reads it (RDFSBASE) into
// PerCPU.UserFSBase on every trap from ring 3. A program could also move
// GS, which the kernel's per-CPU block lives on; Go code never touches
// GS, and ring 3 is not a protection boundary in coracle (it has IOPL 3).
func EnableFSGSBASE() bool {
	if max, _, _, _ := CPUID(0, 0); max < cpuidLeafFeature {
		return false
	}
	if _, ebx, _, _ := CPUID(cpuidLeafFeature, 0); ebx&cpuidFSGSBASE == 0 {
		return false
	}
	WriteCR4(ReadCR4() | CR4_FSGSBASE)
	return true
}
