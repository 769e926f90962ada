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
	a := Alloc(2, Stream)
	Table[a].Rx.Tail.Store(99)
	Table[a].Err.Store(5)
	b := Alloc(10, Stream)
	if a < 0 || b < 0 || a == b {
		t.Fatalf("Alloc gave %d and %d", a, b)
	}
	if Table[b].Family != 10 || Table[b].State.Load() != Open {
		t.Errorf("socket %d: family %d state %d", b, Table[b].Family, Table[b].State.Load())
	}
	Table[a].State.Store(Free)
	if c := Alloc(2, Stream); c != a || Table[c].Rx.Tail.Load() != 0 || Table[c].Err.Load() != 0 {
		t.Errorf("reused socket %d (want %d) not reset: tail %d err %d", c, a, Table[c].Rx.Tail.Load(), Table[c].Err.Load())
	}
	for range MaxSockets - 2 {
		Alloc(2, Stream)
	}
	if d := Alloc(2, Stream); d != -1 {
		t.Errorf("Alloc with the table full = %d, want -1", d)
	}
}

func TestAddrUnmap4(t *testing.T) {
	a := Addr{Len: 16, Port: 80}
	a.IP[10], a.IP[11], a.IP[12], a.IP[15] = 0xff, 0xff, 10, 15
	a.Unmap4()
	if a.Len != 4 || a.IP != [16]byte{10, 0, 0, 15} || a.Port != 80 {
		t.Errorf("::ffff:10.0.0.15 unmapped to %+v", a)
	}
	v6 := Addr{Len: 16, IP: [16]byte{0x20, 0x01, 15: 1}}
	if v6.Unmap4(); v6.Len != 16 {
		t.Errorf("2001::1 changed to %+v", v6)
	}
	for _, u := range []Addr{{}, {Len: 4}, {Len: 16}} {
		if !u.Unspecified() {
			t.Errorf("%+v is the any-address", u)
		}
	}
	if (&Addr{Len: 4, IP: [16]byte{127, 0, 0, 1}}).Unspecified() {
		t.Error("127.0.0.1 reported unspecified")
	}
}

func TestDgramHeader(t *testing.T) {
	in := Addr{Len: 16, Port: 0xbeef}
	for i := range in.IP {
		in.IP[i] = byte(i + 1)
	}
	var h [DgramHeader]byte
	PutDgramHeader(&h, MaxDgram, &in)
	n, out := ParseDgramHeader(&h)
	if n != MaxDgram || out != in {
		t.Fatalf("round trip: got %d %+v, want %d %+v", n, out, MaxDgram, in)
	}
	if h[6] != 0xbe || h[7] != 0xef {
		t.Fatalf("port not big endian: % x", h[6:8])
	}
}
