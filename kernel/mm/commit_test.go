package mm

import (
	"math/rand/v2"
	"testing"
)

// commit is mmap(addr, n, PROT_READ|PROT_WRITE, MAP_FIXED) as the kernel
// builds it: CanCommit first, ENOMEM if it says no.
func (e *env) commit(addr, n, keep uint64) Errno {
	if !CanCommit(&e.as, addr, n, e.frames.FreeCount(), keep) {
		return ENOMEM
	}
	_, err := e.mmap(addr, n, PROT_READ|PROT_WRITE, true)
	return err
}

// reserve is the runtime's PROT_NONE reservation.
func (e *env) reserve(t *testing.T, n uint64) uint64 {
	t.Helper()
	a, err := e.mmap(0, n, PROT_NONE, false)
	if err != 0 {
		t.Fatalf("reserve %d bytes: %v", n, err)
	}
	return a
}

// TestMissingTables compares MissingTables with the tables backing every
// page of a range really allocates.
func TestMissingTables(t *testing.T) {
	e := newEnv(t, 8*MiB)
	rng := rand.New(rand.NewPCG(2, 3))
	base := uint64(0x7f12_0000_0000)
	for i := range 40 {
		start := base + uint64(rng.IntN(1<<14))*PageSize
		if i%5 == 0 {
			start = base + uint64(rng.IntN(200))<<30 - PageSize // straddles 1 GiB
		}
		end := start + uint64(1+rng.IntN(700))*PageSize
		predicted := e.as.MissingTables(start, end)
		before, _ := tableStats(&e.as)
		for va := start; va < end; va += PageSize {
			if err := e.as.Map(va, testRAMBase, P|US); err != 0 && err != EEXIST {
				t.Fatalf("Map(%#x): %v", va, err)
			}
		}
		after, _ := tableStats(&e.as)
		if uint64(after-before) != predicted {
			t.Fatalf("[%#x, %#x): MissingTables = %d, backing it added %d", start, end, predicted, after-before)
		}
		if got := e.as.MissingTables(start, end); got != 0 {
			t.Fatalf("[%#x, %#x) backed: MissingTables = %d", start, end, got)
		}
	}
	if e.as.MissingTables(5, 5) != 0 || e.as.MissingTables(1<<47, 1<<47+PageSize) != 0 {
		t.Error("empty or non-canonical range needs tables")
	}
}

func TestBacked(t *testing.T) {
	e := newEnv(t, MiB)
	a, _ := e.mmap(0, 64*PageSize, PROT_READ|PROT_WRITE, false)
	for _, p := range []uint64{0, 3, 4, 63} {
		e.store(t, a+p*PageSize, 1)
	}
	if got := e.as.Backed(a, a+64*PageSize); got != 4 {
		t.Errorf("Backed = %d, want 4", got)
	}
	if got := e.as.Backed(a+PageSize, a+5*PageSize); got != 2 {
		t.Errorf("Backed of pages 1-4 = %d, want 2", got)
	}
}

// TestCanCommit: a commit must fit beside what earlier commits may still
// take, including pages given back with MADV_DONTNEED.
func TestCanCommit(t *testing.T) {
	e := newEnv(t, 4*MiB) // 1024 frames, one of them the PML4
	res := e.reserve(t, 64*MiB)
	free := e.frames.FreeCount()
	// A commit of everything free fails: it needs tables too.
	if err := e.commit(res, free*PageSize, 0); err != ENOMEM {
		t.Fatalf("committing all %d free frames: %v, want ENOMEM", free, err)
	}
	// Half fits, and so does a second half beside it: commits are
	// judged against the frames free now, not what earlier commits may
	// still touch (overcommit, as Linux's default).
	half := (free / 2) * PageSize
	if err := e.commit(res, half, 0); err != 0 {
		t.Fatalf("committing half: %v", err)
	}
	if err := e.commit(res+half, half, 0); err != 0 {
		t.Fatalf("committing a second, untouched half: %v", err)
	}
	// Touching the first half takes its frames: the same second half
	// no longer fits.
	for va := res; va < res+half; va += PageSize {
		e.store(t, va, 1)
	}
	left := e.frames.FreeCount()
	if err := e.commit(res+2*half, left*PageSize, 0); err != ENOMEM {
		t.Fatalf("commit of every free frame, without its tables: %v, want ENOMEM", err)
	}
	if err := e.commit(res+2*half, (left-4)*PageSize, 0); err != 0 {
		t.Fatalf("commit of the free frames less tables: %v", err)
	}
	// keep is honoured.
	if err := e.commit(res+3*half, 2*PageSize, e.frames.FreeCount()); err != ENOMEM {
		t.Fatalf("commit into the kept frames: %v, want ENOMEM", err)
	}
	// Giving pages back makes room again.
	if err := e.madviseDontneed(res, half); err != 0 {
		t.Fatal(err)
	}
	if err := e.commit(res+3*half, half/2, 0); err != 0 {
		t.Fatalf("commit after MADV_DONTNEED: %v", err)
	}
	// Re-committing a backed range counts the frames it frees as free.
	for va := res + half; va < res+half+half/2; va += PageSize {
		e.store(t, va, 1)
	}
	if !CanCommit(&e.as, res+half, half/2, 0, 0) {
		t.Error("re-committing a backed range with no frame free: refused, but it frees as many as it needs")
	}
	// A range that wraps is refused.
	if CanCommit(&e.as, ^uint64(0)-PageSize+1, 2*PageSize, free, 0) {
		t.Error("a wrapping range was allowed")
	}
	checkConserved(t, e)
}
