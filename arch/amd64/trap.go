package amd64

import "unsafe"

// TrapFrame is the state saved on an exception, interrupt or system call:
// the general registers pushed by the entry stub, the vector and error
// code, and the frame the CPU pushed (SDM Vol. 3A §6.14.2, Figure 6-9),
// which SYSCALL entry imitates. Its layout is fixed by trap_common_amd64.s; its
// size is a multiple of 16 so that a frame can end where the CPU's
// 16-byte aligned interrupt frame does.
type TrapFrame struct {
	R15, R14, R13, R12, R11, R10, R9, R8 uint64
	RBP, RDI, RSI, RDX, RCX, RBX, RAX    uint64
	Vector, ErrorCode                    uint64
	RIP, CS, RFLAGS, RSP, SS             uint64
}

// NumExceptions is the number of architecturally defined vectors (0-31).
const NumExceptions = 32

// VectorSyscall is the Vector of a TrapFrame built by SYSCALL entry: no
// IDT vector has this number.
const VectorSyscall = 256

// Exception vectors the kernel treats specially (SDM Vol. 3A Table 6-1).
const (
	VectorDE  = 0 // divide error
	VectorNMI = 2
	VectorBP  = 3  // breakpoint (INT3)
	VectorUD  = 6  // invalid opcode
	VectorDF  = 8  // double fault
	VectorGP  = 13 // general protection
	VectorPF  = 14 // page fault
	VectorMC  = 18 // machine check
)

// ExceptionNames gives the SDM mnemonic and name of each exception.
var ExceptionNames = [NumExceptions]string{
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range exceeded", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor segment overrun", "#TS invalid TSS", "#NP segment not present",
	"#SS stack-segment fault", "#GP general protection", "#PF page fault", "reserved (15)",
	"#MF x87 floating-point error", "#AC alignment check", "#MC machine check", "#XM SIMD floating-point",
	"#VE virtualization exception", "#CP control protection", "reserved (22)", "reserved (23)",
	"reserved (24)", "reserved (25)", "reserved (26)", "reserved (27)",
	"#HV hypervisor injection", "#VC VMM communication", "#SX security exception", "reserved (31)",
}

// ExceptionHasErrorCode reports whether the CPU pushes an error code for
// exception vector v (SDM Vol. 3A Table 6-1). The stubs push 0 for the
// others so every frame has the same shape.
func ExceptionHasErrorCode(v int) bool {
	switch v {
	case 8, 10, 11, 12, 13, 14, 17, 21, 29, 30:
		return true
	}
	return false
}

// istDoubleFault is IST1's stack: double faults, NMIs and machine checks
// always switch to it, so they are reported even when the interrupted
// stack is the problem.
var istDoubleFault [16 << 10]byte

const istEmergency = 1

// InstallTrapHandlers points every IDT vector at its entry stub and
// loads the IDT. tss receives the emergency stack. Traps reach the
// dispatcher of the PerCPU that GS points at.
func InstallTrapHandlers(tss *TSS) {
	tss.SetIST(istEmergency, uintptr(unsafe.Pointer(&istDoubleFault[len(istDoubleFault)-16]))&^15)
	stubs := trapStubTable()
	for v := range len(idt) {
		ist := 0
		switch v {
		case VectorDF, VectorNMI, VectorMC:
			ist = istEmergency
		}
		dpl := 0
		if v == VectorBP {
			dpl = 3 // INT3 from ring 3 code is a breakpoint, not a #GP
		}
		idt[v] = InterruptGate(stubs[v], ist, dpl)
	}
	LoadIDT()
}

// UseTrapHandlers loads the IDT InstallTrapHandlers built on another
// CPU (there is one IDT for all of them) and gives tss, this CPU's TSS,
// the emergency stack whose top is emergencyTop (16-byte aligned).
func UseTrapHandlers(tss *TSS, emergencyTop uintptr) {
	tss.SetIST(istEmergency, emergencyTop&^15)
	LoadIDT()
}

// The vector entry stubs are generated (gen_trap.go writes
// trap_amd64.s); the rest of trap entry is hand-written in
// trap_common_amd64.s.
//go:generate go run gen_trap.go

// defined in trap_common_amd64.s

// trapStubTable returns the addresses of the 256 vector entry stubs.
func trapStubTable() *[256]uintptr

// trapCommon is the entry path every stub and SYSCALL entry jump to with
// a frame of their own making. It is declared for its assembly's sake
// only: it is not a Go function, and Go code must never call it.
func trapCommon()

// syscallEntryAddr returns the address of the SYSCALL entry stub.
func syscallEntryAddr() uintptr

// ResumeUser returns to ring 3 into the frame PerCPU.ResumeFrame names,
// with the vector state at PerCPU.XSaveArea. It does not return.
func ResumeUser()
