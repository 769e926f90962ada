package mm

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

// ramMem is physical memory that exists only inside RAM, as the kernel's
// direct map does: Page panics for a frame that is not wholly RAM, the
// host-side image of a #PF on the direct map. Frames are created on first
// use, filled with garbage.
type ramMem struct {
	ram   []Range
	pages map[uint64]*[PageSize]byte
}

func newRAMMem(ram []Range) *ramMem {
	return &ramMem{ram: ram, pages: map[uint64]*[PageSize]byte{}}
}

func (m *ramMem) Page(pa uint64) *[PageSize]byte {
	if pa&pageMask != 0 || !inAny(m.ram, Range{pa, pa + PageSize}) {
		panic(fmt.Sprintf("ramMem: Page(%#x) is not a frame of RAM %x", pa, m.ram))
	}
	p := m.pages[pa]
	if p == nil {
		p = new([PageSize]byte)
		for i := range p {
			p[i] = garbage
		}
		m.pages[pa] = p
	}
	return p
}

// inAny reports whether r lies wholly inside one of rs.
func inAny(rs []Range, r Range) bool {
	for _, x := range rs {
		if x.Start <= r.Start && r.End <= x.End {
			return true
		}
	}
	return false
}

// overlapsAny reports whether r shares a byte with one of rs.
func overlapsAny(rs []Range, r Range) bool {
	for _, x := range rs {
		if r.Start < x.End && x.Start < r.End {
			return true
		}
	}
	return false
}

const MiB = 1 << 20

// bootMap is a PVH memory map and what a kernel keeps out of it.
type bootMap struct {
	name     string
	ram      []Range // the memory map's RAM entries, as the hypervisor gives them
	reserved []Range // what the kernel passes to FreeRAM
}

// bootMaps are the layouts the allocator is driven over. Sizes are small
// so that every test runs the allocator dry.
var bootMaps = []bootMap{{
	// QEMU microvm with -m 32 and a program whose zero-initialised
	// data (crypto's 32 MiB DRBG buffer) ends far past RAM: the image
	// is kept up to its demand-zero tail, and the tail beyond RAM must
	// not become frames (the fault examples/hello hit at -m 32).
	name: "microvm 32 MiB, image tail past RAM",
	ram:  []Range{{0, 0x9fc00}, {MiB, 32 * MiB}},
	reserved: []Range{
		{0, MiB},                     // first MiB
		{0x400000, 0x808000},         // image up to the demand-zero tail
		{0x2806000, 0x2806000},       // image after the tail: empty
		{0xfe000000, 0xff000000},     // MMIO window
		{0x1f00000, 0x1f00000 + 700}, // a module, unaligned size
	},
}, {
	// Several RAM ranges, unaligned ends, holes, a range ending
	// exactly where the MMIO window starts and one starting exactly
	// where a reserved range ends.
	name: "holes and unaligned ranges",
	ram: []Range{
		{0, 0x9fc00},
		{MiB, 6*MiB + 0x123},          // end not page aligned
		{8*MiB + 0x800, 12 * MiB},     // start not page aligned
		{12*MiB + PageSize, 14 * MiB}, // one page hole
		{0xfd000000, 0xfe000000},      // ends at the MMIO window
		{0xff000000, 0xff000000 + MiB},
		{0x100000000, 0x100000000 + 3*MiB + 0xfff},
	},
	reserved: []Range{
		{0, MiB},
		{2 * MiB, 3*MiB + 1},                       // image, unaligned end
		{9*MiB - 0x10, 9*MiB + 0x10},               // a few bytes straddling a page boundary
		{13 * MiB, 0x100000000 + MiB},              // across holes and the window
		{0xfe000000, 0xff000000},                   // MMIO window
		{0x100000000 + 2*MiB, 0x100000000 + 2*MiB}, // empty
		{0x100000000 + 3*MiB, 1 << 40},             // past the end of RAM
		{12 * MiB, 12*MiB + PageSize},              // wholly in a hole
	},
}, {
	// RAM that ends exactly on a 2 MiB boundary with nothing reserved
	// near the end: the last frame must be the one below the end.
	name:     "end on a boundary",
	ram:      []Range{{MiB, 4 * MiB}, {4 * MiB, 8 * MiB}}, // adjacent entries merge
	reserved: []Range{{0, MiB}, {MiB, 2 * MiB}},
}}

// usableFrames lists, page by page, the frames of b: wholly inside one
// RAM range, touching no reserved range. It is the reference the
// allocator is checked against.
func usableFrames(ram *RangeList, reserved []Range) map[uint64]bool {
	want := map[uint64]bool{}
	for _, r := range ram.Ranges() {
		for pa := (r.Start + pageMask) &^ pageMask; pa+PageSize <= r.End; pa += PageSize {
			if !overlapsAny(reserved, Range{pa, pa + PageSize}) {
				want[pa] = true
			}
		}
	}
	return want
}

// bootFrames sets up an allocator over b as the kernel does.
func bootFrames(t *testing.T, b bootMap) (*Frames, *ramMem, map[uint64]bool) {
	t.Helper()
	var ram, free RangeList
	for _, r := range b.ram {
		if !ram.Add(r) {
			t.Fatalf("Add(%x) failed", r)
		}
	}
	if !FreeRAM(&free, &ram, b.reserved) {
		t.Fatal("FreeRAM failed")
	}
	mem := newRAMMem(ram.Ranges())
	f := new(Frames)
	if !f.Init(mem, free.Ranges()) {
		t.Fatal("Frames.Init failed")
	}
	want := usableFrames(&ram, b.reserved)
	if f.TotalCount() != uint64(len(want)) || f.FreeCount() != uint64(len(want)) {
		t.Fatalf("Total %d Free %d, want %d frames", f.TotalCount(), f.FreeCount(), len(want))
	}
	return f, mem, want
}

// drain allocates until the allocator reports exhaustion, checking each
// frame against want and that none comes twice.
func drain(t *testing.T, f *Frames, want, got map[uint64]bool) {
	t.Helper()
	for {
		pa, ok := f.AllocZeroed() // zeroes through Page: panics outside RAM
		if !ok {
			break
		}
		if !want[pa] {
			t.Fatalf("frame %#x is outside RAM or reserved", pa)
		}
		if got[pa] {
			t.Fatalf("frame %#x returned twice", pa)
		}
		got[pa] = true
		if uint64(len(got)) > f.TotalCount() {
			t.Fatal("more frames than the allocator manages")
		}
	}
	if f.FreeCount() != 0 {
		t.Fatalf("exhausted with FreeCount %d", f.FreeCount())
	}
	if pa, ok := f.Alloc(); ok {
		t.Fatalf("Alloc after exhaustion = %#x", pa)
	}
}

// TestFramesOverBootMaps drives the allocator dry over each memory map,
// then frees part of what it handed out and drains it again.
func TestFramesOverBootMaps(t *testing.T) {
	for _, b := range bootMaps {
		t.Run(b.name, func(t *testing.T) {
			f, _, want := bootFrames(t, b)
			got := map[uint64]bool{}
			drain(t, f, want, got)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("allocated %d frames, want all %d usable", len(got), len(want))
			}

			// Frames that were never handed out are refused by Free:
			// past RAM, in a hole, reserved.
			for _, r := range b.reserved {
				if pa := r.Start &^ pageMask; !want[pa] && f.Free(pa) {
					t.Errorf("Free(%#x) of a reserved frame succeeded", pa)
				}
			}
			last := b.ram[len(b.ram)-1].End
			if f.Free((last + pageMask) &^ pageMask) {
				t.Errorf("Free of the frame past RAM succeeded")
			}

			// Free a random part, then take it back: exactly the freed
			// frames return, each once.
			rng := rand.New(rand.NewPCG(1, uint64(len(want))))
			freed := map[uint64]bool{}
			for pa := range got {
				if rng.IntN(3) == 0 {
					if !f.Free(pa) {
						t.Fatalf("Free(%#x) failed", pa)
					}
					if f.Free(pa) {
						t.Fatalf("double Free(%#x) succeeded", pa)
					}
					freed[pa] = true
				}
			}
			if f.FreeCount() != uint64(len(freed)) {
				t.Fatalf("FreeCount %d after freeing %d", f.FreeCount(), len(freed))
			}
			again := map[uint64]bool{}
			drain(t, f, freed, again)
			if !reflect.DeepEqual(again, freed) {
				t.Fatalf("reallocated %d frames, want the %d freed", len(again), len(freed))
			}
			if f.Corrupted() {
				t.Error("free list reported corrupted")
			}
		})
	}
}

func TestFreeRAM(t *testing.T) {
	ram := rangeList(t, Range{0, 0x9fc00}, Range{MiB, 16 * MiB})
	for _, c := range []struct {
		name     string
		reserved []Range
		want     []Range
	}{
		{"nothing", nil, []Range{{0, 0x9fc00}, {MiB, 16 * MiB}}},
		{"widened to pages", []Range{{2*MiB + 1, 3*MiB - 1}}, []Range{{0, 0x9fc00}, {MiB, 2 * MiB}, {3 * MiB, 16 * MiB}}},
		{"past RAM adds nothing", []Range{{0, MiB}, {4 * MiB, 8 * MiB}, {32 * MiB, 64 * MiB}},
			[]Range{{MiB, 4 * MiB}, {8 * MiB, 16 * MiB}}},
		{"overlapping and empty", []Range{{3 * MiB, 5 * MiB}, {4 * MiB, 6 * MiB}, {7 * MiB, 7 * MiB}},
			[]Range{{0, 0x9fc00}, {MiB, 3 * MiB}, {6 * MiB, 16 * MiB}}},
		{"to the top of the address space", []Range{{15 * MiB, ^uint64(0)}}, []Range{{0, 0x9fc00}, {MiB, 15 * MiB}}},
	} {
		var free RangeList
		if !FreeRAM(&free, ram, c.reserved) {
			t.Errorf("%s: FreeRAM failed", c.name)
			continue
		}
		if got := ranges(&free); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %x, want %x", c.name, got, c.want)
		}
	}
	// Too many pieces: FreeRAM says so.
	var many []Range
	for i := uint64(0); i < MaxRanges; i++ {
		many = append(many, Range{MiB + (2*i+1)*PageSize, MiB + (2*i+2)*PageSize})
	}
	var free RangeList
	if FreeRAM(&free, ram, many) {
		t.Error("FreeRAM with more pieces than MaxRanges succeeded")
	}
}

func TestRangeListCovers(t *testing.T) {
	l := rangeList(t, Range{0, 0x9fc00}, Range{MiB, 16 * MiB})
	for _, c := range []struct {
		r    Range
		want bool
	}{
		{Range{MiB, 16 * MiB}, true},
		{Range{4 * MiB, 8 * MiB}, true},
		{Range{5, 5}, true},
		{Range{15 * MiB, 16*MiB + 1}, false},
		{Range{0x9f000, MiB + PageSize}, false},
		{Range{32 * MiB, 33 * MiB}, false},
	} {
		if got := l.Covers(c.r); got != c.want {
			t.Errorf("Covers(%x) = %v, want %v", c.r, got, c.want)
		}
	}
}
