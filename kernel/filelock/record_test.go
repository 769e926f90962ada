package filelock

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

const maxOff = MaxOffset

// held lists owner's locks on key, by start, as "R0-9 W10-max".
func held(r *Records, key Key, owner Owner) string {
	var ls []Lock
	r.Each(func(l Lock) {
		if l.Key == key && l.Owner == owner {
			ls = append(ls, l)
		}
	})
	slices.SortFunc(ls, func(a, b Lock) int { return int(a.Start - b.Start) })
	var s []string
	for _, l := range ls {
		end := fmt.Sprint(l.End)
		if l.End == maxOff {
			end = "max"
		}
		s = append(s, fmt.Sprintf("%s%d-%s", "-RW"[l.Type:l.Type+1], l.Start, end))
	}
	return strings.Join(s, " ")
}

func set(t *testing.T, r *Records, owner Owner, typ Type, start, end int64) {
	t.Helper()
	if e := r.Set(Lock{Key: 1, Owner: owner, Type: typ, Start: start, End: end}); e != 0 {
		t.Fatalf("Set(%d, %d, %d-%d) = %v", owner, typ, start, end, e)
	}
}

func TestSplitMergeReplace(t *testing.T) {
	for _, tc := range []struct {
		name string
		ops  []Lock // Key 1, Owner 1
		want string
	}{
		{"one", []Lock{{Type: Write, Start: 0, End: 9}}, "W0-9"},
		{"split", []Lock{{Type: Write, Start: 0, End: 9}, {Type: Read, Start: 3, End: 5}}, "W0-2 R3-5 W6-9"},
		{"unlock middle", []Lock{{Type: Read, Start: 0, End: maxOff}, {Type: Unlock, Start: 10, End: 19}}, "R0-9 R20-max"},
		{"merge overlapping", []Lock{{Type: Read, Start: 0, End: 9}, {Type: Read, Start: 5, End: 14}}, "R0-14"},
		{"merge adjacent", []Lock{{Type: Read, Start: 0, End: 9}, {Type: Read, Start: 10, End: 19}}, "R0-19"},
		{"adjacent of another type stays", []Lock{{Type: Read, Start: 0, End: 9}, {Type: Write, Start: 10, End: 19}}, "R0-9 W10-19"},
		{"rejoin after split", []Lock{{Type: Write, Start: 0, End: 9}, {Type: Read, Start: 3, End: 5}, {Type: Write, Start: 3, End: 5}}, "W0-9"},
		{"bridge", []Lock{{Type: Read, Start: 0, End: 4}, {Type: Read, Start: 10, End: 14}, {Type: Read, Start: 5, End: 9}}, "R0-14"},
		{"replace covering", []Lock{{Type: Read, Start: 2, End: 3}, {Type: Write, Start: 5, End: 6}, {Type: Write, Start: 0, End: 9}}, "W0-9"},
		{"trim both", []Lock{{Type: Read, Start: 0, End: 5}, {Type: Read, Start: 8, End: 12}, {Type: Write, Start: 4, End: 9}}, "R0-3 W4-9 R10-12"},
		{"to the end", []Lock{{Type: Write, Start: 100, End: maxOff}, {Type: Read, Start: 0, End: maxOff}}, "R0-max"},
		{"unlock all", []Lock{{Type: Write, Start: 0, End: 9}, {Type: Read, Start: 20, End: maxOff}, {Type: Unlock, Start: 0, End: maxOff}}, ""},
		{"same type inside", []Lock{{Type: Write, Start: 0, End: 9}, {Type: Write, Start: 3, End: 5}}, "W0-9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r Records
			for _, l := range tc.ops {
				set(t, &r, 1, l.Type, l.Start, l.End)
			}
			if got := held(&r, 1, 1); got != tc.want {
				t.Errorf("held %q, want %q", got, tc.want)
			}
		})
	}
}

func TestConflicts(t *testing.T) {
	var r Records
	set(t, &r, 1, Read, 0, 9)
	set(t, &r, 1, Write, 20, 29)
	try := func(owner Owner, typ Type, start, end int64) linux.Errno {
		return r.Set(Lock{Key: 1, Owner: owner, Type: typ, Start: start, End: end})
	}
	if e := try(2, Read, 5, 15); e != 0 {
		t.Errorf("read over another's read: %v", e)
	}
	if e := try(2, Write, 9, 9); e != linux.EAGAIN {
		t.Errorf("write over another's read: %v, want EAGAIN", e)
	}
	if e := try(3, Read, 29, 40); e != linux.EAGAIN {
		t.Errorf("read over another's write: %v, want EAGAIN", e)
	}
	if e := try(3, Unlock, 0, maxOff); e != 0 {
		t.Errorf("unlock: %v", e)
	}
	if e := r.Set(Lock{Key: 2, Owner: 3, Type: Write, Start: 0, End: maxOff}); e != 0 {
		t.Errorf("write on another file: %v", e)
	}
	// A refused Set changes nothing.
	if got := held(&r, 1, 2); got != "R5-15" {
		t.Errorf("owner 2 holds %q", got)
	}
	if l, ok := r.Test(Lock{Key: 1, Owner: 2, Type: Write, Start: 25, End: 25}); !ok || l.Owner != 1 || l.Type != Write || l.Start != 20 || l.End != 29 {
		t.Errorf("Test = %+v, %v", l, ok)
	}
	if _, ok := r.Test(Lock{Key: 1, Owner: 1, Type: Write, Start: 0, End: maxOff}); !ok {
		t.Error("owner 1's test for a write should meet owner 2's read")
	}
	if _, ok := r.Test(Lock{Key: 1, Owner: 2, Type: Read, Start: 0, End: 19}); ok {
		t.Error("reads do not conflict")
	}
	if !r.DropOwner(2) || r.DropOwner(2) {
		t.Error("DropOwner should report owner 2's locks once")
	}
	if !r.DropKey(2, 3) || held(&r, 2, 3) != "" {
		t.Error("DropKey should remove owner 3's lock on file 2")
	}
	if got := held(&r, 1, 1); got != "R0-9 W20-29" {
		t.Errorf("owner 1 holds %q after the others dropped theirs", got)
	}
}

// A full table answers ENOLCK and changes nothing, even for an unlock
// that would split a lock; removing a lock needs no room.
func TestFull(t *testing.T) {
	var r Records
	for i := range MaxRecords {
		set(t, &r, Owner(i), Write, 0, 9)
		set(t, &r, Owner(i), Unlock, 0, 9)
	}
	for i := range MaxRecords {
		set(t, &r, 1, Read, int64(2*i), int64(2*i))
	}
	before := held(&r, 1, 1)
	if e := r.Set(Lock{Key: 1, Owner: 1, Type: Write, Start: 1001, End: 1001}); e != linux.ENOLCK {
		t.Errorf("a new lock in a full table: %v, want ENOLCK", e)
	}
	if e := r.Set(Lock{Key: 1, Owner: 2, Type: Read, Start: 1001, End: 1001}); e != linux.ENOLCK {
		t.Errorf("another owner's lock in a full table: %v, want ENOLCK", e)
	}
	if got := held(&r, 1, 1); got != before {
		t.Errorf("a refused Set changed the table")
	}
	set(t, &r, 1, Unlock, 0, 0)
	set(t, &r, 1, Read, 1, 1) // merges with the lock on byte 2
	if got := held(&r, 1, 1); !strings.HasPrefix(got, "R1-2 R4-4 R6-6") {
		t.Errorf("held %q", got[:20])
	}
}

// model is the record locks as a map from byte to lock type, per file
// and owner. Bytes 0 to cells-2 are themselves; the last cell stands for
// every byte from cells-1 to MaxOffset.
const cells = 17

type model map[[2]int][cells]Type

func cellRange(l Lock) (int, int) {
	end := int(min(l.End, cells-1))
	return int(l.Start), end
}

func (m model) conflict(l Lock) bool {
	if l.Type == Unlock {
		return false
	}
	s, e := cellRange(l)
	for k, c := range m {
		if k[0] != int(l.Key) || k[1] == int(l.Owner) {
			continue
		}
		for i := s; i <= e; i++ {
			if c[i] == Write || c[i] != Unlock && l.Type == Write {
				return true
			}
		}
	}
	return false
}

// runs is the model's locks of one owner on one file as held() prints
// them: maximal runs of one type.
func (m model) runs(key Key, owner Owner) string {
	c := m[[2]int{int(key), int(owner)}]
	var s []string
	for i := 0; i < cells; {
		j := i
		for j+1 < cells && c[j+1] == c[i] {
			j++
		}
		if c[i] != Unlock {
			end := fmt.Sprint(j)
			if j == cells-1 {
				end = "max"
			}
			s = append(s, fmt.Sprintf("%s%d-%s", "-RW"[c[i]:c[i]+1], i, end))
		}
		i = j + 1
	}
	return strings.Join(s, " ")
}

func randomLock(rng *rand.Rand) Lock {
	l := Lock{Key: Key(rng.Intn(2)), Owner: Owner(rng.Intn(3)), Type: Type(rng.Intn(3)), Start: int64(rng.Intn(cells))}
	if l.Start == cells-1 || rng.Intn(4) == 0 {
		l.End = maxOff
	} else {
		l.End = l.Start + int64(rng.Intn(cells-1-int(l.Start)))
	}
	return l
}

// The table agrees with the byte-map model over random sequences of
// Set, Test, DropKey and DropOwner: the same refusals, the same bytes
// locked, each owner's locks in the fewest ranges, and Test names a lock
// that really conflicts.
func TestAgainstModel(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for round := range 300 {
		var r Records
		m := model{}
		for step := range 200 {
			l := randomLock(rng)
			what := ""
			switch op := rng.Intn(20); {
			case op == 0:
				what = fmt.Sprintf("DropKey(%d, %d)", l.Key, l.Owner)
				r.DropKey(l.Key, l.Owner)
				delete(m, [2]int{int(l.Key), int(l.Owner)})
			case op == 1:
				what = fmt.Sprintf("DropOwner(%d)", l.Owner)
				r.DropOwner(l.Owner)
				for k := range m {
					if k[1] == int(l.Owner) {
						delete(m, k)
					}
				}
			case op < 6:
				if l.Type == Unlock {
					l.Type = Read
				}
				what = fmt.Sprintf("Test(%+v)", l)
				got, ok := r.Test(l)
				if want := m.conflict(l); ok != want {
					t.Fatalf("round %d step %d: %s found %v, model says %v", round, step, what, ok, want)
				}
				if ok && !conflicts(&got, &l) {
					t.Fatalf("round %d step %d: %s answered %+v, which does not conflict", round, step, what, got)
				}
				c := m[[2]int{int(l.Key), int(l.Owner)}]
				s, e := cellRange(l)
				holds := false
				for i := s; i <= e; i++ {
					holds = holds || c[i] != Unlock
				}
				if r.Holds(l) != holds {
					t.Fatalf("round %d step %d: Holds(%+v) = %v, model says %v", round, step, l, !holds, holds)
				}
			default:
				what = fmt.Sprintf("Set(%+v)", l)
				e := r.Set(l)
				want := linux.Errno(0)
				if m.conflict(l) {
					want = linux.EAGAIN
				}
				if e != want {
					t.Fatalf("round %d step %d: %s = %v, model says %v", round, step, what, e, want)
				}
				if e == 0 {
					k := [2]int{int(l.Key), int(l.Owner)}
					c := m[k]
					s, end := cellRange(l)
					for i := s; i <= end; i++ {
						c[i] = l.Type
					}
					m[k] = c
				}
			}
			for key := range Key(2) {
				for owner := range Owner(3) {
					if got, want := held(&r, key, owner), m.runs(key, owner); got != want {
						t.Fatalf("round %d step %d: after %s file %d owner %d holds %q, model %q", round, step, what, key, owner, got, want)
					}
				}
			}
		}
	}
}

func TestNoAllocation(t *testing.T) {
	var r Records
	var w Whole
	rng := rand.New(rand.NewSource(2))
	ls := make([]Lock, 1000)
	for i := range ls {
		ls[i] = randomLock(rng)
	}
	n := testing.AllocsPerRun(10, func() {
		for _, l := range ls {
			r.Set(l)
			r.Test(l)
			w.Set(l.Key, l.Owner, l.Type)
			w.Held(l.Key, l.Owner)
		}
		r.DropKey(1, 1)
		r.DropOwner(2)
		w.DropOwner(2)
	})
	if n != 0 {
		t.Errorf("%v allocations per run", n)
	}
}

// Of several conflicting locks Test reports the first in Linux's list:
// owners in the order they took their first lock, each owner's by
// start; an owner that gave up every lock goes to the end.
func TestTestOrder(t *testing.T) {
	var r Records
	set(t, &r, 1, Read, 20, 29)
	set(t, &r, 2, Read, 0, 9)
	set(t, &r, 1, Read, 5, 6) // owner 1 is still first, now from 5
	probe := Lock{Key: 1, Owner: 3, Type: Write, Start: 0, End: MaxOffset}
	if l, _ := r.Test(probe); l.Owner != 1 || l.Start != 5 {
		t.Errorf("Test = %+v, want owner 1's lock at 5", l)
	}
	set(t, &r, 1, Unlock, 0, MaxOffset)
	set(t, &r, 1, Read, 40, 40)
	if l, _ := r.Test(probe); l.Owner != 2 {
		t.Errorf("Test = %+v, want owner 2's lock", l)
	}
	set(t, &r, 2, Write, 0, 9) // replaces all of owner 2's locks: keeps its place
	if l, _ := r.Test(probe); l.Owner != 2 || l.Type != Write {
		t.Errorf("Test = %+v, want owner 2's write lock", l)
	}
}
