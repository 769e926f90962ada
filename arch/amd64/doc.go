// Package amd64 holds the x86-64 CPU primitives the kernel is built from:
// port I/O, CPUID, MSRs and control registers, the GDT, TSS and IDT, and
// the exception entry stubs. It knows nothing of the kernel's policies and
// imports nothing of coracle's.
//
// References: Intel SDM Vol. 3A (system programming), chapters 3
// (segments), 6 (interrupts), 7 (task management), and Vol. 2 for the
// instructions.
//
// Trap entry (trap_common_amd64.s, behind the per-vector stubs that
// gen_trap.go generates into trap_amd64.s) builds a TrapFrame for every
// exception, interrupt and SYSCALL and calls the kernel's dispatcher with
// R14 = PerCPU.KernelG and FS pointing at the kernel's own TLS, so
// ordinary (splittable) Go functions are safe there: the stand-in g never
// asks for more stack.
//
// The application processors start in real mode at the trampoline
// (trampoline.go, bytes the kernel copies below 1 MiB), woken by the
// INIT and STARTUP IPIs of lapic_ipi.go.
//
// Trap context: the primitives in cpu.go, lapic.go, lapic_ipi.go,
// lapic_x2apic.go (all but SetAPICMode, which runs at boot), tsc.go,
// the PerCPU and TSS setters and PerCPU.VectorStateToMemory may run in
// trap context; they never allocate. Everything else runs once at boot.
package amd64
