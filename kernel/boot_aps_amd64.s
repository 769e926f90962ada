// The application processors' 64-bit entry: where the trampoline
// (arch/amd64/trampoline.go) jumps. See boot_aps_entry.go.

#include "textflag.h"
#include "go_asm.h"

// apEntry64 runs in 64-bit mode on the boot identity page tables
// (boot.IdentityRoot), with the trampoline's GDT, interrupts off and no
// stack. Every AP enters here at once; each finds its slot in apStart by
// its own APIC ID, switches to the kernel's page tables and its own
// kernel stack, sets its GS base (its PerCPU block) and FS base (the
// block's TLS, where Go code finds its stand-in g), turns on SSE for Go
// code, and calls apMain with its index. An AP whose APIC ID is not
// there, or has no stack, stops.
TEXT ·apEntry64(SB),NOSPLIT|NOFRAME,$0
	MOVL	$const_apTrampolineDS, AX
	MOVW	AX, DS
	MOVW	AX, ES
	MOVW	AX, SS

	// R8 = this CPU's APIC ID: leaf 0xB's x2APIC ID where the CPU has
	// the leaf (EBX != 0), else leaf 1's initial APIC ID (EBX 31:24),
	// as bootAPICID reads it.
	XORL	AX, AX
	XORL	CX, CX
	CPUID
	CMPL	AX, $const_cpuidTopology
	JB	leaf1
	MOVL	$const_cpuidTopology, AX
	XORL	CX, CX
	CPUID
	TESTL	BX, BX
	JZ	leaf1
	MOVL	DX, R8
	JMP	lookup
leaf1:
	MOVL	$1, AX
	XORL	CX, CX
	CPUID
	SHRL	$24, BX
	MOVL	BX, R8

	// R9 = the index of R8 in apStart.apicID[:apStart.n].
lookup:
	LEAQ	·apStart(SB), SI
	MOVQ	apStartBlock_n(SI), CX
	XORL	R9, R9
next:
	CMPQ	R9, CX
	JAE	stop
	MOVL	apStartBlock_apicID(SI)(R9*4), AX
	CMPL	AX, R8
	JEQ	found
	INCQ	R9
	JMP	next

found:
	MOVQ	apStartBlock_stack(SI)(R9*8), SP
	TESTQ	SP, SP
	JZ	stop
	// The kernel's page tables map the image where the boot tables do
	// (at its physical address), so this code and apStart stay put.
	MOVQ	apStartBlock_cr3(SI), AX
	MOVQ	AX, CR3

	// SSE for Go code, as entry64 does on the boot CPU.
	MOVQ	CR0, AX
	ANDQ	$~const_apCR0Clear, AX
	ORQ	$const_apCR0Set, AX
	MOVQ	AX, CR0
	MOVQ	CR4, AX
	ORQ	$const_apCR4Set, AX
	MOVQ	AX, CR4

	MOVQ	apStartBlock_gsBase(SI)(R9*8), AX
	MOVQ	AX, DX
	SHRQ	$32, DX
	MOVL	$const_apMSRGSBase, CX
	WRMSR
	MOVQ	apStartBlock_fsBase(SI)(R9*8), AX
	MOVQ	AX, DX
	SHRQ	$32, DX
	MOVL	$const_apMSRFSBase, CX
	WRMSR

	SUBQ	$16, SP
	MOVQ	R9, 0(SP)                 // apMain's argument (ABI0: on the stack)
	CALL	·apMain(SB)
stop:
	CLI
	HLT
	JMP	stop

// func apEntryAddr() uintptr
TEXT ·apEntryAddr(SB),NOSPLIT,$0-8
	LEAQ	·apEntry64(SB), AX
	MOVQ	AX, ret+0(FP)
	RET
