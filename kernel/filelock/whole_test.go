package filelock

import (
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

func TestWhole(t *testing.T) {
	var w Whole
	step := func(key Key, owner Owner, typ Type, want linux.Errno) {
		t.Helper()
		if e := w.Set(key, owner, typ); e != want {
			t.Fatalf("Set(%d, %d, %d) = %v, want %v", key, owner, typ, e, want)
		}
	}
	step(1, 1, Read, 0)
	step(1, 2, Read, 0) // shared with shared
	step(1, 3, Write, linux.EAGAIN)
	step(2, 3, Write, 0) // another file
	step(1, 1, Read, 0)  // again: kept
	// Converting with a conflict gives up the old lock, as Linux does.
	step(1, 1, Write, linux.EAGAIN)
	if got := w.Held(1, 1); got != Unlock {
		t.Errorf("after a refused conversion owner 1 holds %d, want none", got)
	}
	step(1, 2, Write, 0) // the only holder upgrades
	step(1, 1, Read, linux.EAGAIN)
	step(1, 2, Read, 0) // downgrade
	step(1, 1, Read, 0)
	step(1, 1, Unlock, 0)
	step(1, 1, Unlock, 0) // nothing held: still 0
	if !w.DropOwner(2) || w.DropOwner(2) {
		t.Error("DropOwner should report owner 2's lock once")
	}
	step(1, 1, Write, 0)
	if w.Held(1, 1) != Write || w.Held(2, 3) != Write {
		t.Error("locks lost")
	}
}

func TestWholeFull(t *testing.T) {
	var w Whole
	for i := range MaxWhole {
		if e := w.Set(Key(i), 1, Read); e != 0 {
			t.Fatal(e)
		}
	}
	if e := w.Set(Key(MaxWhole), 1, Read); e != linux.ENOLCK {
		t.Errorf("a full table answers %v, want ENOLCK", e)
	}
	if e := w.Set(0, 1, Write); e != 0 {
		t.Errorf("converting in a full table: %v", e)
	}
	w.Set(5, 1, Unlock)
	if e := w.Set(Key(MaxWhole), 1, Read); e != 0 {
		t.Errorf("after an unlock: %v", e)
	}
}
