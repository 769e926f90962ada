package amd64

import "encoding/binary"

// The application-processor trampoline: the real-mode code a STARTUP IPI
// starts an AP in (SDM Vol. 3A §9.4.4), which takes it from real mode
// straight to 64-bit mode and jumps to the kernel's 64-bit AP entry.
//
// An AP starts at CS:IP = page<<8:0 in real mode, so the code must lie
// in a 4 KiB page below 1 MiB, and the Go assembler cannot assemble
// 16-bit code: the trampoline is these bytes, copied to that page and
// patched with its address, a page-table root below 4 GiB (a real-mode
// MOV to CR3 loads 32 bits) and the entry's address. The steps are those
// of SDM Vol. 3A §10.8.5 "Initializing IA-32e Mode", done from real mode
// at once: CR4.PAE, CR3, EFER.LME (and NXE, since the kernel's page
// tables use the XD bit), then CR0.PG and CR0.PE together, which enters
// compatibility mode; the far jump through the trampoline's own GDT then
// enters 64-bit mode. The page-table root must identity-map both the
// trampoline page (the MOV to CR0 and the jump run there with paging on)
// and the entry.
//
// The AP arrives at the entry with interrupts off, CS = TrampolineCS
// (64-bit), the other segment registers holding real-mode values,
// GDTR pointing at the trampoline's GDT, no stack, and CR0, CR4 and EFER
// holding only what long mode needs. The trampoline carries nothing
// specific to one AP, so every AP can be started with it at once; the
// entry tells them apart by their APIC IDs.

// Offsets in the trampoline page.
const (
	trampGDTR      = 0x02 // operand of LGDT in the code: the GDTR's offset
	trampCR3Load   = 0x16 // operand of MOV EAX, moffs: the CR3 field's offset
	trampJumpEntry = 0x39 // the far jump's 32-bit offset: the entry
	trampJumpSel   = 0x3D // the far jump's selector
	trampCodeEnd   = 0x3F

	// TrampolineGDT is the offset of the trampoline's GDT: null, 64-bit
	// code (TrampolineCS), data (TrampolineDS).
	TrampolineGDT = 0x40
	// TrampolineGDTR is the offset of the pseudo-descriptor LGDT loads:
	// limit (16 bits), base (32 bits).
	TrampolineGDTR = 0x58
	// TrampolineCR3 is the offset of the 32-bit page-table root.
	TrampolineCR3 = 0x60
	// TrampolineSize is the length of the trampoline.
	TrampolineSize = 0x64

	// TrampolineCS and TrampolineDS select the trampoline GDT's 64-bit
	// code and flat data segments.
	TrampolineCS = 0x08
	TrampolineDS = 0x10

	// EFER bits the trampoline sets (SDM Vol. 3A §2.2.1, Figure 2-4).
	EFER_LME = 1 << 8

	// Control-register bits (SDM Vol. 3A §2.5, Figures 2-7 and 2-8):
	// the trampoline sets PE, PG and PAE; a CPU's entry code the rest,
	// for SSE (§14.1.3 "Initialization of the SSE Extensions").
	CR0_PE         = 1 << 0  // protected mode
	CR0_MP         = 1 << 1  // monitor coprocessor
	CR0_EM         = 1 << 2  // x87 emulation: clear for SSE
	CR0_NE         = 1 << 5  // native x87 error reporting
	CR0_WP         = 1 << 16 // ring 0 honours read-only pages
	CR0_PG         = 1 << 31 // paging
	CR4_PAE        = 1 << 5
	CR4_OSFXSR     = 1 << 9  // FXSAVE/FXRSTOR and SSE
	CR4_OSXMMEXCPT = 1 << 10 // SSE exceptions as #XM
)

// trampolineCode is the 16-bit code, in the order it runs. The fields
// marked "patched" are filled by BuildTrampoline; the operands that name
// offsets in the page are relative to DS = CS = the page's segment.
var trampolineCode = [trampCodeEnd]byte{
	0xFA,       // 00 cli
	0x8C, 0xC8, // 01 mov ax, cs
	0x8E, 0xD8, // 03 mov ds, ax
	0x66, 0x0F, 0x01, 0x16, // 05 lgdt o32 [TrampolineGDTR] (32-bit base)
	TrampolineGDTR, 0x00,
	0x66, 0xB8, CR4_PAE, 0x00, 0x00, 0x00, // 0B mov eax, CR4.PAE
	0x0F, 0x22, 0xE0, // 11 mov cr4, eax
	0x66, 0xA1, TrampolineCR3, 0x00, // 14 mov eax, [TrampolineCR3]
	0x0F, 0x22, 0xD8, // 18 mov cr3, eax
	0x66, 0xB9, 0x80, 0x00, 0x00, 0xC0, // 1B mov ecx, MSR_EFER
	0x0F, 0x32, // 21 rdmsr
	0x66, 0x0D, 0x00, (EFER_LME | EFER_NXE) >> 8, 0x00, 0x00, // 23 or eax, LME|NXE
	0x0F, 0x30, // 29 wrmsr
	0x0F, 0x20, 0xC0, // 2B mov eax, cr0
	0x66, 0x0D, CR0_PE, 0x00, 0x00, CR0_PG >> 24, // 2E or eax, PG|PE
	0x0F, 0x22, 0xC0, // 34 mov cr0, eax: compatibility mode
	0x66, 0xEA, 0, 0, 0, 0, // 37 jmp far o32 TrampolineCS:entry (patched)
	TrampolineCS, 0x00,
}

// BuildTrampoline writes the trampoline for the page at physical address
// page to dst: root is the page-table root the AP starts on, entry the
// address of 64-bit code it jumps to; both must be below 4 GiB and
// identity-mapped by root, as must the page itself. It reports false if
// page is not a page below 1 MiB that a STARTUP vector can name
// (StartupVector) or root or entry does not fit 32 bits.
func BuildTrampoline(dst *[TrampolineSize]byte, page, root, entry uint64) bool {
	if _, ok := StartupVector(page); !ok || root >= 1<<32 || root&0xFFF != 0 || entry >= 1<<32 {
		return false
	}
	*dst = [TrampolineSize]byte{}
	copy(dst[:], trampolineCode[:])
	le := binary.LittleEndian
	le.PutUint32(dst[trampJumpEntry:], uint32(entry))
	le.PutUint64(dst[TrampolineGDT+TrampolineCS:], CodeDescriptor64(0))
	le.PutUint64(dst[TrampolineGDT+TrampolineDS:], DataDescriptor(0))
	le.PutUint16(dst[TrampolineGDTR:], 3*8-1)
	le.PutUint32(dst[TrampolineGDTR+2:], uint32(page+TrampolineGDT))
	le.PutUint32(dst[TrampolineCR3:], uint32(root))
	return true
}

// StartupVector returns the STARTUP IPI vector that starts an AP at
// physical address page: its page number. The page must be 4 KiB
// aligned, below 1 MiB and not one of the reserved vectors 0xA0-0xBF
// (SDM Vol. 3A §11.6.1, "Start-Up").
func StartupVector(page uint64) (uint8, bool) {
	v := page >> 12
	if page&0xFFF != 0 || v > 0xFF || v >= 0xA0 && v <= 0xBF {
		return 0, false
	}
	return uint8(v), true
}
