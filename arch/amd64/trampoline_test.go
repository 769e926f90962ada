package amd64

import (
	"encoding/binary"
	"fmt"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// The trampoline, decoded as the AP runs it (16-bit code), must be the
// real-mode-to-long-mode sequence with the patched operands, and end in
// the far jump.
func TestTrampolineDecodes(t *testing.T) {
	for _, tc := range []struct{ page, root, entry uint64 }{
		{0x9E000, 0x0123_4000, 0x0040_1234},
		{0x8000, 0xFFFF_F000, 0xFFFF_FFF0},
	} {
		var b [TrampolineSize]byte
		if !BuildTrampoline(&b, tc.page, tc.root, tc.entry) {
			t.Fatalf("BuildTrampoline(%#x, %#x, %#x) refused", tc.page, tc.root, tc.entry)
		}
		want := []string{
			"CLI",
			"MOV AX, CS",
			"MOV DS, AX",
			fmt.Sprintf("DATA32 LGDT [%#x]", TrampolineGDTR),
			fmt.Sprintf("MOV EAX, %#x", CR4_PAE),
			"MOV CR4, EAX",
			fmt.Sprintf("MOV EAX, [%#x]", TrampolineCR3),
			"MOV CR3, EAX",
			fmt.Sprintf("MOV ECX, %#x", uint32(MSR_EFER)),
			"RDMSR",
			fmt.Sprintf("OR EAX, %#x", EFER_LME|EFER_NXE),
			"WRMSR",
			"MOV EAX, CR0",
			fmt.Sprintf("OR EAX, %#x", uint32(CR0_PG|CR0_PE)),
			"MOV CR0, EAX",
			fmt.Sprintf("LJMP %#x, %#x", TrampolineCS, tc.entry),
		}
		var got []string
		for off := 0; off < trampCodeEnd; {
			in, err := x86asm.Decode(b[off:trampCodeEnd], 16)
			if err != nil {
				t.Fatalf("offset %#x: %v", off, err)
			}
			got = append(got, canonical(in))
			off += in.Len
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("page %#x: decoded\n%q\nwant\n%q", tc.page, got, want)
		}
		le := binary.LittleEndian
		if r := le.Uint32(b[TrampolineCR3:]); uint64(r) != tc.root {
			t.Errorf("CR3 field %#x, want %#x", r, tc.root)
		}
		if lim, base := le.Uint16(b[TrampolineGDTR:]), le.Uint32(b[TrampolineGDTR+2:]); lim != 23 || uint64(base) != tc.page+TrampolineGDT {
			t.Errorf("GDTR limit %d base %#x, want 23 and %#x", lim, base, tc.page+TrampolineGDT)
		}
		if e := le.Uint32(b[trampJumpEntry:]); uint64(e) != tc.entry {
			t.Errorf("jump target %#x, want %#x", e, tc.entry)
		}
		gdt := b[TrampolineGDT:]
		if d := le.Uint64(gdt); d != 0 {
			t.Errorf("null descriptor %#x", d)
		}
		code, data := le.Uint64(gdt[TrampolineCS:]), le.Uint64(gdt[TrampolineDS:])
		// Present, DPL 0, code with L=1 and D=0 (SDM Vol. 3A §5.2.1);
		// data present and writable.
		if code&descP == 0 || code&descL == 0 || code&descDB != 0 || code>>descType&0xF != typeCodeER || code>>descDPL&3 != 0 {
			t.Errorf("code descriptor %#x is not a ring-0 64-bit code segment", code)
		}
		if data&descP == 0 || data>>descType&0xF != typeDataRW || data&descS == 0 {
			t.Errorf("data descriptor %#x is not a writable data segment", data)
		}
	}
}

// canonical prints an instruction in x86asm's Go-flavoured syntax with
// the immediates and displacements in hex, whatever their sign.
func canonical(in x86asm.Inst) string {
	s := in.Op.String()
	if in.Op == x86asm.LGDT && in.DataSize == 32 {
		s = "DATA32 " + s // a 32-bit base: without it, 24 bits
	}
	for i, a := range in.Args {
		if a == nil {
			break
		}
		if i == 0 {
			s += " "
		} else {
			s += ", "
		}
		switch a := a.(type) {
		case x86asm.Imm:
			s += fmt.Sprintf("%#x", uint32(a))
		case x86asm.Mem:
			s += fmt.Sprintf("[%#x]", a.Disp)
		default:
			s += a.String()
		}
	}
	return s
}

// The LGDT operand and the MOV from memory must name the fields where
// BuildTrampoline puts them: the code holds their offsets.
func TestTrampolineOperandsNameFields(t *testing.T) {
	le := binary.LittleEndian
	if got := le.Uint16(trampolineCode[5+4:]); got != TrampolineGDTR {
		t.Errorf("LGDT operand %#x, want %#x", got, TrampolineGDTR)
	}
	if got := le.Uint16(trampolineCode[trampCR3Load:]); got != TrampolineCR3 {
		t.Errorf("CR3 load operand %#x, want %#x", got, TrampolineCR3)
	}
	if got := le.Uint16(trampolineCode[trampJumpSel:]); got != TrampolineCS {
		t.Errorf("jump selector %#x, want %#x", got, TrampolineCS)
	}
	if TrampolineGDT < trampCodeEnd || TrampolineGDTR < TrampolineGDT+24 || TrampolineCR3 < TrampolineGDTR+6 || TrampolineSize < TrampolineCR3+4 {
		t.Errorf("fields overlap: code ends %#x, GDT %#x, GDTR %#x, CR3 %#x, size %#x",
			trampCodeEnd, TrampolineGDT, TrampolineGDTR, TrampolineCR3, TrampolineSize)
	}
}

func TestTrampolineRefuses(t *testing.T) {
	var b [TrampolineSize]byte
	for _, tc := range []struct{ page, root, entry uint64 }{
		{0x9E800, 0x1000, 0x400000},     // not page aligned
		{0x100000, 0x1000, 0x400000},    // not below 1 MiB
		{0xA0000, 0x1000, 0x400000},     // reserved vector 0xA0
		{0xBF000, 0x1000, 0x400000},     // reserved vector 0xBF
		{0x8000, 0x1_0000_0000, 0x4000}, // root above 4 GiB
		{0x8000, 0x1800, 0x4000},        // root not page aligned
		{0x8000, 0x1000, 0x1_0000_0000}, // entry above 4 GiB
	} {
		if BuildTrampoline(&b, tc.page, tc.root, tc.entry) {
			t.Errorf("BuildTrampoline(%#x, %#x, %#x) accepted", tc.page, tc.root, tc.entry)
		}
	}
	for page, want := range map[uint64]uint8{0x8000: 8, 0x9F000: 0x9F, 0xC0000: 0xC0, 0xFF000: 0xFF} {
		if v, ok := StartupVector(page); !ok || v != want {
			t.Errorf("StartupVector(%#x) = %#x, %v; want %#x", page, v, ok, want)
		}
	}
}
