package mm

import (
	"math/rand/v2"
	"testing"
)

// commit is mmap(addr, n, PROT_READ|PROT_WRITE, MAP_FIXED) as the kernel
// builds it: CanCommit first, ENOMEM if it says no.
func (e *env) commit(addr, n, keep uint64) Errno {
	if !CanCommit(&e.as, &e.vmas, addr, n, e.frames.FreeCount(), keep) {
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
	// Half fits; the other half does not fit beside it, although
	// nothing of the first is touched yet.
	half, quarter := (free/2)*PageSize, (free/8)*PageSize
	if err := e.commit(res, half, 0); err != 0 {
		t.Fatalf("committing half: %v", err)
	}
	if err := e.commit(res+half, half, 0); err != ENOMEM {
		t.Fatalf("committing a second half: %v, want ENOMEM", err)
	}
	if err := e.commit(res+half, quarter, 0); err != 0 {
		t.Fatalf("committing an eighth: %v", err)
	}
	// Touch the first commit, give it all back: its pages are still
	// promised.
	for va := res; va < res+half; va += PageSize {
		e.store(t, va, 1)
	}
	if err := e.madviseDontneed(res, half); err != 0 {
		t.Fatal(err)
	}
	rest := e.frames.FreeCount() - Promised(&e.as, &e.vmas, 0, 0)
	if rest*PageSize > free*PageSize-half-quarter {
		t.Fatalf("%d frames unpromised after MADV_DONTNEED: the given-back pages are not counted", rest)
	}
	next := res + half + quarter
	if err := e.commit(next, rest*PageSize, 0); err != ENOMEM {
		t.Fatalf("commit of every unpromised frame, without its tables: %v, want ENOMEM", err)
	}
	if err := e.commit(next, (rest-8)*PageSize, 0); err != 0 {
		t.Fatalf("commit of the unpromised frames less tables: %v", err)
	}
	next += (rest - 8) * PageSize
	if err := e.commit(next, quarter, 0); err != ENOMEM {
		t.Fatalf("commit beyond: %v, want ENOMEM", err)
	}
	// Unmapping the first commit releases its promise.
	if err := e.munmap(res, half); err != 0 {
		t.Fatal(err)
	}
	if err := e.commit(next, quarter, 0); err != 0 {
		t.Fatalf("commit after munmap: %v", err)
	}
	// Re-committing a committed range counts its pages once, and
	// counts the backed ones it frees as free.
	if err := e.commit(res+half, quarter, 0); err != 0 {
		t.Fatalf("re-committing a committed range: %v", err)
	}
	// keep is honoured.
	left := e.frames.FreeCount() - Promised(&e.as, &e.vmas, 0, 0)
	if err := e.commit(res+2*half, 2*PageSize, left); err != ENOMEM {
		t.Fatalf("commit into the kept frames: %v, want ENOMEM", err)
	}
	// Overcommitted mappings and PROT_NONE do not count.
	a, _ := e.mmap(0, 32*MiB, PROT_READ|PROT_WRITE, false)
	if Promised(&e.as, &e.vmas, 0, 0) != Promised(&e.as, &e.vmas, a, a+32*MiB) {
		t.Error("a mapping without MAP_FIXED counts as promised")
	}
	checkConserved(t, e)
}

// TestCommitsNeverRunOutOfFrames plays a program that commits memory
// whenever CanCommit lets it, touches its commits at random, gives pages
// back and unmaps, beside untracked mappings that stay within the kept
// frames: no page fault in a commit may find the allocator empty.
func TestCommitsNeverRunOutOfFrames(t *testing.T) {
	for seed := range uint64(20) {
		e := newEnv(t, 3*MiB)
		rng := rand.New(rand.NewPCG(seed, 7))
		const keep = 64 // frames the program may use outside commits
		side, _ := e.mmap(0, keep/2*PageSize, PROT_READ|PROT_WRITE, false)
		res := e.reserve(t, 256*MiB)
		type span struct{ start, end uint64 }
		var commits []span
		refused := 0
		for step := range 3000 {
			switch op := rng.IntN(10); {
			case op < 2: // commit a chunk somewhere in the reservation
				start := res + uint64(rng.IntN(60000))*PageSize
				n := uint64(1+rng.IntN(300)) * PageSize
				if err := e.commit(start, n, keep); err == 0 {
					commits = append(commits, span{start, start + n})
				} else {
					refused++
				}
			case op < 8 && len(commits) > 0: // touch a committed page
				c := commits[rng.IntN(len(commits))]
				va := c.start + uint64(rng.IntN(int((c.end-c.start)/PageSize)))*PageSize
				if a, ok := e.vmas.Find(va); !ok || !a.Committed {
					continue // unmapped or replaced since
				}
				if _, r := e.access(va, true, false); r != FaultBacked {
					t.Fatalf("seed %d step %d: touching committed %#x: %v (free %d, promised %d)",
						seed, step, va, r, e.frames.FreeCount(), Promised(&e.as, &e.vmas, 0, 0))
				}
			case op == 8 && len(commits) > 0: // give back or unmap part of a commit
				c := commits[rng.IntN(len(commits))]
				if rng.IntN(2) == 0 {
					e.madviseDontneed(c.start, c.end-c.start)
				} else {
					e.munmap(c.start, (c.end-c.start)/2)
				}
			default: // the side mapping, within keep
				e.store(t, side+uint64(rng.IntN(keep/2))*PageSize, 1)
			}
		}
		if refused == 0 {
			t.Errorf("seed %d: no commit was ever refused: the test never ran short", seed)
		}
		checkConserved(t, e)
	}
}
