// Package amd64 holds the x86-64 CPU primitives the kernel is built from:
// port I/O, CPUID, MSRs and control registers, the GDT, TSS and IDT, and
// the exception entry stubs. It knows nothing of the kernel's policies and
// imports nothing of coracle's.
//
// References: Intel SDM Vol. 3A (system programming), chapters 3
// (segments), 6 (interrupts), 7 (task management), and Vol. 2 for the
// instructions.
//
// Trap context: the primitives in cpu.go and dispatchTrap may run in trap
// context; they are //go:nosplit or assembly and never allocate.
// Everything else runs once at boot.
package amd64
