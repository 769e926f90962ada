#include "textflag.h"

// func Inb(port uint16) uint8
TEXT ·Inb(SB),NOSPLIT,$0-9
	MOVW	port+0(FP), DX
	INB
	MOVB	AX, ret+8(FP)
	RET

// func Outb(port uint16, v uint8)
TEXT ·Outb(SB),NOSPLIT,$0-3
	MOVW	port+0(FP), DX
	MOVB	v+2(FP), AX
	OUTB
	RET

// func Inw(port uint16) uint16
TEXT ·Inw(SB),NOSPLIT,$0-10
	MOVW	port+0(FP), DX
	INW
	MOVW	AX, ret+8(FP)
	RET

// func Outw(port uint16, v uint16)
TEXT ·Outw(SB),NOSPLIT,$0-4
	MOVW	port+0(FP), DX
	MOVW	v+2(FP), AX
	OUTW
	RET

// func Inl(port uint16) uint32
TEXT ·Inl(SB),NOSPLIT,$0-12
	MOVW	port+0(FP), DX
	INL
	MOVL	AX, ret+8(FP)
	RET

// func Outl(port uint16, v uint32)
TEXT ·Outl(SB),NOSPLIT,$0-8
	MOVW	port+0(FP), DX
	MOVL	v+4(FP), AX
	OUTL
	RET

// func CPUID(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)
TEXT ·CPUID(SB),NOSPLIT,$0-24
	MOVL	leaf+0(FP), AX
	MOVL	subleaf+4(FP), CX
	CPUID
	MOVL	AX, eax+8(FP)
	MOVL	BX, ebx+12(FP)
	MOVL	CX, ecx+16(FP)
	MOVL	DX, edx+20(FP)
	RET

// func Rdmsr(msr uint32) uint64
TEXT ·Rdmsr(SB),NOSPLIT,$0-16
	MOVL	msr+0(FP), CX
	RDMSR
	SHLQ	$32, DX
	ORQ	DX, AX
	MOVQ	AX, ret+8(FP)
	RET

// func Wrmsr(msr uint32, v uint64)
TEXT ·Wrmsr(SB),NOSPLIT,$0-16
	MOVL	msr+0(FP), CX
	MOVQ	v+8(FP), AX
	MOVQ	AX, DX
	SHRQ	$32, DX
	WRMSR
	RET

// func Rdtsc() uint64
TEXT ·Rdtsc(SB),NOSPLIT,$0-8
	RDTSC
	SHLQ	$32, DX
	ORQ	DX, AX
	MOVQ	AX, ret+0(FP)
	RET

// func ReadCR0() uint64
TEXT ·ReadCR0(SB),NOSPLIT,$0-8
	MOVQ	CR0, AX
	MOVQ	AX, ret+0(FP)
	RET

// func ReadCR2() uint64
TEXT ·ReadCR2(SB),NOSPLIT,$0-8
	MOVQ	CR2, AX
	MOVQ	AX, ret+0(FP)
	RET

// func ReadCR3() uint64
TEXT ·ReadCR3(SB),NOSPLIT,$0-8
	MOVQ	CR3, AX
	MOVQ	AX, ret+0(FP)
	RET

// func ReadCR4() uint64
TEXT ·ReadCR4(SB),NOSPLIT,$0-8
	MOVQ	CR4, AX
	MOVQ	AX, ret+0(FP)
	RET

// func DisableInterrupts()
TEXT ·DisableInterrupts(SB),NOSPLIT,$0-0
	CLI
	RET

// func Halt()
TEXT ·Halt(SB),NOSPLIT,$0-0
	HLT
	RET

// func Pause()
TEXT ·Pause(SB),NOSPLIT,$0-0
	PAUSE
	RET

// func lgdt(p *pseudoDescriptor)
TEXT ·lgdt(SB),NOSPLIT,$0-8
	MOVQ	p+0(FP), AX
	LGDT	6(AX)
	RET

// func lidt(p *pseudoDescriptor)
TEXT ·lidt(SB),NOSPLIT,$0-8
	MOVQ	p+0(FP), AX
	LIDT	6(AX)
	RET

// func ltr(selector uint16)
TEXT ·ltr(SB),NOSPLIT,$0-2
	MOVW	selector+0(FP), AX
	LTR	AX
	RET

// func reloadSegments(code, data uint16)
TEXT ·reloadSegments(SB),NOSPLIT,$0-4
	MOVWQZX	data+2(FP), AX
	MOVW	AX, DS
	MOVW	AX, ES
	MOVW	AX, SS
	MOVWQZX	code+0(FP), AX
	// Far return to the next instruction with the new CS.
	LEAQ	reloaded<>(SB), DX
	// Pushes spelled as bytes: the assembler would count them against
	// the frame, but RETFQ pops both.
	BYTE	$0x50                     // PUSHQ AX (new CS)
	BYTE	$0x52                     // PUSHQ DX (target)
	BYTE	$0x48; BYTE $0xCB         // RETFQ

// reloaded is where the far return lands, with the stack as reloadSegments
// found it: return to its caller.
TEXT reloaded<>(SB),NOSPLIT|NOFRAME,$0
	RET

// func WriteCR3(v uint64)
TEXT ·WriteCR3(SB),NOSPLIT,$0-8
	MOVQ	v+0(FP), AX
	MOVQ	AX, CR3
	RET

// func WriteCR4(v uint64)
TEXT ·WriteCR4(SB),NOSPLIT,$0-8
	MOVQ	v+0(FP), AX
	MOVQ	AX, CR4
	RET

// func Invlpg(addr uintptr)
TEXT ·Invlpg(SB),NOSPLIT,$0-8
	MOVQ	addr+0(FP), AX
	INVLPG	(AX)
	RET

// func Xsetbv(xcr uint32, v uint64)
TEXT ·Xsetbv(SB),NOSPLIT,$0-16
	MOVL	xcr+0(FP), CX
	MOVQ	v+8(FP), AX
	MOVQ	AX, DX
	SHRQ	$32, DX
	BYTE	$0x0F; BYTE $0x01; BYTE $0xD1 // XSETBV
	RET

// func WaitForInterrupt()
TEXT ·WaitForInterrupt(SB),NOSPLIT,$0-0
	STI
	HLT
	CLI
	RET

// func PollWithInterrupts(flag *uint32, deadline uint64)
TEXT ·PollWithInterrupts(SB),NOSPLIT,$0-16
	MOVQ	flag+0(FP), BX
	MOVQ	deadline+8(FP), SI
	STI
poll:
	PAUSE
	MOVL	(BX), CX
	TESTL	CX, CX
	JZ	done
	RDTSC
	SHLQ	$32, DX
	ORQ	DX, AX
	CMPQ	AX, SI
	JCS	poll
done:
	CLI
	RET

// func RdRand() (v uint64, ok bool)
TEXT ·RdRand(SB),NOSPLIT,$0-9
	BYTE	$0x48; BYTE $0x0F; BYTE $0xC7; BYTE $0xF0 // RDRAND RAX
	SETCS	ok+8(FP)
	MOVQ	AX, v+0(FP)
	RET

// func RdSeed() (v uint64, ok bool)
TEXT ·RdSeed(SB),NOSPLIT,$0-9
	BYTE	$0x48; BYTE $0x0F; BYTE $0xC7; BYTE $0xF8 // RDSEED RAX
	SETCS	ok+8(FP)
	MOVQ	AX, v+0(FP)
	RET
