package amd64

import (
	"fmt"
	"testing"
	"unsafe"
)

// descriptor is a code or data segment descriptor split into its fields
// (SDM Vol. 3A §3.4.5, Figure 3-8).
type descriptor struct {
	Limit            uint32 // 19:0
	Base             uint32
	Type             uint8
	S, P, AVL, L, DB bool
	G                bool
	DPL              uint8
}

func decodeDescriptor(d uint64) descriptor {
	bit := func(n uint) bool { return d>>n&1 != 0 }
	return descriptor{
		Limit: uint32(d&0xFFFF) | uint32(d>>48&0xF)<<16,
		Base:  uint32(d>>16&0xFFFFFF) | uint32(d>>56)<<24,
		Type:  uint8(d >> 40 & 0xF),
		S:     bit(44),
		DPL:   uint8(d >> 45 & 3),
		P:     bit(47),
		AVL:   bit(52),
		L:     bit(53),
		DB:    bit(54),
		G:     bit(55),
	}
}

func TestSegmentDescriptors(t *testing.T) {
	tests := []struct {
		name string
		got  uint64
		want uint64
		// The fields the value must decode to.
		fields descriptor
	}{
		{
			"CodeDescriptor64(0)", CodeDescriptor64(0), 0x00AF9A000000FFFF,
			descriptor{Limit: 0xFFFFF, Type: 0xA, S: true, P: true, L: true, G: true, DPL: 0},
		},
		{
			"DataDescriptor(0)", DataDescriptor(0), 0x00CF92000000FFFF,
			descriptor{Limit: 0xFFFFF, Type: 0x2, S: true, P: true, DB: true, G: true, DPL: 0},
		},
		{
			"CodeDescriptor64(3)", CodeDescriptor64(3), 0x00AFFA000000FFFF,
			descriptor{Limit: 0xFFFFF, Type: 0xA, S: true, P: true, L: true, G: true, DPL: 3},
		},
		{
			"DataDescriptor(3)", DataDescriptor(3), 0x00CFF2000000FFFF,
			descriptor{Limit: 0xFFFFF, Type: 0x2, S: true, P: true, DB: true, G: true, DPL: 3},
		},
		{
			"CodeDescriptor32(3)", CodeDescriptor32(3), 0x00CFFA000000FFFF,
			descriptor{Limit: 0xFFFFF, Type: 0xA, S: true, P: true, DB: true, G: true, DPL: 3},
		},
		{
			"CodeDescriptor32(0)", CodeDescriptor32(0), 0x00CF9A000000FFFF,
			descriptor{Limit: 0xFFFFF, Type: 0xA, S: true, P: true, DB: true, G: true, DPL: 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("%s = %#016x, want %#016x", tt.name, tt.got, tt.want)
			}
			if f := decodeDescriptor(tt.got); f != tt.fields {
				t.Errorf("%s fields = %+v, want %+v", tt.name, f, tt.fields)
			}
		})
	}
}

func TestBootGDTMatchesKernelGDT(t *testing.T) {
	// package boot's own GDT (boot/layout.go: gdtCode64High, gdtDataHigh,
	// gdtLimitLow) uses the same ring-0 descriptors.
	const bootCode64, bootData = 0x00AF9A00<<32 | 0x0000FFFF, 0x00CF9200<<32 | 0x0000FFFF
	if CodeDescriptor64(0) != bootCode64 {
		t.Errorf("CodeDescriptor64(0) = %#x, boot GDT has %#x", CodeDescriptor64(0), uint64(bootCode64))
	}
	if DataDescriptor(0) != bootData {
		t.Errorf("DataDescriptor(0) = %#x, boot GDT has %#x", DataDescriptor(0), uint64(bootData))
	}
}

func TestTSSDescriptor(t *testing.T) {
	tests := []struct {
		base      uint64
		limit     uint32
		wantLow   uint64
		wantHigh  uint64
		wantLimit uint32
	}{
		{0x123456789abcdef0, 103, 0x9A0089BCDEF00067, 0x12345678, 103},
		{0, 103, 0x0000890000000067, 0, 103},
		{0xffffffffffffffff, 0xFFFFF, 0xFF0F89FFFFFFFFFF, 0xFFFFFFFF, 0xFFFFF},
		{0xffff800000001000, 0xABCDE, 0x000A89001000BCDE, 0xFFFF8000, 0xABCDE},
		// Limit bits above 19 do not fit and must not spill into flags.
		{0x1000, 0xFFF50067, 0x0005890010000067, 0, 0x50067},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("base %#x limit %#x", tt.base, tt.limit), func(t *testing.T) {
			low, high := TSSDescriptor(tt.base, tt.limit)
			if low != tt.wantLow || high != tt.wantHigh {
				t.Errorf("TSSDescriptor = %#016x, %#016x; want %#016x, %#016x", low, high, tt.wantLow, tt.wantHigh)
			}
			// Figure 7-4, bit by bit.
			field := func(w uint64, hi, lo uint) uint64 { return w >> lo & (1<<(hi-lo+1) - 1) }
			checks := []struct {
				name      string
				got, want uint64
			}{
				{"segment limit 15:0 (low 15:0)", field(low, 15, 0), uint64(tt.limit & 0xFFFF)},
				{"base 15:0 (low 31:16)", field(low, 31, 16), tt.base & 0xFFFF},
				{"base 23:16 (low 39:32)", field(low, 39, 32), tt.base >> 16 & 0xFF},
				{"type (low 43:40)", field(low, 43, 40), 0x9},
				{"S=0 (low 44)", field(low, 44, 44), 0},
				{"DPL (low 46:45)", field(low, 46, 45), 0},
				{"P (low 47)", field(low, 47, 47), 1},
				{"limit 19:16 (low 51:48)", field(low, 51, 48), uint64(tt.limit >> 16 & 0xF)},
				{"AVL (low 52)", field(low, 52, 52), 0},
				{"reserved (low 54:53)", field(low, 54, 53), 0},
				{"G (low 55)", field(low, 55, 55), 0},
				{"base 31:24 (low 63:56)", field(low, 63, 56), tt.base >> 24 & 0xFF},
				{"base 63:32 (high 31:0)", field(high, 31, 0), tt.base >> 32},
				{"reserved, type 0 (high 63:32)", field(high, 63, 32), 0},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %#x, want %#x", c.name, c.got, c.want)
				}
			}
			base := field(low, 31, 16) | field(low, 39, 32)<<16 | field(low, 63, 56)<<24 | high<<32
			if base != tt.base {
				t.Errorf("base reassembled = %#x, want %#x", base, tt.base)
			}
			if limit := uint32(field(low, 15, 0) | field(low, 51, 48)<<16); limit != tt.wantLimit {
				t.Errorf("limit reassembled = %#x, want %#x", limit, tt.wantLimit)
			}
		})
	}
}

func TestSelectors(t *testing.T) {
	const rplMask = 3
	type sel struct {
		name string
		v    uint16
		rpl  uint16
	}
	for _, s := range []sel{
		{"KernelCS", KernelCS, 0},
		{"KernelDS", KernelDS, 0},
		{"userCS32", userCS32, 3},
		{"UserDS", UserDS, 3},
		{"UserCS", UserCS, 3},
		{"TSSSelector", TSSSelector, 0},
	} {
		if got := s.v & rplMask; got != s.rpl {
			t.Errorf("%s = %#x has RPL %d, want %d", s.name, s.v, got, s.rpl)
		}
		if s.v&4 != 0 {
			t.Errorf("%s = %#x selects the LDT (TI=1), want the GDT", s.name, s.v)
		}
		if s.v&selectorMask == 0 {
			t.Errorf("%s = %#x is the null selector", s.name, s.v)
		}
	}
	// SYSRET (SDM Vol. 2B) loads CS from STAR[63:48]+16 and SS from
	// STAR[63:48]+8, both with RPL 3; STAR[63:48] is the 32-bit user CS.
	star := uint16(userCS32 &^ 3)
	if want := (star + 8) | 3; UserDS != want {
		t.Errorf("UserDS = %#x, SYSRET loads SS = %#x", UserDS, want)
	}
	if want := (star + 16) | 3; UserCS != want {
		t.Errorf("UserCS = %#x, SYSRET loads CS = %#x", UserCS, want)
	}
	// SYSCALL loads CS from STAR[47:32] and SS from STAR[47:32]+8.
	if KernelDS != KernelCS+8 {
		t.Errorf("KernelDS = %#x, SYSCALL loads SS = KernelCS+8 = %#x", KernelDS, KernelCS+8)
	}
	// The TSS descriptor takes two slots and must fit in the GDT.
	if TSSSelector>>3+1 >= gdtEntries {
		t.Errorf("TSS descriptor at %d..%d does not fit in %d GDT entries", TSSSelector>>3, TSSSelector>>3+1, gdtEntries)
	}
	if unsafe.Sizeof(gdt) != gdtEntries*8 {
		t.Errorf("sizeof(gdt) = %d, want %d", unsafe.Sizeof(gdt), gdtEntries*8)
	}
	if rplUser != 3 {
		t.Errorf("rplUser = %d, want 3", rplUser)
	}
}

func TestPseudoDescriptorLayout(t *testing.T) {
	// lgdt and lidt (cpu_amd64.s) execute LGDT/LIDT 6(AX): the packed
	// 10-byte operand starts at the limit, with the base right after it.
	var p pseudoDescriptor
	if off := unsafe.Offsetof(p.limit); off != 6 {
		t.Errorf("offset of limit = %d, want 6", off)
	}
	if off := unsafe.Offsetof(p.base); off != 8 {
		t.Errorf("offset of base = %d, want 8", off)
	}
	if size := unsafe.Sizeof(p); size != 16 {
		t.Errorf("sizeof(pseudoDescriptor) = %d, want 16", size)
	}
}
