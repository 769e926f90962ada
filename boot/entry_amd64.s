// PVH entry: 32-bit protected mode to 64-bit Go. See boot.go.
//
// The Go assembler only emits 64-bit encodings, so the 32-bit part uses
// only instructions whose bytes mean the same in both modes (no REX
// prefixes, 32-bit operands, no stack pushes the assembler would count);
// the rest is spelled out with BYTE. One difference is used on purpose:
// "LEAL sym(SB), R" is RIP-relative in 64-bit mode but an absolute disp32
// in 32-bit mode, so it yields sym minus the address of the next
// instruction, and adding that address gives sym.

#include "textflag.h"
#include "go_asm.h"

// pvhEntry is the ELF entry point. In: 32-bit protected mode, paging off,
// flat CS/DS, EBX = physical address of hvm_start_info, ESP undefined
// (Firecracker passes 0).
TEXT ·pvhEntry(SB),NOSPLIT|NOFRAME,$0
	CLI
	CLD

	// Find our own address without a stack of our own: borrow the word
	// below hvm_start_info as a 4-byte stack for one CALL, then put it
	// back.
	MOVL	-4(BX), CX
	MOVL	BX, SP
	BYTE $0xE8; LONG $0              // CALL the next instruction
	BYTE $0x58                       // anchor: POP EAX = address of anchor
	LEAL	bootData(SB), DX          // anchor+1..+7:  DX = bootData - (anchor+7)
	LEAL	·entry64(SB), SI          // anchor+7..+13: SI = entry64 - (anchor+13)
	MOVL	CX, -4(BX)
	ADDL	AX, DX
	ADDL	$7, DX
	ADDL	AX, SI
	ADDL	$13, SI

	// DX = bootData rounded up to a page: the base of everything below.
	ADDL	$(const_pageSize-1), DX
	ANDL	$~(const_pageSize-1), DX
	LEAL	const_stackTop(DX), SP

	// Clear the page tables and the GDT page; the loader may not have.
	MOVL	DX, DI
	XORL	AX, AX
	MOVL	$((const_gdtOffset+const_pageSize)/4), CX
	REP;	STOSL

	// Boot timing: the TSC at entry (coracle.bootstamps).
	MOVL	DX, DI
	RDTSC
	MOVL	AX, const_entryTSCOffset(DI)
	MOVL	DX, (const_entryTSCOffset+4)(DI)
	MOVL	DI, DX

	// PML4[0] -> PDPT; PDPT[0..3] -> the four PDs.
	LEAL	(const_pdptOffset+const_pteP+const_pteRW)(DX), AX
	MOVL	AX, const_pml4Offset(DX)
	LEAL	(const_pdOffset+const_pteP+const_pteRW)(DX), AX
	MOVL	AX, (const_pdptOffset+0)(DX)
	ADDL	$const_pageSize, AX
	MOVL	AX, (const_pdptOffset+8)(DX)
	ADDL	$const_pageSize, AX
	MOVL	AX, (const_pdptOffset+16)(DX)
	ADDL	$const_pageSize, AX
	MOVL	AX, (const_pdptOffset+24)(DX)

	// PD entries: 2 MiB pages, physical = virtual, 0..4 GiB.
	LEAL	const_pdOffset(DX), DI
	MOVL	$(const_pteP+const_pteRW+const_ptePS), AX
	MOVL	$const_pdEntries, CX
fillpd:
	MOVL	AX, (DI)
	ADDL	$0x200000, AX
	ADDL	$8, DI
	DECL	CX
	JNE	fillpd

	// Boot timing: the identity map is built.
	MOVL	DX, DI
	RDTSC
	MOVL	AX, const_tablesTSCOffset(DI)
	MOVL	DX, (const_tablesTSCOffset+4)(DI)
	MOVL	DI, DX

	// GDT: null, 64-bit code, data. GDTR = {limit, base}.
	MOVL	$const_gdtLimitLow, (const_gdtOffset+8)(DX)
	MOVL	$const_gdtCode64High, (const_gdtOffset+12)(DX)
	MOVL	$const_gdtLimitLow, (const_gdtOffset+16)(DX)
	MOVL	$const_gdtDataHigh, (const_gdtOffset+20)(DX)
	MOVW	$(3*8-1), const_gdtrOffset(DX)
	LEAL	const_gdtOffset(DX), AX
	MOVL	AX, (const_gdtrOffset+2)(DX)
	LGDT	const_gdtrOffset(DX)

	// Long mode: PAE, CR3, EFER.LME, then paging (SDM Vol. 3A §9.8.5).
	MOVQ	CR4, AX
	ORL	$const_cr4PAE, AX
	MOVQ	AX, CR4
	LEAL	const_pml4Offset(DX), AX
	MOVQ	AX, CR3
	MOVL	DX, DI                    // RDMSR/WRMSR use EDX
	MOVL	$const_msrEFER, CX
	RDMSR
	ORL	$const_eferLME, AX
	WRMSR
	MOVL	DI, DX
	MOVQ	CR0, AX
	ORL	$(const_cr0PG+const_cr0PE), AX
	MOVQ	AX, CR0

	// Compatibility mode now; a far return to the 64-bit code segment
	// enters 64-bit mode at entry64.
	BYTE $0x6A; BYTE $const_bootCodeSelector // PUSH imm8
	BYTE $0x56                               // PUSH ESI
	BYTE $0xCB                               // RETF

// entry64 continues pvhEntry in 64-bit mode. In: DX = boot data base,
// BX = hvm_start_info (upper halves undefined after the mode switch).
TEXT ·entry64(SB),NOSPLIT|NOFRAME,$0
	// Boot timing: GDT loaded, long mode on.
	MOVL	DX, DI                    // zero-extends
	RDTSC
	MOVL	AX, const_longTSCOffset(DI)
	MOVL	DX, (const_longTSCOffset+4)(DI)
	MOVL	DI, DX
	MOVL	$const_bootDataSelector, AX
	MOVW	AX, DS
	MOVW	AX, ES
	MOVW	AX, SS
	MOVL	DX, DX                    // zero-extend
	MOVL	BX, BX
	LEAQ	const_stackTop(DX), SP

	// SSE for Go code (SDM Vol. 3A §13.1.3), x87 native errors, and
	// write protection in ring 0.
	MOVQ	CR0, AX
	ANDQ	$~const_cr0EM, AX
	ORQ	$(const_cr0MP+const_cr0NE+const_cr0WP), AX
	MOVQ	AX, CR0
	MOVQ	CR4, AX
	ORQ	$(const_cr4OSFXSR+const_cr4OSXMMEXCPT), AX
	MOVQ	AX, CR4

	// Stand-in g for Go code that runs before the runtime: only its
	// stack bounds are read (by function prologues).
	LEAQ	const_stackBottom(DX), AX
	MOVQ	AX, (const_fakeGOffset+0)(DX)    // stack.lo
	LEAQ	const_stackTop(DX), CX
	MOVQ	CX, (const_fakeGOffset+8)(DX)    // stack.hi
	ADDQ	$const_stackGuardRoom, AX
	MOVQ	AX, (const_fakeGOffset+16)(DX)   // stackguard0
	MOVQ	AX, (const_fakeGOffset+24)(DX)   // stackguard1
	LEAQ	const_fakeGOffset(DX), AX
	MOVQ	AX, const_tlsOffset(DX)

	// FS base = tls slot + 8: Go code loads g from FS:-8.
	LEAQ	(const_tlsOffset+8)(DX), AX
	MOVQ	AX, DX
	SHRQ	$32, DX
	MOVL	$const_msrFSBase, CX
	WRMSR

	SUBQ	$16, SP
	MOVQ	BX, 0(SP)                 // start's argument (ABI0: on the stack)
	CALL	·start(SB)
halt:
	HLT
	JMP	halt

// bootData holds the boot page tables, GDT, stand-in g and stack; see
// layout.go.
GLOBL bootData(SB), NOPTR, $const_bootDataSize

// func EntryTSC() uint64
TEXT ·EntryTSC(SB),NOSPLIT,$0-8
	LEAQ	bootData(SB), AX
	ADDQ	$(const_pageSize-1), AX
	ANDQ	$~(const_pageSize-1), AX
	MOVQ	const_entryTSCOffset(AX), AX
	MOVQ	AX, ret+0(FP)
	RET

// func EntryStamps() (tables, longMode uint64)
TEXT ·EntryStamps(SB),NOSPLIT,$0-16
	LEAQ	bootData(SB), AX
	ADDQ	$(const_pageSize-1), AX
	ANDQ	$~(const_pageSize-1), AX
	MOVQ	const_tablesTSCOffset(AX), CX
	MOVQ	CX, tables+0(FP)
	MOVQ	const_longTSCOffset(AX), CX
	MOVQ	CX, longMode+8(FP)
	RET

// func StackBounds() (lo, hi uintptr)
TEXT ·StackBounds(SB),NOSPLIT,$0-16
	LEAQ	bootData(SB), AX
	ADDQ	$(const_pageSize-1), AX
	ANDQ	$~(const_pageSize-1), AX
	LEAQ	const_stackBottom(AX), CX
	MOVQ	CX, lo+0(FP)
	LEAQ	const_stackTop(AX), CX
	MOVQ	CX, hi+8(FP)
	RET

// func IdentityRoot() uintptr
TEXT ·IdentityRoot(SB),NOSPLIT,$0-8
	LEAQ	bootData(SB), AX
	ADDQ	$(const_pageSize-1), AX
	ANDQ	$~(const_pageSize-1), AX
	ADDQ	$const_pml4Offset, AX
	MOVQ	AX, ret+0(FP)
	RET
