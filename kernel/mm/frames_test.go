package mm

import (
	"math/rand"
	"reflect"
	"testing"
)

func rangeList(t *testing.T, rs ...Range) *RangeList {
	t.Helper()
	l := &RangeList{}
	for _, r := range rs {
		if !l.Add(r) {
			t.Fatalf("Add(%v) failed", r)
		}
	}
	return l
}

func ranges(l *RangeList) []Range { return append([]Range{}, l.Ranges()...) }

func TestRangeListAdd(t *testing.T) {
	for _, tc := range []struct {
		name string
		add  []Range
		want []Range
	}{
		{"empty ignored", []Range{{5, 5}, {7, 3}}, []Range{}},
		{"sorted", []Range{{30, 40}, {10, 20}}, []Range{{10, 20}, {30, 40}}},
		{"adjacent merge", []Range{{10, 20}, {20, 30}}, []Range{{10, 30}}},
		{"overlap merge", []Range{{10, 25}, {20, 30}}, []Range{{10, 30}}},
		{"bridge", []Range{{10, 20}, {30, 40}, {50, 60}, {15, 55}}, []Range{{10, 60}}},
		{"contained", []Range{{10, 60}, {20, 30}}, []Range{{10, 60}}},
		{"before all", []Range{{50, 60}, {10, 20}, {0, 5}}, []Range{{0, 5}, {10, 20}, {50, 60}}},
		{"top of address space", []Range{{^uint64(0) - 10, ^uint64(0)}, {0, 1}}, []Range{{0, 1}, {^uint64(0) - 10, ^uint64(0)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := rangeList(t, tc.add...)
			if got := ranges(l); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRangeListSubtract(t *testing.T) {
	base := []Range{{10, 20}, {30, 40}, {50, 60}}
	for _, tc := range []struct {
		name string
		sub  Range
		want []Range
	}{
		{"none", Range{20, 30}, []Range{{10, 20}, {30, 40}, {50, 60}}},
		{"empty", Range{35, 35}, []Range{{10, 20}, {30, 40}, {50, 60}}},
		{"middle splits", Range{33, 36}, []Range{{10, 20}, {30, 33}, {36, 40}, {50, 60}}},
		{"head", Range{25, 33}, []Range{{10, 20}, {33, 40}, {50, 60}}},
		{"tail", Range{37, 45}, []Range{{10, 20}, {30, 37}, {50, 60}}},
		{"exact", Range{30, 40}, []Range{{10, 20}, {50, 60}}},
		{"spanning", Range{15, 55}, []Range{{10, 15}, {55, 60}}},
		{"all", Range{0, 100}, []Range{}},
		{"before all", Range{0, 10}, []Range{{10, 20}, {30, 40}, {50, 60}}},
		{"after all", Range{60, 70}, []Range{{10, 20}, {30, 40}, {50, 60}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := rangeList(t, base...)
			if !l.Subtract(tc.sub) {
				t.Fatal("Subtract failed")
			}
			if got := ranges(l); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRangeListCapacity(t *testing.T) {
	l := &RangeList{}
	for i := uint64(0); i < MaxRanges; i++ {
		if !l.Add(Range{i * 10, i*10 + 5}) {
			t.Fatalf("Add %d failed below capacity", i)
		}
	}
	before := ranges(l)
	if l.Add(Range{1000, 1001}) {
		t.Error("Add past capacity succeeded")
	}
	if l.Subtract(Range{1, 2}) {
		t.Error("a splitting Subtract past capacity succeeded")
	}
	if !reflect.DeepEqual(ranges(l), before) {
		t.Error("failed operations changed the list")
	}
	// Merging and trimming need no room.
	if !l.Add(Range{5, 10}) || !l.Subtract(Range{0, 1}) || !l.Subtract(Range{20, 30}) {
		t.Error("operations that need no new entry failed at capacity")
	}
	if l.Len() != MaxRanges-2 {
		t.Errorf("Len = %d, want %d", l.Len(), MaxRanges-2)
	}
}

// TestRangeListBootLayout cuts what a kernel keeps out of a PVH memory map.
func TestRangeListBootLayout(t *testing.T) {
	const MiB = 1 << 20
	l := rangeList(t,
		Range{0, 0x9fc00},           // low RAM
		Range{MiB, 0xbffe0000},      // RAM below the PCI hole
		Range{0x100000000, 5 << 30}, // RAM above 4 GiB
	)
	for _, r := range []Range{
		{0, MiB},               // first MiB: BIOS, real-mode structures
		{0x400000, 0x1234567},  // kernel image, unaligned end
		{0x2000000, 0x2000100}, // hvm_start_info, a few bytes
		{0x8000000, 0x9000000}, // DMA pool
	} {
		if !l.Subtract(r) {
			t.Fatalf("Subtract(%v) failed", r)
		}
	}
	want := []Range{
		{MiB, 0x400000}, {0x1234567, 0x2000000}, {0x2000100, 0x8000000},
		{0x9000000, 0xbffe0000}, {0x100000000, 5 << 30},
	}
	if got := ranges(l); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %x, want %x", got, want)
	}
	var f Frames
	if !f.Init(newFakeMem(0, 0), l.Ranges()) {
		t.Fatal("Init failed")
	}
	// Partial pages at the cut ends are not frames.
	wantFrames := uint64(0)
	for _, r := range want {
		wantFrames += ((r.End &^ pageMask) - ((r.Start + pageMask) &^ pageMask)) / PageSize
	}
	if f.TotalCount() != wantFrames || f.FreeCount() != wantFrames {
		t.Errorf("Total %d Free %d, want %d", f.TotalCount(), f.FreeCount(), wantFrames)
	}
	if l.Bytes() != want[0].End-want[0].Start+want[1].End-want[1].Start+want[2].End-want[2].Start+
		want[3].End-want[3].Start+want[4].End-want[4].Start {
		t.Errorf("Bytes = %d", l.Bytes())
	}
}

// rangeModel is a RangeList over [0, 256) as a bitmap.
type rangeModel [256]bool

func (m *rangeModel) ranges() []Range {
	out := []Range{}
	for i := 0; i < len(m); {
		if !m[i] {
			i++
			continue
		}
		j := i
		for j < len(m) && m[j] {
			j++
		}
		out = append(out, Range{uint64(i), uint64(j)})
		i = j
	}
	return out
}

func checkRangeOps(t *testing.T, ops []byte) {
	var l RangeList
	var m rangeModel
	for k := 0; k+2 < len(ops); k += 3 {
		a, b := uint64(ops[k+1]), uint64(ops[k+2])
		if a > b {
			a, b = b, a
		}
		r := Range{a, b}
		before := ranges(&l)
		var ok bool
		if ops[k]&1 == 0 {
			ok = l.Add(r)
			if ok {
				for i := a; i < b; i++ {
					m[i] = true
				}
			}
		} else {
			ok = l.Subtract(r)
			if ok {
				for i := a; i < b; i++ {
					m[i] = false
				}
			}
		}
		if !ok {
			if got := ranges(&l); !reflect.DeepEqual(got, before) {
				t.Fatalf("failed op %d %v changed the list", ops[k]&1, r)
			}
			if len(before) != MaxRanges {
				t.Fatalf("op %d %v failed with %d ranges", ops[k]&1, r, len(before))
			}
		}
		if got, want := ranges(&l), m.ranges(); !reflect.DeepEqual(got, want) {
			t.Fatalf("after op %d %v: got %v, want %v", ops[k]&1, r, got, want)
		}
	}
}

func TestRangeListRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for run := 0; run < 200; run++ {
		ops := make([]byte, 3*rng.Intn(200))
		rng.Read(ops)
		checkRangeOps(t, ops)
	}
}

func FuzzRangeList(f *testing.F) {
	f.Add([]byte{0, 10, 20, 1, 12, 14, 0, 13, 13})
	f.Fuzz(func(t *testing.T, ops []byte) { checkRangeOps(t, ops) })
}

func TestFramesInitTouchesNoFrame(t *testing.T) {
	mem := newFakeMem(testRAMBase, 16<<20)
	var f Frames
	if !f.Init(mem, []Range{{testRAMBase + 100, testRAMBase + 8<<20 + 5}, {testRAMBase + 9<<20, testRAMBase + 16<<20}}) {
		t.Fatal("Init failed")
	}
	if mem.calls != 0 {
		t.Errorf("Init read or wrote %d frames", mem.calls)
	}
	want := uint64((8<<20)/PageSize - 1 + (7<<20)/PageSize)
	if f.TotalCount() != want || f.FreeCount() != want {
		t.Errorf("Total %d Free %d, want %d", f.TotalCount(), f.FreeCount(), want)
	}
	// Bump allocation touches no frame either.
	if _, ok := f.Alloc(); !ok || mem.calls != 0 {
		t.Errorf("first Alloc: ok %v, %d frames touched", ok, mem.calls)
	}
}

func TestFramesInitRejects(t *testing.T) {
	var f Frames
	mem := newFakeMem(0, 0)
	if f.Init(mem, []Range{{0x10000, 0x20000}, {0x1f000, 0x30000}}) {
		t.Error("overlapping ranges accepted")
	}
	many := make([]Range, MaxRanges+1)
	for i := range many {
		many[i] = Range{uint64(i) << 20, uint64(i)<<20 + PageSize}
	}
	if f.Init(mem, many) {
		t.Error("too many ranges accepted")
	}
	// Unsorted input, sub-page ranges and a wrapping one are fine.
	if !f.Init(mem, []Range{{0x50000, 0x60000}, {0x1001, 0x1fff}, {0x10000, 0x20000}, {^uint64(0) - 5, ^uint64(0)}}) {
		t.Fatal("valid ranges rejected")
	}
	if f.TotalCount() != 32 {
		t.Errorf("TotalCount = %d, want 32", f.TotalCount())
	}
}

func TestFramesAllocFree(t *testing.T) {
	mem := newFakeMem(testRAMBase, 1<<20)
	var f Frames
	rs := []Range{{testRAMBase + 0x80000, testRAMBase + 0x100000}, {testRAMBase, testRAMBase + 0x40000}}
	if !f.Init(mem, rs) {
		t.Fatal("Init failed")
	}
	total := f.TotalCount()
	if total != 0xc0 {
		t.Fatalf("TotalCount = %d", total)
	}
	got := map[uint64]bool{}
	var order []uint64
	for {
		pa, ok := f.Alloc()
		if !ok {
			break
		}
		if pa&pageMask != 0 || got[pa] {
			t.Fatalf("Alloc returned %#x (duplicate %v)", pa, got[pa])
		}
		in := false
		for _, r := range rs {
			in = in || (pa >= r.Start && pa < r.End)
		}
		if !in {
			t.Fatalf("Alloc returned %#x outside the ranges", pa)
		}
		got[pa] = true
		order = append(order, pa)
	}
	if uint64(len(got)) != total || f.FreeCount() != 0 {
		t.Fatalf("allocated %d of %d, FreeCount %d", len(got), total, f.FreeCount())
	}
	for _, pa := range order {
		if !f.Free(pa) {
			t.Fatalf("Free(%#x) failed", pa)
		}
	}
	if f.FreeCount() != total {
		t.Fatalf("FreeCount = %d after freeing all, want %d", f.FreeCount(), total)
	}
	// LIFO: the last frame freed comes back first.
	for i := len(order) - 1; i >= 0; i-- {
		pa, ok := f.Alloc()
		if !ok || pa != order[i] {
			t.Fatalf("Alloc = %#x %v, want %#x", pa, ok, order[i])
		}
	}
	if _, ok := f.Alloc(); ok {
		t.Error("Alloc succeeded with no frame left")
	}
	if f.Corrupted() {
		t.Error("Corrupted")
	}
}

func TestFramesFreeRejects(t *testing.T) {
	mem := newFakeMem(testRAMBase, 1<<20)
	var f Frames
	f.Init(mem, []Range{{testRAMBase, testRAMBase + 1<<20}})
	a, _ := f.Alloc()
	b, _ := f.Alloc()
	c, _ := f.Alloc()
	free := f.FreeCount()
	for _, tc := range []struct {
		name string
		pa   uint64
	}{
		{"misaligned", a + 8},
		{"below RAM", testRAMBase - PageSize},
		{"above RAM", testRAMBase + 1<<20},
		{"never allocated", c + PageSize},
		{"far away", 1 << 40},
	} {
		if f.Free(tc.pa) {
			t.Errorf("Free(%#x) (%s) succeeded", tc.pa, tc.name)
		}
	}
	if !f.Free(b) {
		t.Fatal("Free(b) failed")
	}
	if f.Free(b) {
		t.Error("double free at the head of the list succeeded")
	}
	if !f.Free(a) {
		t.Fatal("Free(a) failed")
	}
	if f.Free(b) {
		t.Error("double free inside the list succeeded")
	}
	// A used frame whose data happens to look like a free-list entry is
	// still freed.
	frameWords(mem, c)[1] = freeCheck ^ c
	if !f.Free(c) {
		t.Error("Free of a used frame holding the check value failed")
	}
	if f.FreeCount() != free+3 {
		t.Errorf("FreeCount = %d, want %d", f.FreeCount(), free+3)
	}
}

func TestFramesCorruption(t *testing.T) {
	mem := newFakeMem(testRAMBase, 1<<20)
	var f Frames
	f.Init(mem, []Range{{testRAMBase, testRAMBase + 1<<20}})
	a, _ := f.Alloc()
	f.Free(a)
	mem.Page(a)[8] ^= 1 // a write after free
	pa, ok := f.Alloc()
	if !ok || pa == a {
		t.Errorf("Alloc = %#x %v, want a fresh frame", pa, ok)
	}
	if !f.Corrupted() {
		t.Error("Corrupted not reported")
	}
}

func TestAllocZeroed(t *testing.T) {
	mem := newFakeMem(testRAMBase, 1<<20)
	var f Frames
	f.Init(mem, []Range{{testRAMBase, testRAMBase + 1<<20}})
	a, _ := f.Alloc()
	if p := mem.Page(a); p[100] != garbage {
		t.Fatalf("Alloc zeroed the frame (%#x)", p[100])
	}
	f.Free(a)
	for i := 0; i < 2; i++ { // from the free list, then from the bump pointer
		pa, ok := f.AllocZeroed()
		if !ok {
			t.Fatal("AllocZeroed failed")
		}
		if *mem.Page(pa) != [PageSize]byte{} {
			t.Fatalf("frame %#x not zeroed", pa)
		}
	}
}

func TestAllocContiguous(t *testing.T) {
	mem := newFakeMem(0x100000, 8<<20)
	var f Frames
	if !f.Init(mem, []Range{{0x100000, 0x180000}, {0x200000, 0x900000}}) {
		t.Fatal("Init failed")
	}
	// Take one frame so the first range's bump pointer moves.
	if _, ok := f.Alloc(); !ok {
		t.Fatal("Alloc failed")
	}
	pa, ok := f.AllocContiguous(256, 1<<20) // 1 MiB, 1 MiB aligned: not in the first range
	if !ok || pa != 0x200000 {
		t.Fatalf("AllocContiguous(256, 1 MiB) = %#x, %v; want 0x200000", pa, ok)
	}
	next, ok := f.AllocContiguous(1, PageSize)
	if !ok || next != 0x101000 {
		t.Errorf("next single contiguous frame = %#x, %v; want 0x101000 (the first range still has room)", next, ok)
	}
	if _, ok := f.AllocContiguous(2048, PageSize); ok {
		t.Error("AllocContiguous of 8 MiB succeeded in 7 MiB of RAM")
	}
	for _, bad := range []struct{ n, align uint64 }{{0, PageSize}, {1, 100}, {1, 2048}} {
		if _, ok := f.AllocContiguous(bad.n, bad.align); ok {
			t.Errorf("AllocContiguous(%d, %d) succeeded", bad.n, bad.align)
		}
	}
	// Frames handed out contiguously never come back from Alloc.
	seen := map[uint64]bool{}
	for {
		p, ok := f.Alloc()
		if !ok {
			break
		}
		if p >= 0x200000 && p < 0x300000 {
			t.Fatalf("Alloc returned %#x inside the contiguous block", p)
		}
		if seen[p] {
			t.Fatalf("Alloc returned %#x twice", p)
		}
		seen[p] = true
	}
}
