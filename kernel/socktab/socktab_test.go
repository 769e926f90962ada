package socktab

import (
	"bytes"
	"testing"
)

// The rings wrap: bytes written across the end come back in order.
func TestCopyWraps(t *testing.T) {
	ring := make([]byte, RingSize)
	for _, pos := range []uint64{0, 1, RingSize - 3, RingSize, 5*RingSize - 1} {
		in := []byte("coracle rings wrap")
		CopyIn(ring, pos, in)
		out := make([]byte, len(in))
		CopyOut(out, ring, pos)
		if !bytes.Equal(in, out) {
			t.Errorf("at %d: got %q, want %q", pos, out, in)
		}
	}
}

// Alloc hands out free sockets only, reset, and each once.
func TestAlloc(t *testing.T) {
	for i := range Table {
		Table[i].State.Store(Free)
	}
	a := Alloc(2)
	Table[a].Rx.Tail.Store(99)
	Table[a].Err.Store(5)
	b := Alloc(10)
	if a < 0 || b < 0 || a == b {
		t.Fatalf("Alloc gave %d and %d", a, b)
	}
	if Table[b].Family != 10 || Table[b].State.Load() != Open {
		t.Errorf("socket %d: family %d state %d", b, Table[b].Family, Table[b].State.Load())
	}
	Table[a].State.Store(Free)
	if c := Alloc(2); c != a || Table[c].Rx.Tail.Load() != 0 || Table[c].Err.Load() != 0 {
		t.Errorf("reused socket %d (want %d) not reset: tail %d err %d", c, a, Table[c].Rx.Tail.Load(), Table[c].Err.Load())
	}
	for range MaxSockets - 2 {
		Alloc(2)
	}
	if d := Alloc(2); d != -1 {
		t.Errorf("Alloc with the table full = %d, want -1", d)
	}
}
