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

// An empty ring's position moves to the start of its memory before the
// producer writes, and the consumer skips the gap: a message at a time
// stays in the first page.
func TestEmptyRingRestartsAtItsStart(t *testing.T) {
	var r Ring
	ring := make([]byte, RingSize)
	for i := range 5 {
		tail, room := r.Writable()
		if tail%RingSize != 0 || room != RingSize {
			t.Fatalf("message %d: writes at %d (offset %d) with room %d, want offset 0 and %d", i, tail, tail%RingSize, room, RingSize)
		}
		msg := []byte("GET / HTTP/1.1 #" + string(rune('0'+i)))
		CopyIn(ring, tail, msg)
		r.Tail.Store(tail + uint64(len(msg)))
		if u := r.Used(); u != uint64(len(msg)) {
			t.Fatalf("message %d: Used %d before the consumer skipped, want %d", i, u, len(msg))
		}
		if _, room := r.Writable(); room != RingSize-uint64(len(msg)) {
			t.Fatalf("message %d: room %d while unread, want %d", i, room, RingSize-uint64(len(msg)))
		}
		head, end := r.Readable()
		got := make([]byte, end-head)
		CopyOut(got, ring, head)
		if !bytes.Equal(got, msg) {
			t.Fatalf("message %d: read %q, want %q", i, got, msg)
		}
		r.Head.Store(end)
	}
}

// A producer that moves the position and then writes nothing leaves a
// ring that reads as empty; a ring with unread bytes is not moved.
func TestRingMovesOnlyWhenEmpty(t *testing.T) {
	var r Ring
	r.Head.Store(100)
	r.Tail.Store(100)
	tail, _ := r.Writable()
	if tail != RingSize {
		t.Fatalf("empty ring at 100: writes at %d, want %d", tail, RingSize)
	}
	if head, end := r.Readable(); head != end || r.Used() != 0 {
		t.Fatalf("moved but unwritten: Readable %d..%d, Used %d; want empty", head, end, r.Used())
	}
	r.Tail.Store(tail + 10) // now write
	r.Head.Store(RingSize + 3)
	r.Start.Store(RingSize)
	if tail, room := r.Writable(); tail != RingSize+10 || room != RingSize-7 {
		t.Fatalf("7 bytes unread: Writable %d, %d; want %d, %d", tail, room, RingSize+10, RingSize-7)
	}
}

// A producer and a consumer on their own goroutines, with reads and
// writes of every size: the byte stream arrives whole and in order.
func TestRingStreamConcurrent(t *testing.T) {
	var r Ring
	ring := make([]byte, RingSize)
	const total = 4 << 20
	done := make(chan []byte)
	go func() {
		var got []byte
		buf := make([]byte, 5000)
		for len(got) < total {
			head, tail := r.Readable()
			n := min(tail-head, uint64(len(buf)), uint64(len(got)%4999+1))
			CopyOut(buf[:n], ring, head)
			got = append(got, buf[:n]...)
			r.Head.Store(head + n)
		}
		done <- got
	}()
	sent := 0
	for sent < total {
		tail, room := r.Writable()
		n := min(int(room), total-sent, sent%7001+1)
		b := make([]byte, n)
		for i := range b {
			b[i] = byte((sent + i) * 31 >> 3)
		}
		CopyIn(ring, tail, b)
		r.Tail.Store(tail + uint64(n))
		sent += n
	}
	got := <-done
	for i, c := range got {
		if c != byte(i*31>>3) {
			t.Fatalf("byte %d is %d, want %d", i, c, byte(i*31>>3))
		}
	}
}
