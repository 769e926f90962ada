package fdtable

import (
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

func TestHoldOutlivesDescriptors(t *testing.T) {
	var tab Table
	fd, _ := tab.Open(3, 7, linux.O_RDWR, false)
	i, e := tab.Hold(uint64(fd))
	if e != 0 {
		t.Fatal(e)
	}
	if closed, _ := tab.Close(uint64(fd)); closed.Kind != None {
		t.Fatal("closing the last descriptor freed a held description")
	}
	nfd, e := tab.Install(i, true)
	if e != 0 || nfd != fd || !tab.CloseOnExec(uint64(nfd)) || tab.Get(uint64(nfd)).Obj != 7 {
		t.Fatalf("Install: fd %d, %v", nfd, e)
	}
	if tab.Get(uint64(nfd)).Refs() != 1 {
		t.Errorf("refs %d after Install, want 1", tab.Get(uint64(nfd)).Refs())
	}
	i, _ = tab.Hold(uint64(nfd))
	tab.Close(uint64(nfd))
	if closed := tab.Drop(i); closed.Kind != 3 || closed.Obj != 7 {
		t.Errorf("the last Drop returned %+v", closed)
	}
	if _, e := tab.Hold(uint64(nfd)); e != linux.EBADF {
		t.Errorf("Hold of a closed descriptor: %v", e)
	}
}

func TestHoldLimit(t *testing.T) {
	var tab Table
	fd, _ := tab.Open(3, 1, 0, false)
	for range MaxHeld {
		if _, e := tab.Hold(uint64(fd)); e != 0 {
			t.Fatal(e)
		}
	}
	if _, e := tab.Hold(uint64(fd)); e != linux.ETOOMANYREFS {
		t.Errorf("past MaxHeld: %v, want ETOOMANYREFS", e)
	}
	// Every descriptor can still be opened: holds never take the
	// descriptions descriptors need.
	n := 1
	for {
		if _, e := tab.Open(3, 2, 0, false); e != 0 {
			if e != linux.EMFILE {
				t.Fatalf("Open: %v", e)
			}
			break
		}
		n++
	}
	if n != MaxFDs {
		t.Errorf("%d descriptors open, want %d", n, MaxFDs)
	}
}
