package mm

import (
	"math/rand"
	"testing"
)

func TestCanonical(t *testing.T) {
	for _, tc := range []struct {
		va   uint64
		want bool
	}{
		{0, true},
		{0x0000_7fff_ffff_ffff, true},
		{0x0000_8000_0000_0000, false},
		{0x0001_0000_0000_0000, false},
		{0xffff_7fff_ffff_ffff, false},
		{0xffff_8000_0000_0000, true},
		{0xffff_ffff_ffff_ffff, true},
		{0x8000_0000_0000_0000, false},
	} {
		if got := Canonical(tc.va); got != tc.want {
			t.Errorf("Canonical(%#x) = %v, want %v", tc.va, got, tc.want)
		}
	}
}

// edgeAddresses are the ends of both canonical halves and some neighbours.
var edgeAddresses = []uint64{
	0, PageSize, LargePageSize - PageSize, LargePageSize,
	1<<30 - PageSize, 1 << 30, 1<<39 - PageSize, 1 << 39,
	0x0000_7fff_ffff_f000, 0x0000_7fff_ffe0_0000,
	0xffff_8000_0000_0000, 0xffff_8000_0000_1000, 0xffff_8080_0000_0000,
	0xffff_ffff_ffff_f000, 0xffff_ffff_ffe0_0000, 0xffff_ffff_c000_0000,
}

// randomCanonical returns a random canonical page address.
func randomCanonical(rng *rand.Rand) uint64 {
	va := rng.Uint64() & 0x0000_7fff_ffff_f000
	if rng.Intn(2) == 0 {
		va |= 0xffff_8000_0000_0000
	}
	return va
}

func TestMapLookupUnmapRoundTrip(t *testing.T) {
	e := newEnv(t, 64<<20)
	rng := rand.New(rand.NewSource(2))
	vas := append([]uint64{}, edgeAddresses...)
	for len(vas) < 500 {
		vas = append(vas, randomCanonical(rng))
	}
	flagSets := []PTE{RW | US, US | XD, RW | XD, G, RW | US | XD | PWT | PCD, 0}
	type mapping struct {
		pa    uint64
		flags PTE
	}
	want := map[uint64]mapping{}
	for k, va := range vas {
		if _, dup := want[va]; dup {
			continue
		}
		pa, _ := e.frames.Alloc()
		flags := flagSets[k%len(flagSets)]
		if err := e.as.Map(va, pa, flags); err != 0 {
			t.Fatalf("Map(%#x): %v", va, err)
		}
		want[va] = mapping{pa, flags}
	}
	for va, m := range want {
		pte, ok := e.as.Lookup(va)
		if !ok || pte.Addr() != m.pa || pte&^AddrMask != m.flags|P {
			t.Fatalf("Lookup(%#x) = %#x %v, want pa %#x flags %#x", va, uint64(pte), ok, m.pa, uint64(m.flags|P))
		}
		for _, off := range []uint64{0, 1, 0x7ff, 0xfff} {
			if pa, ok := e.as.Translate(va + off); !ok || pa != m.pa+off {
				t.Fatalf("Translate(%#x) = %#x %v", va+off, pa, ok)
			}
		}
		if err := e.as.Map(va, m.pa, m.flags); err != EEXIST {
			t.Fatalf("second Map(%#x) = %v, want EEXIST", va, err)
		}
	}
	_, leaves := tableStats(&e.as)
	if len(leaves) != len(want) {
		t.Fatalf("%d leaves in the tables, want %d", len(leaves), len(want))
	}
	for _, l := range leaves {
		if m, ok := want[l.va]; !ok || l.pte.Addr() != m.pa {
			t.Fatalf("walk found %#x -> %#x, not mapped so", l.va, l.pte.Addr())
		}
	}
	for va, m := range want {
		pa, ok := e.as.Unmap(va)
		if !ok || pa != m.pa {
			t.Fatalf("Unmap(%#x) = %#x %v, want %#x", va, pa, ok, m.pa)
		}
		if _, ok := e.as.Lookup(va); ok {
			t.Fatalf("Lookup(%#x) after Unmap succeeded", va)
		}
		if _, ok := e.as.Unmap(va); ok {
			t.Fatalf("second Unmap(%#x) succeeded", va)
		}
		e.frames.Free(pa)
	}
	checkConserved(t, e)
}

func TestMapRejects(t *testing.T) {
	e := newEnv(t, 4<<20)
	pa, _ := e.frames.Alloc()
	for _, tc := range []struct {
		name      string
		va, pa    uint64
		flags     PTE
		wantLarge bool
	}{
		{"non-canonical low", 0x0000_8000_0000_0000, pa, RW, false},
		{"non-canonical high", 0xffff_7fff_ffff_f000, pa, RW, false},
		{"misaligned va", 0x1001, pa, RW, false},
		{"misaligned pa", 0x1000, pa + 8, RW, false},
		{"pa too large", 0x1000, 1 << 52, RW, false},
		{"PS flag", 0x1000, pa, PS, false},
		{"address bits in flags", 0x1000, pa, 0x1000, false},
		{"large: misaligned va", 0x1000, 0, RW, true},
		{"large: misaligned pa", 0, 0x1000, RW, true},
		{"large: non-canonical", 0x0000_8000_0000_0000, 0, RW, true},
	} {
		var err Errno
		if tc.wantLarge {
			err = e.as.MapLarge(tc.va, tc.pa, tc.flags)
		} else {
			err = e.as.Map(tc.va, tc.pa, tc.flags)
		}
		if err != EINVAL {
			t.Errorf("%s: got %v, want EINVAL", tc.name, err)
		}
	}
	for _, va := range []uint64{0x0000_8000_0000_0000, 0xffff_7fff_ffff_f000} {
		if _, ok := e.as.Lookup(va); ok {
			t.Errorf("Lookup(%#x) succeeded", va)
		}
		if _, ok := e.as.Translate(va); ok {
			t.Errorf("Translate(%#x) succeeded", va)
		}
		if _, ok := e.as.Unmap(va); ok {
			t.Errorf("Unmap(%#x) succeeded", va)
		}
		if e.as.Protect(va, RW) {
			t.Errorf("Protect(%#x) succeeded", va)
		}
	}
	if tables, _ := tableStats(&e.as); tables != 1 {
		t.Errorf("rejected calls created %d tables", tables-1)
	}
}

// TestIntermediateTablesZeroed: memory starts as garbage; every table Map
// creates holds exactly the one entry it needs.
func TestIntermediateTablesZeroed(t *testing.T) {
	e := newEnv(t, 4<<20)
	for _, va := range []uint64{0x0000_7fff_ffff_f000, 0xffff_8000_0000_0000} {
		pa, _ := e.frames.Alloc()
		if err := e.as.Map(va, pa, RW|US); err != 0 {
			t.Fatal(err)
		}
		tpa := e.as.Root
		for l := levels - 1; l >= 0; l-- {
			tbl := e.as.table(tpa)
			for i := uint64(0); i < entriesPerTable; i++ {
				ent := tbl[i]
				if l == levels-1 && ent != 0 {
					continue // the PML4 holds both halves
				}
				if i == index(va, l) {
					if l > 0 && ent&^AddrMask != tableFlags {
						t.Errorf("level %d entry flags %#x, want P|RW|US", l, uint64(ent&^AddrMask))
					}
					continue
				}
				if ent != 0 {
					t.Fatalf("va %#x: level %d table %#x entry %d = %#x, want 0", va, l, tpa, i, uint64(ent))
				}
			}
			tpa = tbl[index(va, l)].Addr()
		}
	}
}

func TestMapLarge(t *testing.T) {
	e := newEnv(t, 4<<20)
	const va = 0xffff_8880_0000_0000 // a direct-map address
	const pa = 0x4000_0000
	if err := e.as.MapLarge(va, pa, RW|G|XD); err != 0 {
		t.Fatal(err)
	}
	pte, ok := e.as.Lookup(va + 0x1234)
	if !ok || pte&PS == 0 || pte.LargeAddr() != pa || pte&(RW|G|XD|P) != RW|G|XD|P {
		t.Fatalf("Lookup = %#x %v", uint64(pte), ok)
	}
	if got, ok := e.as.Translate(va + 0x1f_f123); !ok || got != pa+0x1f_f123 {
		t.Errorf("Translate = %#x %v", got, ok)
	}
	if err := e.as.Map(va+PageSize, 0x1000, RW); err != EEXIST {
		t.Errorf("Map inside a large page = %v, want EEXIST", err)
	}
	if err := e.as.MapLarge(va, pa, RW); err != EEXIST {
		t.Errorf("MapLarge twice = %v, want EEXIST", err)
	}
	if _, ok := e.as.Unmap(va); ok {
		t.Error("Unmap of a large page succeeded")
	}
	if !e.as.Protect(va, RW|XD) {
		t.Fatal("Protect of a large page failed")
	}
	if pte, _ := e.as.Lookup(va); pte&PS == 0 || pte&G != 0 || pte.LargeAddr() != pa {
		t.Errorf("after Protect: %#x", uint64(pte))
	}
	// A page table already covering the 2 MiB range blocks MapLarge.
	fpa, _ := e.frames.Alloc()
	if err := e.as.Map(va+LargePageSize, fpa, RW); err != 0 {
		t.Fatal(err)
	}
	if err := e.as.MapLarge(va+LargePageSize, pa, RW); err != EEXIST {
		t.Errorf("MapLarge over a page table = %v, want EEXIST", err)
	}
	// Discard leaves large pages alone.
	if n := Discard(&e.as, va, va+LargePageSize); n != 0 {
		t.Errorf("Discard over a large page unmapped %d pages", n)
	}
	if _, ok := e.as.Lookup(va); !ok {
		t.Error("Discard removed a large page")
	}
}

func TestProtectKeepsAccessedDirty(t *testing.T) {
	e := newEnv(t, 4<<20)
	pa, _ := e.frames.Alloc()
	const va = 0x40_0000
	e.as.Map(va, pa, RW|US)
	tbl, i, _, _ := e.as.walk(va, 0, false)
	tbl[i] |= A | D // as the CPU would
	if !e.as.Protect(va, US|XD) {
		t.Fatal("Protect failed")
	}
	if pte, _ := e.as.Lookup(va); pte != PTE(pa)|P|US|XD|A|D {
		t.Errorf("PTE = %#x", uint64(pte))
	}
	if e.as.Protect(va+PageSize, RW) {
		t.Error("Protect of an unmapped page succeeded")
	}
	if e.as.Protect(va, PS) {
		t.Error("Protect with PS succeeded")
	}
}

func TestMapOutOfFrames(t *testing.T) {
	mem := newFakeMem(testRAMBase, 3*PageSize)
	var f Frames
	f.Init(mem, []Range{{testRAMBase, testRAMBase + 3*PageSize}})
	var as AddressSpace
	if err := as.Init(mem, &f); err != 0 {
		t.Fatal(err)
	}
	// Root + 2 frames: the PD's table cannot be allocated.
	if err := as.Map(0x1000, 0x1000, RW); err != ENOMEM {
		t.Fatalf("Map = %v, want ENOMEM", err)
	}
	if f.FreeCount() != 0 {
		t.Errorf("FreeCount = %d", f.FreeCount())
	}
	var as2 AddressSpace
	if err := as2.Init(mem, &f); err != ENOMEM {
		t.Errorf("Init with no frame = %v, want ENOMEM", err)
	}
}
