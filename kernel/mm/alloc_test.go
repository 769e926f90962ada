package mm

import "testing"

// TestNoAllocations: the calls that run in trap context allocate nothing.
func TestNoAllocations(t *testing.T) {
	e := newEnv(t, 16<<20)
	e.vmas.Reserve(MinAddr, 1<<30, PROT_READ)
	heap, _ := e.vmas.Map(0, 64<<20, PROT_READ|PROT_WRITE, false)
	pa, _ := e.frames.Alloc()
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"VMAs.Map/Protect/Unmap", func() {
			a, _ := e.vmas.Map(0x29fc58000000, 64<<20, PROT_NONE, false)
			e.vmas.Map(a+(1<<20), 1<<20, PROT_READ|PROT_WRITE, true)
			e.vmas.Protect(a, 2<<20, PROT_READ)
			e.vmas.Unmap(a+PageSize, PageSize)
			e.vmas.Find(a)
			e.vmas.Coverage(a, a+(64<<20))
			e.vmas.Unmap(a, 64<<20)
		}},
		{"HandleFault/Discard", func() {
			HandleFault(&e.as, &e.vmas, heap+5*PageSize, PF_US|PF_WR)
			HandleFault(&e.as, &e.vmas, heap+5*PageSize, PF_US|PF_WR|PF_P)
			HandleFault(&e.as, &e.vmas, 8, PF_US)
			Decide(&e.vmas, heap, PF_US)
			ProtectPages(&e.as, heap, heap+(64<<20), PROT_READ|PROT_WRITE)
			Discard(&e.as, heap, heap+(64<<20))
		}},
		{"AddressSpace", func() {
			e.as.Map(0x7fff_0000_0000, pa, RW|US)
			e.as.Lookup(0x7fff_0000_0000)
			e.as.Translate(0x7fff_0000_0123)
			e.as.Protect(0x7fff_0000_0000, US)
			e.as.Unmap(0x7fff_0000_0000)
			e.as.MapLarge(0xffff_8880_0000_0000, 0, RW)
		}},
		{"Frames", func() {
			a, _ := e.frames.Alloc()
			b, _ := e.frames.AllocZeroed()
			e.frames.Free(a)
			e.frames.Free(b)
			e.frames.Free(b) // double
			e.frames.FreeCount()
		}},
		{"RangeList", func() {
			var l RangeList
			l.Add(Range{0, 1 << 30})
			l.Subtract(Range{1 << 20, 2 << 20})
			l.Ranges()
		}},
	} {
		if n := testing.AllocsPerRun(100, tc.f); n != 0 {
			t.Errorf("%s: %v allocations per run", tc.name, n)
		}
	}
	e.frames.Free(pa)
	checkConserved(t, e)
}
