package mm

import (
	"math/rand"
	"testing"
)

func TestLeafFlags(t *testing.T) {
	for _, tc := range []struct {
		prot Prot
		want PTE
	}{
		{PROT_NONE, P | XD},
		{PROT_READ, P | US | XD},
		{PROT_WRITE, P | US | RW | XD},
		{PROT_READ | PROT_WRITE, P | US | RW | XD},
		{PROT_READ | PROT_EXEC, P | US},
		{PROT_EXEC, P | US},
		{PROT_READ | PROT_WRITE | PROT_EXEC, P | US | RW},
	} {
		if got := LeafFlags(tc.prot); got != tc.want {
			t.Errorf("LeafFlags(%d) = %#x, want %#x", tc.prot, uint64(got), uint64(tc.want))
		}
	}
}

func TestDecide(t *testing.T) {
	s := newVMAs(t, 1<<30, 1<<40)
	s.Map(0x1000_0000, PageSize, PROT_NONE, true)
	s.Map(0x1000_1000, PageSize, PROT_READ, true)
	s.Map(0x1000_2000, PageSize, PROT_READ|PROT_WRITE, true)
	s.Map(0x1000_3000, PageSize, PROT_READ|PROT_EXEC, true)
	s.Map(0x1000_4000, PageSize, PROT_WRITE, true)
	s.Reserve(0x40_0000, 0x80_0000, PROT_READ|PROT_EXEC)
	const (
		read  = PF_US
		write = PF_US | PF_WR
		fetch = PF_US | PF_ID
	)
	for _, tc := range []struct {
		name  string
		addr  uint64
		code  uint64
		want  FaultResult
		flags PTE
	}{
		{"nil dereference", 0x8, read, FaultMapErr, 0},
		{"no area", 0x2000_0000, write, FaultMapErr, 0},
		{"non-canonical", 0x8000_0000_0000_0000, read, FaultMapErr, 0},
		{"PROT_NONE read", 0x1000_0010, read, FaultAccErr, 0},
		{"PROT_NONE present", 0x1000_0010, read | PF_P, FaultAccErr, 0},
		{"read-only read", 0x1000_1fff, read, FaultBacked, P | US | XD},
		{"read-only write", 0x1000_1000, write, FaultAccErr, 0},
		{"read-only write, present", 0x1000_1000, write | PF_P, FaultAccErr, 0},
		{"read-only fetch", 0x1000_1000, fetch, FaultAccErr, 0},
		{"RW write", 0x1000_2008, write, FaultBacked, P | US | RW | XD},
		{"RW read from ring 0", 0x1000_2008, 0, FaultBacked, P | US | RW | XD},
		{"RW fetch", 0x1000_2000, fetch, FaultAccErr, 0},
		{"RX fetch", 0x1000_3000, fetch, FaultBacked, P | US},
		{"RX read", 0x1000_3000, read, FaultBacked, P | US},
		{"write-only read (x86: readable)", 0x1000_4000, read, FaultBacked, P | US | RW | XD},
		{"kernel area", 0x40_1000, read, FaultAccErr, 0},
		{"reserved bit", 0x1000_2000, read | PF_P | PF_RSVD, FaultBadTable, 0},
	} {
		flags, r := Decide(s, tc.addr, tc.code)
		if r != tc.want || flags != tc.flags {
			t.Errorf("%s: Decide = %#x %v, want %#x %v", tc.name, uint64(flags), r, uint64(tc.flags), tc.want)
		}
	}
}

func TestFaultResultSigCode(t *testing.T) {
	for r, want := range map[FaultResult]int32{
		FaultBacked: 0, FaultUpdated: 0, FaultMapErr: SEGV_MAPERR, FaultAccErr: SEGV_ACCERR, FaultNoMem: 0, FaultBadTable: 0,
	} {
		if got := r.SigCode(); got != want {
			t.Errorf("%v.SigCode() = %d, want %d", r, got, want)
		}
		if r.Resolved() != (r == FaultBacked || r == FaultUpdated) {
			t.Errorf("%v.Resolved() wrong", r)
		}
		if r.String() == "fault?" {
			t.Errorf("FaultResult %d has no name", r)
		}
	}
}

func TestHandleFault(t *testing.T) {
	e := newEnv(t, 8<<20)
	a, _ := e.mmap(0, 16*PageSize, PROT_READ|PROT_WRITE, false)
	free := e.frames.FreeCount()
	if r := HandleFault(&e.as, &e.vmas, a+5, PF_US); r != FaultBacked {
		t.Fatalf("first fault = %v", r)
	}
	pte, ok := e.as.Lookup(a)
	if !ok || pte&^AddrMask != P|US|RW|XD {
		t.Fatalf("PTE = %#x %v", uint64(pte), ok)
	}
	if *e.mem.Page(pte.Addr()) != [PageSize]byte{} {
		t.Fatal("backed page not zeroed")
	}
	if used := free - e.frames.FreeCount(); used != 4 { // PDPT, PD, PT, page
		t.Errorf("first fault used %d frames, want 4", used)
	}
	// A second fault on the present page (stale TLB) changes nothing.
	if r := HandleFault(&e.as, &e.vmas, a, PF_US|PF_WR|PF_P); r != FaultUpdated {
		t.Errorf("fault on a present page = %v", r)
	}
	if pte2, _ := e.as.Lookup(a); pte2 != pte {
		t.Errorf("PTE changed: %#x -> %#x", uint64(pte), uint64(pte2))
	}
	// Lazy upgrade: mprotect in VMAs only; the fault fixes the PTE.
	e.store(t, a+PageSize, 7)
	e.mprotect(a, 2*PageSize, PROT_READ)
	if _, r := e.access(a+PageSize, true, false); r != FaultAccErr {
		t.Errorf("write after mprotect(PROT_READ) = %v", r)
	}
	e.vmas.Protect(a, 2*PageSize, PROT_READ|PROT_WRITE) // no ProtectPages
	if r := HandleFault(&e.as, &e.vmas, a+PageSize, PF_US|PF_WR|PF_P); r != FaultUpdated {
		t.Errorf("fault after lazy upgrade = %v", r)
	}
	if e.load(t, a+PageSize) != 7 {
		t.Error("contents lost across mprotect")
	}
	// PROT_NONE keeps contents but denies ring 3.
	e.mprotect(a, 2*PageSize, PROT_NONE)
	if _, r := e.access(a+PageSize, false, false); r != FaultAccErr {
		t.Errorf("read of PROT_NONE = %v", r)
	}
	e.mprotect(a, 2*PageSize, PROT_READ)
	if e.load(t, a+PageSize) != 7 {
		t.Error("contents lost across PROT_NONE")
	}
	checkPagesInAreas(t, e)
	checkConserved(t, e)
}

func TestHandleFaultOutOfMemory(t *testing.T) {
	e := newEnv(t, 8*PageSize)
	a, _ := e.mmap(0, 64*PageSize, PROT_READ|PROT_WRITE, false)
	n := 0
	for ; n < 64; n++ {
		r := HandleFault(&e.as, &e.vmas, a+uint64(n)*PageSize, PF_US|PF_WR)
		if r == FaultNoMem {
			break
		}
		if r != FaultBacked {
			t.Fatalf("fault %d = %v", n, r)
		}
	}
	if n != 4 { // 8 frames: PML4, PDPT, PD, PT and four pages
		t.Errorf("backed %d pages before running out, want 4", n)
	}
	checkConserved(t, e)
	// A fault that needs new tables fails cleanly too.
	b, _ := e.mmap(1<<45, PageSize, PROT_READ, false)
	if r := HandleFault(&e.as, &e.vmas, b, PF_US); r != FaultNoMem {
		t.Errorf("fault needing a table = %v", r)
	}
	checkConserved(t, e)
	// Freeing pages makes room again.
	e.munmap(a, PageSize)
	if r := HandleFault(&e.as, &e.vmas, a+10*PageSize, PF_US); r != FaultBacked {
		t.Errorf("fault after munmap = %v", r)
	}
	checkConserved(t, e)
}

func TestHandleFaultLargePageInArea(t *testing.T) {
	e := newEnv(t, 8<<20)
	e.as.MapLarge(0x4000_0000, 0x20_0000, RW|US)
	e.vmas.Map(0x4000_0000, LargePageSize, PROT_READ|PROT_WRITE, true)
	if r := HandleFault(&e.as, &e.vmas, 0x4000_1000, PF_US|PF_WR); r != FaultBadTable {
		t.Errorf("fault in a large page = %v, want FaultBadTable", r)
	}
}

func TestDiscard(t *testing.T) {
	e := newEnv(t, 16<<20)
	a, _ := e.mmap(0, 4<<20, PROT_READ|PROT_WRITE, false)
	for off := uint64(0); off < 4<<20; off += 3 * PageSize {
		e.store(t, a+off, 1)
	}
	checkConserved(t, e)
	// Unaligned bounds are rounded out to pages.
	lo, hi := a+64*PageSize+100, a+600*PageSize-100
	n := Discard(&e.as, lo, hi)
	want := 0
	for off := uint64(0); off < 4<<20; off += 3 * PageSize {
		in := a+off >= lo&^pageMask && a+off < hi
		if in {
			want++
		}
		if _, ok := e.as.Lookup(a + off); ok == in {
			t.Fatalf("page %#x present %v after Discard", a+off, ok)
		}
	}
	if n != want {
		t.Errorf("Discard = %d, want %d", n, want)
	}
	checkConserved(t, e)
	// Discarded pages read back as zero; others keep their data.
	if e.load(t, a+66*PageSize) != 0 || e.load(t, a+63*PageSize) != 1 || e.load(t, a+600*PageSize) != 1 {
		t.Error("wrong contents after Discard")
	}
	for _, r := range [][2]uint64{
		{a, a},                                    // empty
		{a + PageSize, a},                         // reversed
		{0x0000_7fff_ffff_f000, 1 << 48},          // leaves the lower half
		{0x0000_8000_0000_0000, 1 << 48},          // non-canonical
		{0xffff_ffff_ffff_f000, 0},                // wraps (end 0)
		{0x7fff_0000_0000, 0xffff_8000_0000_1000}, // spans both halves
	} {
		if n := Discard(&e.as, r[0], r[1]); n != 0 {
			t.Errorf("Discard(%#x, %#x) = %d", r[0], r[1], n)
		}
	}
	// The top page of the upper half can be discarded.
	top := uint64(0xffff_ffff_ffff_f000)
	pa, _ := e.frames.Alloc()
	e.as.Map(top, pa, RW)
	if n := Discard(&e.as, top, top+PageSize-1); n != 1 {
		t.Errorf("Discard of the top page = %d", n)
	}
	// Everything, including huge absent spans, from end to end.
	Discard(&e.as, 0, UserTop)
	if _, leaves := tableStats(&e.as); len(leaves) != 0 {
		t.Errorf("%d pages left after discarding the lower half", len(leaves))
	}
	checkConserved(t, e)
}

// TestDiscardSkipsAbsentTables: discarding a huge untouched range visits
// only the tables that exist.
func TestDiscardSkipsAbsentTables(t *testing.T) {
	e := newEnv(t, 4<<20)
	e.mmap(1<<40, PageSize, PROT_READ, true)
	e.load(t, 1<<40)
	e.mem.calls = 0
	if n := Discard(&e.as, MinAddr, UserTop); n != 1 {
		t.Fatalf("Discard = %d", n)
	}
	// Four tables on the way down and the frame Free threads onto its
	// list: each reached once, however large the range.
	if e.mem.calls != 5 {
		t.Errorf("Discard of the user half made %d Page calls", e.mem.calls)
	}
}

func TestProtectPages(t *testing.T) {
	e := newEnv(t, 8<<20)
	a, _ := e.mmap(0, 8*PageSize, PROT_READ|PROT_WRITE, false)
	e.store(t, a, 1)
	e.store(t, a+3*PageSize, 1)
	if err := e.vmas.Protect(a, 8*PageSize, PROT_READ|PROT_EXEC); err != 0 {
		t.Fatal(err)
	}
	if n := ProtectPages(&e.as, a, a+8*PageSize, PROT_READ|PROT_EXEC); n != 2 {
		t.Errorf("ProtectPages = %d, want 2", n)
	}
	if n := ProtectPages(&e.as, a, a+8*PageSize, PROT_READ|PROT_EXEC); n != 0 {
		t.Errorf("second ProtectPages = %d, want 0", n)
	}
	checkPagesInAreas(t, e)
	if _, r := e.access(a, true, false); r != FaultAccErr {
		t.Errorf("write = %v", r)
	}
	if _, r := e.access(a+3*PageSize, false, true); r != FaultBacked {
		t.Errorf("fetch = %v", r)
	}
}

// TestFramesConservedRandom runs random mmap, munmap, mprotect, madvise
// and touches, checking after each step that frames are conserved and
// that every present page lies in an area with that area's flags.
func TestFramesConservedRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	for run := 0; run < 20; run++ {
		e := newEnv(t, 8<<20)
		base := uint64(0x10_0000_0000)
		for step := 0; step < 300; step++ {
			addr := base + uint64(rng.Intn(256))*PageSize
			length := uint64(1+rng.Intn(48)) * PageSize
			prot := Prot(rng.Intn(8))
			switch rng.Intn(6) {
			case 0:
				e.mmap(addr, length, prot, true)
			case 1:
				e.munmap(addr, length)
			case 2:
				e.mprotect(addr, length, prot)
			case 3:
				e.madviseDontneed(addr, length)
			default:
				for i := 0; i < 8; i++ {
					va := addr + uint64(rng.Intn(int(length)))
					_, r := e.access(va, rng.Intn(2) == 0, rng.Intn(4) == 0)
					if r == FaultNoMem || r == FaultBadTable {
						t.Fatalf("access %#x: %v", va, r)
					}
					a, ok := e.vmas.Find(va)
					wantSig := !ok || a.Prot == PROT_NONE
					if wantSig && r.Resolved() {
						t.Fatalf("access %#x in %+v %v resolved", va, a, ok)
					}
				}
			}
			checkConserved(t, e)
			checkPagesInAreas(t, e)
		}
		e.munmap(base, 512*PageSize)
		if _, leaves := tableStats(&e.as); len(leaves) != 0 {
			t.Fatalf("%d pages left after munmap of everything", len(leaves))
		}
	}
}

func TestAnonymousBelowTheWindow(t *testing.T) {
	// The image's demand-zero data: a program area below the mmap
	// window, right after a kernel area, backed on first touch.
	s := newVMAs(t, 1<<32, 1<<40)
	if err := s.Reserve(0x40_0000, 0x80_0000, PROT_READ|PROT_WRITE); err != 0 {
		t.Fatal(err)
	}
	if err := s.Anonymous(0x80_0000, 0x280_0000, PROT_READ|PROT_WRITE); err != 0 {
		t.Fatalf("Anonymous: %v", err)
	}
	if flags, r := Decide(s, 0x100_0008, PF_US|PF_WR); r != FaultBacked || flags != P|US|RW|XD {
		t.Errorf("write in the area: %v %v", r, flags)
	}
	if _, r := Decide(s, 0x40_0008, PF_WR); r != FaultAccErr {
		t.Errorf("write in the kernel area below: %v, want FaultAccErr", r)
	}
	for _, c := range []struct {
		name       string
		start, end uint64
		want       Errno
	}{
		{"overlap", 0x7f_f000, 0x90_0000, EEXIST},
		{"misaligned", 0x300_0001, 0x400_0000, EINVAL},
		{"empty", 0x300_0000, 0x300_0000, EINVAL},
		{"above UserTop", UserTop - PageSize, UserTop + PageSize, EINVAL},
	} {
		if err := s.Anonymous(c.start, c.end, PROT_READ); err != c.want {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}
