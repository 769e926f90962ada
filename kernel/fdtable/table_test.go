package fdtable

import (
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

const (
	kindA Kind = 1 + iota
	kindB
)

func newTable(t *testing.T, n int) *Table {
	t.Helper()
	tab := new(Table)
	for i := range n {
		fd, e := tab.Open(kindA, int32(i), linux.O_RDWR, false)
		if e != 0 || fd != i {
			t.Fatalf("Open %d = %d, %v", i, fd, e)
		}
	}
	return tab
}

func TestOpenTakesLowestFree(t *testing.T) {
	tab := newTable(t, 5)
	if _, e := tab.Close(1); e != 0 {
		t.Fatal(e)
	}
	if _, e := tab.Close(3); e != 0 {
		t.Fatal(e)
	}
	for _, want := range []int{1, 3, 5} {
		if fd, _ := tab.Open(kindB, 9, 0, false); fd != want {
			t.Errorf("Open = %d, want %d", fd, want)
		}
	}
	if f := tab.Get(3); f == nil || f.Kind != kindB || f.Obj != 9 {
		t.Errorf("Get(3) = %+v", f)
	}
	if tab.High() != 6 {
		t.Errorf("High = %d, want 6", tab.High())
	}
}

func TestDupSharesOffsetAndFlags(t *testing.T) {
	tab := newTable(t, 1)
	fd, e := tab.DupMin(0, 0, false)
	if e != 0 || fd != 1 {
		t.Fatalf("dup = %d, %v", fd, e)
	}
	tab.Get(0).Off = 42
	SetFL(tab.Get(1), linux.O_NONBLOCK)
	if f := tab.Get(0); f.Off != 42 || f.Flags != linux.O_RDWR|linux.O_NONBLOCK {
		t.Errorf("after dup: %+v", f)
	}
	if tab.Get(0) != tab.Get(1) || tab.Get(0).Refs() != 2 {
		t.Errorf("descriptors do not share one description")
	}
	if tab.FileIndex(0) != tab.FileIndex(1) || !tab.Refers(1, tab.FileIndex(0)) {
		t.Errorf("FileIndex differs")
	}
}

func TestSetFLChangesOnlyAppendAndNonblock(t *testing.T) {
	f := &File{Flags: linux.O_RDONLY}
	SetFL(f, linux.O_WRONLY|linux.O_APPEND|linux.O_NONBLOCK|linux.O_CREAT)
	if f.Flags != linux.O_APPEND|linux.O_NONBLOCK {
		t.Errorf("Flags = %#x", f.Flags)
	}
	SetFL(f, 0)
	if f.Flags != linux.O_RDONLY {
		t.Errorf("Flags = %#x", f.Flags)
	}
}

func TestCloseReleasesOnLastReference(t *testing.T) {
	tab := newTable(t, 1)
	tab.DupMin(0, 0, false)
	closed, e := tab.Close(0)
	if e != 0 || closed.Kind != None {
		t.Fatalf("first close released %+v, %v", closed, e)
	}
	if tab.Get(0) != nil || tab.Get(1) == nil {
		t.Fatal("close of one dup closed the other")
	}
	closed, e = tab.Close(1)
	if e != 0 || closed.Kind != kindA || closed.Obj != 0 {
		t.Fatalf("last close released %+v, %v", closed, e)
	}
	if _, e := tab.Close(1); e != linux.EBADF {
		t.Errorf("second close: %v, want EBADF", e)
	}
	if _, e := tab.Close(5000); e != linux.EBADF {
		t.Errorf("close out of range: %v, want EBADF", e)
	}
}

func TestDupMin(t *testing.T) {
	tab := newTable(t, 3)
	fd, e := tab.DupMin(1, 10, true)
	if e != 0 || fd != 10 || !tab.CloseOnExec(10) || tab.CloseOnExec(1) {
		t.Fatalf("F_DUPFD_CLOEXEC = %d, %v; cloexec %v %v", fd, e, tab.CloseOnExec(10), tab.CloseOnExec(1))
	}
	if fd, _ := tab.DupMin(1, 10, false); fd != 11 {
		t.Errorf("F_DUPFD from 10 = %d, want 11", fd)
	}
	if _, e := tab.DupMin(7, 0, false); e != linux.EBADF {
		t.Errorf("dup of a closed fd: %v", e)
	}
	if _, e := tab.DupMin(0, MaxFDs, false); e != linux.EINVAL {
		t.Errorf("F_DUPFD at the limit: %v, want EINVAL", e)
	}
}

func TestDupTo(t *testing.T) {
	tab := newTable(t, 3)
	fd, closed, e := tab.DupTo(0, 2, true)
	if e != 0 || fd != 2 || closed.Kind != kindA || closed.Obj != 2 {
		t.Fatalf("dup2 over an open fd = %d, %+v, %v", fd, closed, e)
	}
	if tab.Get(2) != tab.Get(0) || !tab.CloseOnExec(2) {
		t.Error("dup3 O_CLOEXEC: not a cloexec copy of 0")
	}
	// Replacing one of two references releases nothing.
	if _, closed, _ := tab.DupTo(1, 2, false); closed.Kind != None {
		t.Errorf("released %+v while 0 still refers to it", closed)
	}
	if fd, _, e := tab.DupTo(1, 1, false); fd != 1 || e != 0 {
		t.Errorf("dup2(1, 1) = %d, %v", fd, e)
	}
	if _, _, e := tab.DupTo(9, 9, false); e != linux.EBADF {
		t.Errorf("dup2 of a closed fd to itself: %v, want EBADF", e)
	}
	if _, _, e := tab.DupTo(0, MaxFDs, false); e != linux.EBADF {
		t.Errorf("dup2 beyond the table: %v, want EBADF", e)
	}
	if fd, _, e := tab.DupTo(0, 700, false); fd != 700 || e != 0 || tab.High() != 701 {
		t.Errorf("dup2(0, 700) = %d, %v, high %d", fd, e, tab.High())
	}
}

func TestLimit(t *testing.T) {
	tab := newTable(t, 4)
	if e := tab.SetLimit(5, 4); e != linux.EINVAL {
		t.Errorf("cur above max: %v", e)
	}
	if e := tab.SetLimit(4, MaxFDs+1); e != linux.EPERM {
		t.Errorf("max above MaxFDs: %v", e)
	}
	if e := tab.SetLimit(5, 100); e != 0 || tab.Limit() != 5 || tab.HardLimit() != 100 {
		t.Fatalf("SetLimit: %v, %d %d", e, tab.Limit(), tab.HardLimit())
	}
	if fd, e := tab.Open(kindB, 0, 0, false); fd != 4 || e != 0 {
		t.Errorf("Open below the limit = %d, %v", fd, e)
	}
	if _, e := tab.Open(kindB, 0, 0, false); e != linux.EMFILE {
		t.Errorf("Open at the limit: %v, want EMFILE", e)
	}
	if _, e := tab.DupMin(0, 0, false); e != linux.EMFILE {
		t.Errorf("dup at the limit: %v, want EMFILE", e)
	}
	if _, e := tab.DupMin(0, 5, false); e != linux.EINVAL {
		t.Errorf("F_DUPFD at the limit: %v, want EINVAL", e)
	}
	if _, _, e := tab.DupTo(0, 5, false); e != linux.EBADF {
		t.Errorf("dup2 at the limit: %v, want EBADF", e)
	}
	// Lowering the limit leaves higher descriptors open.
	tab.SetLimit(2, 100)
	if tab.Get(3) == nil {
		t.Error("lowering the limit closed a descriptor")
	}
}

func TestFillsToMaxFDs(t *testing.T) {
	tab := newTable(t, MaxFDs)
	if _, e := tab.Open(kindA, 0, 0, false); e != linux.EMFILE {
		t.Errorf("full table: %v, want EMFILE", e)
	}
	tab.Close(MaxFDs - 1)
	if fd, _ := tab.DupMin(0, 0, false); fd != MaxFDs-1 {
		t.Errorf("dup into the last slot = %d", fd)
	}
}

func TestCloseOnExec(t *testing.T) {
	tab := newTable(t, 6)
	if e := tab.SetCloseOnExec(1, true); e != 0 || !tab.CloseOnExec(1) {
		t.Error("SetCloseOnExec")
	}
	if e := tab.SetCloseOnExec(8, true); e != linux.EBADF {
		t.Errorf("SetCloseOnExec of a closed fd: %v", e)
	}
	tab.Close(3)
	tab.RangeCloseOnExec(2, 4)
	for fd, want := range []bool{false, true, true, false, true, false} {
		if got := tab.CloseOnExec(uint64(fd)); got != want {
			t.Errorf("fd %d cloexec %v, want %v", fd, got, want)
		}
	}
	tab.RangeCloseOnExec(5, ^uint64(0))
	if !tab.CloseOnExec(5) {
		t.Error("open-ended range missed fd 5")
	}
}

func TestNext(t *testing.T) {
	tab := newTable(t, 4)
	tab.Close(1)
	tab.Close(2)
	var got []int
	for fd := tab.Next(0); fd >= 0; fd = tab.Next(fd + 1) {
		got = append(got, fd)
	}
	if len(got) != 2 || got[0] != 0 || got[1] != 3 {
		t.Errorf("open descriptors %v, want [0 3]", got)
	}
}

func TestNoAllocations(t *testing.T) {
	tab := new(Table)
	n := testing.AllocsPerRun(100, func() {
		fd, _ := tab.Open(kindA, 1, 0, false)
		d, _ := tab.DupMin(uint64(fd), 3, true)
		tab.DupTo(uint64(d), 9, false)
		SetFL(tab.Get(9), linux.O_NONBLOCK)
		tab.RangeCloseOnExec(0, 20)
		for fd := tab.Next(0); fd >= 0; fd = tab.Next(fd + 1) {
			tab.Close(uint64(fd))
		}
	})
	if n != 0 {
		t.Errorf("%v allocations per run", n)
	}
}
