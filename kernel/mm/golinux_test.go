package mm

import "testing"

// TestGoRuntimeStartup replays the memory calls of a Go 1.26 program's
// start-up and early heap growth (docs/linux-abi.md §5) through the
// system calls as the kernel builds them from mm, and touches memory as
// the program would.
func TestGoRuntimeStartup(t *testing.T) {
	const (
		KiB = 1 << 10
		MiB = 1 << 20
		RW  = PROT_READ | PROT_WRITE
	)
	e := newEnv(t, 64*MiB)
	// The kernel owns its image and low memory (identity map), all but
	// the pages below MinAddr, which stay unmapped for nil dereferences.
	if err := e.vmas.Reserve(MinAddr, 1<<32, PROT_READ|PROT_WRITE|PROT_EXEC); err != 0 {
		t.Fatal(err)
	}
	mustMap := func(addr, length uint64, prot Prot, fixed bool) uint64 {
		t.Helper()
		a, err := e.mmap(addr, length, prot, fixed)
		if err != 0 {
			t.Fatalf("mmap(%#x, %#x, %d, fixed=%v): %v", addr, length, prot, fixed, err)
		}
		if fixed && a != addr {
			t.Fatalf("mmap fixed at %#x returned %#x", addr, a)
		}
		checkAreas(t, &e.vmas)
		return a
	}
	mustUnmap := func(addr, length uint64) {
		t.Helper()
		if err := e.munmap(addr, length); err != 0 {
			t.Fatalf("munmap(%#x, %#x): %v", addr, length, err)
		}
		checkAreas(t, &e.vmas)
	}

	// Page-allocator summaries and the scavenge index: PROT_NONE
	// reservations with no hint, placed top-down, never backed eagerly.
	var reserved [6]uint64
	sizes := [6]uint64{128 * KiB, 1 * MiB, 8 * MiB, 64 * MiB, 512 * MiB, 512 * MiB}
	for i, n := range sizes {
		reserved[i] = mustMap(0, n, PROT_NONE, false)
		if reserved[i] < testFloor || reserved[i]+n > testCeiling {
			t.Fatalf("reservation %d at %#x outside the window", i, reserved[i])
		}
	}
	if free := e.frames.FreeCount(); e.frames.TotalCount()-free != 1 {
		t.Fatalf("reservations used %d frames; only the PML4 should exist", e.frames.TotalCount()-free)
	}
	// Commits inside them with MAP_FIXED, then use.
	mustMap(reserved[0], 64*KiB, RW, true)
	mustMap(reserved[4]+100*MiB, 4*MiB, RW, true)
	e.store(t, reserved[0]+5, 0x11)
	e.store(t, reserved[4]+100*MiB+3*MiB, 0x22)
	if e.load(t, reserved[0]+5) != 0x11 || e.load(t, reserved[0]+PageSize) != 0 {
		t.Fatal("summary page contents wrong")
	}
	// The rest of a reservation still faults.
	if _, r := e.access(reserved[0]+64*KiB, false, false); r != FaultAccErr {
		t.Errorf("touch of an uncommitted reservation = %v, want SEGV_ACCERR", r)
	}

	// The 32 MiB heap index: RW at once, barely touched.
	index := mustMap(0, 32*MiB, RW, false)
	e.store(t, index+17*MiB, 1)
	if _, leaves := tableStats(&e.as); len(leaves) != 4 { // the load backed one too
		t.Errorf("%d pages backed, want 4", len(leaves))
	}

	// Heap arenas: random 64 MiB-aligned hints below 2^46.
	const hint = 0x29fc58000000
	arena := mustMap(hint, 64*MiB, PROT_NONE, false)
	if arena != hint {
		t.Fatalf("free hint not honoured: got %#x", arena)
	}
	// A hint that overlaps is not honoured; the runtime unmaps the
	// result and tries the next hint.
	other := mustMap(hint+32*MiB, 64*MiB, PROT_NONE, false)
	if other == hint+32*MiB {
		t.Fatal("overlapping hint honoured")
	}
	mustUnmap(other, 64*MiB)
	if a, ok := e.vmas.Find(other); ok {
		t.Fatalf("area %+v left after munmap", a)
	}
	// A hint inside kernel memory is not honoured either.
	if a := mustMap(1<<30, 64*MiB, PROT_NONE, false); a == 1<<30 {
		t.Fatal("hint in a kernel area honoured")
	} else {
		mustUnmap(a, 64*MiB)
	}

	// Heap growth: commit the arena's start, fill some pages.
	mustMap(arena, 4*MiB, RW, true)
	for off := uint64(0); off < 4*MiB; off += 64 * KiB {
		e.store(t, arena+off, byte(off>>16)|1)
		e.store(t, arena+off+PageSize, 0xee)
	}
	// The scavenger returns 1 MiB with MADV_DONTNEED; the runtime then
	// reuses it and expects zeros (needZeroAfterSysUnusedOS is false).
	if err := e.madviseDontneed(arena+MiB, MiB); err != 0 {
		t.Fatalf("madvise: %v", err)
	}
	for off := uint64(0); off < 4*MiB; off += 64 * KiB {
		got := e.load(t, arena+off)
		want := byte(off>>16) | 1
		if off >= MiB && off < 2*MiB {
			want = 0
		}
		if got != want {
			t.Fatalf("arena+%#x = %#x after DONTNEED, want %#x", off, got, want)
		}
	}
	// More commits next to the first merge into one RW area.
	mustMap(arena+4*MiB, 4*MiB, RW, true)
	if a, _ := e.vmas.Find(arena); a.End != arena+8*MiB || a.Prot != RW {
		t.Errorf("heap area %+v not merged", a)
	}

	// Hints exhausted: sysReserveAligned reserves 64 MiB more than it
	// needs and trims the misaligned head and tail.
	const align = 64 * MiB
	p := mustMap(0, 128*MiB, PROT_NONE, false)
	aligned := (p + align - 1) &^ (align - 1)
	head, tail := aligned-p, p+128*MiB-(aligned+align)
	if head == 0 || tail == 0 {
		t.Fatalf("reservation at %#x is aligned: the test needs a head and a tail", p)
	}
	mustUnmap(p, head)
	mustUnmap(aligned+align, tail)
	if a, ok := e.vmas.Find(aligned); !ok || a.Start != aligned || a.End != aligned+align {
		t.Fatalf("aligned reservation = %+v %v, want [%#x, %#x)", a, ok, aligned, aligned+align)
	}
	for _, va := range []uint64{p, aligned - 1, aligned + align, p + 128*MiB - 1} {
		if a, ok := e.vmas.Find(va); ok {
			t.Fatalf("%#x in the trimmed head or tail is still mapped: %+v", va, a)
		}
	}
	mustMap(aligned, 2*MiB, RW, true)
	e.store(t, aligned+MiB, 9)

	// A nil dereference becomes SIGSEGV/SEGV_MAPERR at an address below
	// 4 KiB: the runtime turns it into a panic.
	if _, r := e.access(8, false, false); r.SigCode() != SEGV_MAPERR {
		t.Errorf("nil dereference = %v", r)
	}
	checkPagesInAreas(t, e)
	checkConserved(t, e)

	// sysFreeOS: munmap everything the runtime mapped; every page's
	// frame returns.
	for _, a := range append([]Area{}, e.vmas.Areas()...) {
		if !a.Kernel {
			mustUnmap(a.Start, a.End-a.Start)
		}
	}
	if e.vmas.Len() != 1 {
		t.Errorf("areas left: %+v", e.vmas.Areas())
	}
	tables, leaves := tableStats(&e.as)
	if len(leaves) != 0 {
		t.Fatalf("%d pages still mapped", len(leaves))
	}
	if got := e.frames.FreeCount() + uint64(tables); got != e.frames.TotalCount() {
		t.Errorf("free %d + tables %d != total %d", e.frames.FreeCount(), tables, e.frames.TotalCount())
	}
}
