package smp

import (
	"testing"

	"github.com/coracle-os/coracle/kernel/mm"
)

func ramOf(t *testing.T, rs ...mm.Range) *mm.RangeList {
	t.Helper()
	var l mm.RangeList
	for _, r := range rs {
		if !l.Add(r) {
			t.Fatalf("Add(%v)", r)
		}
	}
	return &l
}

func TestTrampolinePage(t *testing.T) {
	high := mm.Range{Start: 1 << 20, End: 128 << 20}
	tests := []struct {
		name          string
		ram           []mm.Range
		baseEnd, ebda uint64
		want          uint64
		ok            bool
	}{
		// SeaBIOS: RAM to 0x9FC00, the EBDA at 0x9FC00, 639 KiB base.
		{"seabios", []mm.Range{{Start: 0, End: 0x9FC00}, high}, 639 << 10, 0x9FC00, 0x9E000, true},
		// qboot and Firecracker: no BIOS Data Area; RAM to 640 KiB, the
		// MP table at 0x9FC00 keeps its page.
		{"no bda", []mm.Range{{Start: 0, End: 0xA0000}, high}, 640 << 10, 0, 0x9E000, true},
		// An EBDA lower down wins.
		{"low ebda", []mm.Range{{Start: 0, End: 0xA0000}, high}, 640 << 10, 0x90000, 0x8F000, true},
		// Base memory ends early.
		{"short base", []mm.Range{{Start: 0, End: 0xA0000}, high}, 512 << 10, 0, 0x7F000, true},
		// A hole below the top: the highest page wholly in RAM.
		{"hole", []mm.Range{{Start: 0, End: 0x50800}, {Start: 0x9E800, End: 0xA0000}, high}, 640 << 10, 0, 0x4F000, true},
		// No RAM below 1 MiB at all.
		{"none", []mm.Range{high}, 640 << 10, 0, 0, false},
		// Only page 0 is RAM.
		{"page 0 only", []mm.Range{{Start: 0, End: 0x1000}, high}, 640 << 10, 0, 0, false},
		// RAM to 8 KiB: page 0x1000 is the lowest allowed.
		{"lowest", []mm.Range{{Start: 0, End: 0x2000}, high}, 640 << 10, 0, 0x1000, true},
		// A nonsense EBDA of 0x800 leaves nothing.
		{"tiny ebda", []mm.Range{{Start: 0, End: 0xA0000}, high}, 640 << 10, 0x800, 0, false},
	}
	for _, tt := range tests {
		got, ok := TrampolinePage(ramOf(t, tt.ram...), tt.baseEnd, tt.ebda)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: TrampolinePage = %#x, %v; want %#x, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSlotStacks(t *testing.T) {
	const base = 0xffff_c000_0000_0000
	var prevEnd uint64 = base
	for n := range 4 {
		k, e := SlotStacks(base, n)
		// Slot 0's kernel stack is the boot CPU's: one guard page above
		// the region's base, 64 KiB.
		if n == 0 && (k.Lo != base+PageSize || k.Hi != base+PageSize+64<<10) {
			t.Errorf("slot 0 kernel stack %#x-%#x", k.Lo, k.Hi)
		}
		if k.Hi-k.Lo != KernelStackSize || e.Hi-e.Lo != EmergencyStackSize {
			t.Errorf("slot %d sizes %d, %d", n, k.Hi-k.Lo, e.Hi-e.Lo)
		}
		// Each stack has an unmapped guard page beneath it, and the
		// slot ends within its region.
		if k.Lo < prevEnd+PageSize || e.Lo < k.Hi+PageSize || e.Hi > base+uint64(n+1)*StackSlotSize {
			t.Errorf("slot %d: kernel %#x-%#x, emergency %#x-%#x, no guard page or past its region", n, k.Lo, k.Hi, e.Lo, e.Hi)
		}
		for _, a := range []uint64{k.Lo, k.Hi - 1, e.Lo, e.Hi - 1} {
			if s, ok := SlotOf(base, a); !ok || s != n {
				t.Errorf("SlotOf(%#x) = %d, %v; want %d", a, s, ok, n)
			}
		}
		prevEnd = e.Hi
	}
	if _, ok := SlotOf(base, base-1); ok {
		t.Error("SlotOf below the base reported a slot")
	}
}
