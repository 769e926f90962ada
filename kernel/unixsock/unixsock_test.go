package unixsock

import (
	"bytes"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// mem is a Memory of plain pages, named 1, 2, ...
type mem struct{ pages map[uint64]*[PageSize]byte }

func (m *mem) Page(pa uint64) *[PageSize]byte { return m.pages[pa] }

type fixture struct {
	t    *testing.T
	tab  Table
	m    mem
	next uint64
}

func newFixture(t *testing.T) *fixture {
	return &fixture{t: t, m: mem{pages: map[uint64]*[PageSize]byte{}}}
}

func (f *fixture) open(typ Type) ID {
	id := f.tab.FreeSlot()
	if id == None {
		f.t.Fatal("table full")
	}
	var p [Pages]uint64
	for i := range p {
		f.next++
		p[i] = f.next
		f.m.pages[f.next] = new([PageSize]byte)
	}
	f.tab.Init(id, typ, &p)
	return id
}

func (f *fixture) send(id ID, b []byte) int {
	room, e := f.tab.StreamSend(id)
	if e != 0 {
		f.t.Fatalf("StreamSend: %v", e)
	}
	return f.tab.Put(id, &f.m, b[:min(len(b), room)])
}

func (f *fixture) recv(id ID, n int) ([]byte, linux.Errno) {
	avail, eof, e := f.tab.StreamRecv(id)
	if e != 0 || eof {
		return nil, e
	}
	b := make([]byte, min(n, avail))
	k := f.tab.Peek(id, &f.m, 0, b)
	f.tab.Consume(id, k)
	return b[:k], 0
}

func (f *fixture) listen(typ Type, name string, backlog int) ID {
	l := f.open(typ)
	n := AbstractName([]byte("\x00" + name))
	if e := f.tab.Bind(l, &n); e != 0 {
		f.t.Fatal(e)
	}
	if e := f.tab.Listen(l, backlog); e != 0 {
		f.t.Fatal(e)
	}
	return l
}

func (f *fixture) connect(c, l ID) ID {
	if e := f.tab.CanConnect(c, l); e != 0 {
		f.t.Fatalf("CanConnect: %v", e)
	}
	child := f.open(f.tab.Type(c))
	f.tab.Connect(c, l, child)
	return child
}

func TestStreamConnectAcceptTransfer(t *testing.T) {
	f := newFixture(t)
	l := f.listen(Stream, "srv", 1)
	if ev := f.tab.Events(l); ev != 0 {
		t.Errorf("idle listener events %#x, want 0", ev)
	}
	c := f.open(Stream)
	if ev := f.tab.Events(c); ev != linux.EPOLLOUT|linux.EPOLLHUP {
		t.Errorf("unconnected stream events %#x, want OUT|HUP", ev)
	}
	child := f.connect(c, l)
	if f.tab.Events(l)&linux.EPOLLIN == 0 {
		t.Error("listener with a queued connection is not readable")
	}
	// The client may write before the server accepts.
	if n := f.send(c, []byte("hello")); n != 5 {
		t.Fatalf("sent %d", n)
	}
	a, e := f.tab.Accept(l)
	if e != 0 || a != child {
		t.Fatalf("Accept = %d, %v; want %d", a, e, child)
	}
	if _, e := f.tab.Accept(l); e != linux.EAGAIN {
		t.Errorf("empty accept: %v, want EAGAIN", e)
	}
	if got, _ := f.recv(a, 3); string(got) != "hel" {
		t.Errorf("read %q", got)
	}
	if got, _ := f.recv(a, 10); string(got) != "lo" {
		t.Errorf("read %q", got)
	}
	if _, e := f.recv(a, 10); e != linux.EAGAIN {
		t.Errorf("empty read: %v", e)
	}
	pn, _ := f.tab.PeerName(c)
	if pn.SockaddrLen() != 2+4 || f.tab.Name(a).SockaddrLen() != 6 {
		t.Errorf("names: peer %d, accepted %d", pn.SockaddrLen(), f.tab.Name(a).SockaddrLen())
	}
	if an, _ := f.tab.PeerName(a); an.Bound() {
		t.Error("the unbound client has a name")
	}
}

func TestBacklog(t *testing.T) {
	f := newFixture(t)
	l := f.listen(Stream, "b", 1)
	f.connect(f.open(Stream), l)
	f.connect(f.open(Stream), l) // backlog 1 queues two, as Linux
	if e := f.tab.CanConnect(f.open(Stream), l); e != linux.EAGAIN {
		t.Errorf("third connect: %v, want EAGAIN", e)
	}
	if e := f.tab.CanConnect(f.open(Dgram), l); e != linux.EPROTOTYPE {
		t.Errorf("datagram to stream: %v, want EPROTOTYPE", e)
	}
	if e := f.tab.CanConnect(f.open(Stream), None); e != linux.ECONNREFUSED {
		t.Errorf("nobody: %v", e)
	}
	b := f.open(Stream)
	n := AbstractName([]byte("\x00notlistening"))
	f.tab.Bind(b, &n)
	if e := f.tab.CanConnect(f.open(Stream), b); e != linux.ECONNREFUSED {
		t.Errorf("bound, not listening: %v", e)
	}
}

func TestCloseResetsPeer(t *testing.T) {
	f := newFixture(t)
	a, b := f.open(Stream), f.open(Stream)
	f.tab.Pair(a, b)
	f.send(a, []byte("x"))
	// b closes with data unread: a gets ECONNRESET once, then EOF.
	if p := f.tab.Close(b); p != a {
		t.Fatalf("Close returned %d", p)
	}
	ev := f.tab.Events(a)
	if want := uint32(linux.EPOLLERR | linux.EPOLLHUP | linux.EPOLLRDHUP | linux.EPOLLIN | linux.EPOLLOUT); ev != want {
		t.Errorf("events %#x, want %#x", ev, want)
	}
	if _, e := f.recv(a, 1); e != linux.ECONNRESET {
		t.Errorf("first read: %v", e)
	}
	if _, eof, e := f.tab.StreamRecv(a); !eof || e != 0 {
		t.Errorf("second read: eof %v, %v", eof, e)
	}
	if _, e := f.tab.StreamSend(a); e != linux.EPIPE {
		t.Errorf("write: %v", e)
	}
}

func TestListenerCloseResetsQueued(t *testing.T) {
	f := newFixture(t)
	l := f.listen(Stream, "q", 4)
	c := f.open(Stream)
	f.connect(c, l)
	for e := f.tab.TakeQueued(l); e != None; e = f.tab.TakeQueued(l) {
		f.tab.Close(e)
	}
	f.tab.Close(l)
	if _, e := f.recv(c, 1); e != linux.ECONNRESET {
		t.Errorf("queued client's read: %v, want ECONNRESET", e)
	}
}

func TestCloseWithoutDataIsEOF(t *testing.T) {
	f := newFixture(t)
	a, b := f.open(Stream), f.open(Stream)
	f.tab.Pair(a, b)
	f.send(b, []byte("data"))
	f.tab.Close(b)
	if got, e := f.recv(a, 10); string(got) != "data" || e != 0 {
		t.Errorf("read %q, %v", got, e)
	}
	if _, eof, e := f.tab.StreamRecv(a); !eof || e != 0 {
		t.Errorf("then eof %v, %v", eof, e)
	}
}

func TestShutdown(t *testing.T) {
	f := newFixture(t)
	a, b := f.open(Stream), f.open(Stream)
	f.tab.Pair(a, b)
	if _, e := f.tab.Shut(a, 3); e != linux.EINVAL {
		t.Errorf("how 3: %v", e)
	}
	if p, e := f.tab.Shut(a, linux.SHUT_WR); p != b || e != 0 {
		t.Fatal(p, e)
	}
	if _, e := f.tab.StreamSend(a); e != linux.EPIPE {
		t.Errorf("write after SHUT_WR: %v", e)
	}
	if _, eof, _ := f.tab.StreamRecv(b); !eof {
		t.Error("peer does not see EOF")
	}
	if ev := f.tab.Events(b); ev != linux.EPOLLIN|linux.EPOLLRDHUP|linux.EPOLLOUT {
		t.Errorf("peer events %#x", ev)
	}
	f.tab.Shut(b, linux.SHUT_WR)
	if ev := f.tab.Events(a); ev&linux.EPOLLHUP == 0 {
		t.Errorf("both ways shut: %#x lacks HUP", ev)
	}
}

func TestStreamFlowControl(t *testing.T) {
	f := newFixture(t)
	a, b := f.open(Stream), f.open(Stream)
	f.tab.Pair(a, b)
	big := bytes.Repeat([]byte{7}, Capacity+100)
	if n := f.send(a, big); n != Capacity {
		t.Fatalf("sent %d", n)
	}
	if room, _ := f.tab.StreamSend(a); room != 0 {
		t.Errorf("room %d in a full ring", room)
	}
	if f.tab.Events(a)&linux.EPOLLOUT != 0 {
		t.Error("writable with the peer's ring full")
	}
	f.recv(b, writableRoom)
	if f.tab.Events(a)&linux.EPOLLOUT == 0 {
		t.Error("not writable with a quarter free")
	}
}

func TestDatagrams(t *testing.T) {
	f := newFixture(t)
	r := f.open(Dgram)
	rn := PathName([]byte("/tmp/r"), 42)
	f.tab.Bind(r, &rn)
	s := f.open(Dgram)
	sn := AbstractName([]byte("\x00s"))
	f.tab.Bind(s, &sn)
	for _, m := range []string{"one", "", "three"} {
		to, e := f.tab.MsgSend(s, f.tab.Lookup(&rn, Dgram), true, len(m))
		if e != 0 || to != r {
			t.Fatalf("MsgSend: %d %v", to, e)
		}
		f.tab.PutMsgHeader(to, s, &f.m, len(m))
		f.tab.PutMsg(to, &f.m, []byte(m))
	}
	if got := f.tab.Queued(r, &f.m); got != 3 {
		t.Errorf("FIONREAD %d", got)
	}
	for _, want := range []string{"one", "", "three"} {
		if eof, e := f.tab.MsgRecv(r); eof || e != 0 {
			t.Fatal(eof, e)
		}
		size, off, ok := f.tab.NextMsg(r, &f.m)
		from := f.tab.MsgSender(r, &f.m)
		b := make([]byte, 2) // cut short, as MSG_TRUNC reports
		n := f.tab.Peek(r, &f.m, off, b[:min(2, size)])
		if !ok || size != len(want) || string(b[:n]) != want[:min(2, len(want))] || !from.same(&sn) {
			t.Errorf("message %q: size %d, %q, from %q", want, size, b[:n], from.b[:from.n])
		}
		f.tab.DropMsg(r, &f.m)
	}
	if _, e := f.tab.MsgRecv(r); e != linux.EAGAIN {
		t.Errorf("empty: %v", e)
	}
	// Connected elsewhere: EPERM for others; the peer closing is
	// ECONNREFUSED at the next send, which disconnects.
	other := f.open(Dgram)
	f.tab.ConnectDgram(r, other, false)
	if _, e := f.tab.MsgSend(s, r, true, 1); e != linux.EPERM {
		t.Errorf("send to a socket connected elsewhere: %v", e)
	}
	f.tab.Close(other)
	if _, e := f.tab.MsgSend(r, None, false, 1); e != linux.ECONNREFUSED {
		t.Errorf("send to a closed peer: %v", e)
	}
	if _, e := f.tab.MsgSend(r, None, false, 1); e != linux.ENOTCONN {
		t.Errorf("then: %v", e)
	}
	if _, e := f.tab.MsgSend(s, None, false, MaxMsg+1); e != linux.EMSGSIZE {
		t.Errorf("too big: %v", e)
	}
}

func TestSeqPacketEOF(t *testing.T) {
	f := newFixture(t)
	a, b := f.open(SeqPacket), f.open(SeqPacket)
	f.tab.Pair(a, b)
	to, e := f.tab.MsgSend(a, None, false, 4)
	if e != 0 || to != b {
		t.Fatal(to, e)
	}
	f.tab.PutMsgHeader(to, a, &f.m, 4)
	f.tab.PutMsg(to, &f.m, []byte("abcd"))
	f.tab.Close(a)
	if _, e := f.tab.MsgRecv(b); e != 0 {
		t.Fatal(e)
	}
	f.tab.DropMsg(b, &f.m)
	if eof, e := f.tab.MsgRecv(b); !eof || e != 0 {
		t.Errorf("after the message: eof %v %v", eof, e)
	}
	if _, e := f.tab.MsgSend(b, None, false, 1); e != linux.EPIPE {
		t.Errorf("send to closed: %v", e)
	}
}

func TestNames(t *testing.T) {
	f := newFixture(t)
	a, b := f.open(Stream), f.open(Stream)
	if e := f.tab.Autobind(a); e != 0 || f.tab.Name(a).SockaddrLen() != 8 {
		t.Fatalf("autobind: %v, len %d", e, f.tab.Name(a).SockaddrLen())
	}
	n := *f.tab.Name(a)
	if e := f.tab.Bind(b, &n); e != linux.EADDRINUSE {
		t.Errorf("same abstract name: %v", e)
	}
	d := f.open(Dgram)
	if e := f.tab.Bind(d, &n); e != 0 {
		t.Errorf("same abstract name, another type: %v", e)
	}
	if f.tab.Lookup(&n, Stream) != a || f.tab.Lookup(&n, Dgram) != d || f.tab.Lookup(&n, SeqPacket) != None {
		t.Error("abstract names are not per type")
	}
	p := PathName([]byte("/tmp/s"), 9)
	if e := f.tab.Bind(a, &p); e != linux.EINVAL {
		t.Errorf("second bind: %v", e)
	}
	var out [120]byte
	if l := p.PutSockaddr(out[:]); l != 2+6+1 || string(out[2:8]) != "/tmp/s" || out[8] != 0 {
		t.Errorf("path sockaddr %d %q", l, out[:l])
	}
	for _, c := range []struct {
		in       string
		path, ab string
		e        linux.Errno
	}{
		{"\x01\x00/a\x00junk", "/a", "", 0},
		{"\x01\x00/abc", "/abc", "", 0},
		{"\x01\x00\x00ab\x00", "", "\x00ab\x00", 0},
		{"\x01\x00", "", "", 0},
		{"\x02\x00/a", "", "", linux.EINVAL},
		{"\x01", "", "", linux.EINVAL},
	} {
		path, ab, e := ParseSockaddr([]byte(c.in))
		if string(path) != c.path || string(ab) != c.ab || e != c.e {
			t.Errorf("ParseSockaddr(%q) = %q, %q, %v", c.in, path, ab, e)
		}
	}
}

func TestRingWraps(t *testing.T) {
	f := newFixture(t)
	a, b := f.open(Stream), f.open(Stream)
	f.tab.Pair(a, b)
	var want, got []byte
	for i := range 50 {
		chunk := bytes.Repeat([]byte{byte(i)}, 5000+i)
		f.send(a, chunk)
		want = append(want, chunk...)
		r, _ := f.recv(b, 7000)
		got = append(got, r...)
	}
	for {
		r, e := f.recv(b, 7000)
		if e != 0 {
			break
		}
		got = append(got, r...)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%d bytes out, %d in, differ", len(got), len(want))
	}
}

func TestNoAllocations(t *testing.T) {
	f := newFixture(t)
	a, b := f.open(Dgram), f.open(Dgram)
	f.tab.Pair(a, b)
	buf := make([]byte, 64)
	allocs := testing.AllocsPerRun(100, func() {
		to, _ := f.tab.MsgSend(a, None, false, len(buf))
		f.tab.PutMsgHeader(to, a, &f.m, len(buf))
		f.tab.PutMsg(to, &f.m, buf)
		_, off, _ := f.tab.NextMsg(b, &f.m)
		f.tab.Peek(b, &f.m, off, buf)
		f.tab.DropMsg(b, &f.m)
		_ = f.tab.Events(a)
	})
	if allocs != 0 {
		t.Errorf("%v allocations", allocs)
	}
}
