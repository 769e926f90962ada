package unixsock

import "github.com/coracle-os/coracle/kernel/abi/linux"

const (
	// MaxSockets is how many sockets may exist at once (ENFILE
	// beyond).
	MaxSockets = 128
	// MaxBacklog is how many connections a listener can queue: listen
	// caps the backlog at MaxBacklog-1, since Linux queues one more
	// than the backlog.
	MaxBacklog = 64
	// DefaultBuf is SO_SNDBUF and SO_RCVBUF as a socket starts
	// (net.core.wmem_default and rmem_default).
	DefaultBuf = 212992
	// minSndBuf and minRcvBuf are the least SO_SNDBUF and SO_RCVBUF
	// take (SOCK_MIN_SNDBUF, SOCK_MIN_RCVBUF on x86-64).
	minSndBuf = 4608
	minRcvBuf = 2304
)

// A Type is a socket type, by its Linux number.
type Type uint8

// The socket types.
const (
	Stream    Type = linux.SOCK_STREAM
	Dgram     Type = linux.SOCK_DGRAM
	SeqPacket Type = linux.SOCK_SEQPACKET
)

// connected reports whether sockets of type t connect to a listener.
func (t Type) connected() bool { return t != Dgram }

// A State is where a socket is in its life.
type State uint8

// The states.
const (
	Free        State = iota // not a socket
	Unconnected              // made, not listening, no peer
	Listening                // listen was called
	Connected                // has a peer (a datagram socket: a default destination)
)

// The shutdown bits, as Linux's sk_shutdown.
const (
	RcvShutdown  = 1
	SendShutdown = 2
	bothShutdown = RcvShutdown | SendShutdown
)

// An ID names a socket: its index in the Table, or -1 for none.
type ID int

// None is no socket.
const None ID = -1

// Socket is one socket's state. It holds no pointer: the peer and the
// queued connections are indices, the buffers page addresses.
type Socket struct {
	typ   Type
	state State
	shut  uint8
	// deadPeer: a datagram socket's peer closed; the next send
	// answers ECONNREFUSED and disconnects.
	deadPeer bool
	// queued: a connection waiting on a listener's queue for accept.
	queued   bool
	passcred bool
	// peer is the peer's index plus one, 0 when there is none (not
	// connected, or the peer closed).
	peer int16
	err  linux.Errno // pending error (SO_ERROR)

	name, peerName Name

	// A listener's queue of connections, oldest first.
	backlog     int16
	qhead, qlen int16
	queue       [MaxBacklog]int16

	rx   ring
	msgs int32 // messages queued (datagram and sequenced-packet sockets)

	sndbuf, rcvbuf int32
	opts           uint32 // option bits the kernel keeps (SO_REUSEADDR, ...)
}

// A Table holds every socket and the names bound to them.
type Table struct {
	socks [MaxSockets]Socket
	// nextAuto numbers autobind's abstract names.
	nextAuto uint32
}

func (t *Table) s(id ID) *Socket { return &t.socks[id] }

// Valid reports whether id names a socket.
func (t *Table) Valid(id ID) bool {
	return id >= 0 && int(id) < MaxSockets && t.socks[id].state != Free
}

// FreeSlot returns an unused ID, or None when MaxSockets exist.
func (t *Table) FreeSlot() ID {
	for i := range t.socks {
		if t.socks[i].state == Free {
			return ID(i)
		}
	}
	return None
}

// Init makes free slot id an unconnected socket of type typ whose
// receive ring is the pages given.
func (t *Table) Init(id ID, typ Type, pages *[Pages]uint64) {
	t.socks[id] = Socket{typ: typ, state: Unconnected, rx: ring{pages: *pages}, sndbuf: DefaultBuf, rcvbuf: DefaultBuf}
}

// Pages are socket id's buffer pages, for the kernel to free at Close.
func (t *Table) Pages(id ID) *[Pages]uint64 { return &t.s(id).rx.pages }

// Type is socket id's type.
func (t *Table) Type(id ID) Type { return t.s(id).typ }

// State is socket id's state.
func (t *Table) State(id ID) State { return t.s(id).state }

// Shutdown is socket id's shutdown bits.
func (t *Table) Shutdown(id ID) uint8 { return t.s(id).shut }

// Peer is the socket id is connected to, or None (not connected, or the
// peer closed).
func (t *Table) Peer(id ID) ID { return ID(t.s(id).peer) - 1 }

// Name is socket id's own name.
func (t *Table) Name(id ID) *Name { return &t.s(id).name }

// PeerName is the name of socket id's peer as it was when they
// connected; ENOTCONN when id is not connected.
func (t *Table) PeerName(id ID) (*Name, linux.Errno) {
	s := t.s(id)
	if s.state != Connected {
		return nil, linux.ENOTCONN
	}
	return &s.peerName, 0
}

// TakeError returns and clears socket id's pending error (SO_ERROR).
func (t *Table) TakeError(id ID) linux.Errno {
	s := t.s(id)
	e := s.err
	s.err = 0
	return e
}

// Lookup finds the socket bound to name n, or None: a path's socket
// of any type (connect then answers EPROTOTYPE for the wrong one), an
// abstract name's of type typ only, since Linux keeps the abstract
// namespace per socket type.
func (t *Table) Lookup(n *Name, typ Type) ID {
	for i := range t.socks {
		s := &t.socks[i]
		if s.state != Free && s.name.Bound() && s.name.same(n) && (n.path || s.typ == typ) {
			return ID(i)
		}
	}
	return None
}

// Bind gives socket id the name n: EINVAL if it has one, EADDRINUSE if
// another socket of its type holds an abstract n. A path's inode is new (the kernel
// makes it, EADDRINUSE if the path exists), so a socket still bound to
// a stale inode of that number (its file was removed) loses the name.
func (t *Table) Bind(id ID, n *Name) linux.Errno {
	s := t.s(id)
	if s.name.Bound() {
		return linux.EINVAL
	}
	if other := t.Lookup(n, s.typ); other != None {
		if n.ino == 0 {
			return linux.EADDRINUSE
		}
		t.socks[other].name.ino = 0 // the file went; the name is unreachable
	}
	s.name = *n
	return 0
}

// Autobind gives socket id, if it has no name, an abstract name of five
// hexadecimal digits, as Linux's autobind does.
func (t *Table) Autobind(id ID) linux.Errno {
	if t.s(id).name.Bound() {
		return 0
	}
	const hex = "0123456789abcdef"
	for range 1 << 20 {
		v := t.nextAuto & (1<<20 - 1)
		t.nextAuto++
		var b [6]byte
		for i := 5; i > 0; i-- {
			b[i] = hex[v&15]
			v >>= 4
		}
		n := AbstractName(b[:])
		if t.Lookup(&n, t.s(id).typ) == None {
			t.s(id).name = n
			return 0
		}
	}
	return linux.EADDRINUSE
}

// Listen makes socket id a listener with the given backlog, or changes
// its backlog: EOPNOTSUPP for datagram sockets, EINVAL for a socket
// with no name or one connected.
func (t *Table) Listen(id ID, backlog int) linux.Errno {
	s := t.s(id)
	switch {
	case !s.typ.connected():
		return linux.EOPNOTSUPP
	case !s.name.Bound(), s.state != Unconnected && s.state != Listening:
		return linux.EINVAL
	}
	s.backlog = int16(min(max(backlog, 0), MaxBacklog-1))
	s.state = Listening
	return 0
}

// CanConnect says whether socket id may connect to the socket found at
// its name, target (None: nothing bound there), in Linux's order:
// ECONNREFUSED when no listener is there (or it is shut down for
// receiving), EPROTOTYPE for another type, EAGAIN when the listener's
// queue is full, then EISCONN when id is connected and EINVAL when it
// listens. On 0 the kernel makes the socket that accept will return and
// calls Connect.
func (t *Table) CanConnect(id, target ID) linux.Errno {
	s := t.s(id)
	if target == None {
		return linux.ECONNREFUSED
	}
	l := t.s(target)
	switch {
	case l.typ != s.typ:
		return linux.EPROTOTYPE
	case l.state != Listening, l.shut&RcvShutdown != 0:
		return linux.ECONNREFUSED
	case l.qlen > l.backlog:
		return linux.EAGAIN
	}
	switch s.state {
	case Connected:
		return linux.EISCONN
	case Listening:
		return linux.EINVAL
	}
	return 0
}

// Connect connects socket id to the listener target, through child, a
// socket the kernel has just made (Init) of id's type: child takes the
// listener's name, is connected to id and waits on the listener's queue
// for accept. CanConnect must have answered 0.
func (t *Table) Connect(id, target, child ID) {
	s, l, c := t.s(id), t.s(target), t.s(child)
	c.state, c.peer, c.name, c.peerName, c.queued = Connected, int16(id)+1, l.name, s.name, true
	c.passcred = l.passcred
	s.state, s.peer, s.peerName = Connected, int16(child)+1, l.name
	l.queue[(l.qhead+l.qlen)%MaxBacklog] = int16(child)
	l.qlen++
}

// Pair connects sockets a and b, both just made, to each other
// (socketpair).
func (t *Table) Pair(a, b ID) {
	sa, sb := t.s(a), t.s(b)
	sa.state, sa.peer = Connected, int16(b)+1
	sb.state, sb.peer = Connected, int16(a)+1
}

// Pending is the number of connections queued on listener id.
func (t *Table) Pending(id ID) int { return int(t.s(id).qlen) }

// Accept takes the oldest connection queued on listener id: EINVAL if
// id does not listen, EAGAIN if nothing is queued.
func (t *Table) Accept(id ID) (ID, linux.Errno) {
	l := t.s(id)
	if l.state != Listening {
		return None, linux.EINVAL
	}
	if l.qlen == 0 {
		return None, linux.EAGAIN
	}
	c := ID(l.queue[l.qhead])
	l.qhead = (l.qhead + 1) % MaxBacklog
	l.qlen--
	t.s(c).queued = false
	return c, 0
}

// TakeQueued takes the oldest connection queued on listener id, which
// is closing: the connection stays marked as never accepted, so that
// closing it resets its client (ECONNRESET). None when nothing is
// queued.
func (t *Table) TakeQueued(id ID) ID {
	l := t.s(id)
	if l.state != Listening || l.qlen == 0 {
		return None
	}
	c := ID(l.queue[l.qhead])
	l.qhead = (l.qhead + 1) % MaxBacklog
	l.qlen--
	return c
}

// Unaccept puts connection c back at the head of listener id's queue,
// where Accept took it from (the kernel had no descriptor for it).
func (t *Table) Unaccept(id, c ID) {
	l := t.s(id)
	l.qhead = (l.qhead + MaxBacklog - 1) % MaxBacklog
	l.queue[l.qhead] = int16(c)
	l.qlen++
	t.s(c).queued = true
}

// ConnectDgram sets datagram socket id's default destination to target
// (None with unspec: disconnect): EPROTOTYPE for a socket of another
// type, ECONNREFUSED when nothing is bound there, EPERM when target is
// connected to another socket. A change of peer drops what id had
// received and, if the old peer was connected back to id, leaves it
// ECONNRESET pending, as Linux's unix_dgram_disconnected does. It
// returns the old peer, whose state changed, or None.
func (t *Table) ConnectDgram(id, target ID, unspec bool) (ID, linux.Errno) {
	s := t.s(id)
	if !unspec {
		switch {
		case target == None:
			return None, linux.ECONNREFUSED
		case t.s(target).typ != s.typ:
			return None, linux.EPROTOTYPE
		case !t.maySend(id, target):
			return None, linux.EPERM
		}
	}
	old := ID(s.peer) - 1
	if unspec {
		s.state, s.peer, s.deadPeer, s.peerName = Unconnected, 0, false, Name{}
	} else {
		s.state, s.peer, s.deadPeer, s.peerName = Connected, int16(target)+1, false, t.s(target).name
	}
	if old != None && old != target {
		t.disconnected(id, old)
		return old, 0
	}
	return None, 0
}

// disconnected drops what datagram socket id received once its peer
// old is no longer its peer, leaving ECONNRESET on old if it was
// connected back.
func (t *Table) disconnected(id, old ID) {
	s := t.s(id)
	if s.rx.len() == 0 {
		return
	}
	s.rx.drop(s.rx.len())
	s.msgs = 0
	if old != None && t.s(old).state != Free && ID(t.s(old).peer)-1 == id {
		t.s(old).err = linux.ECONNRESET
	}
}

// maySend reports whether datagram socket id may send to target: target
// is not connected, or connected to id (Linux's unix_may_send).
func (t *Table) maySend(id, target ID) bool {
	p := ID(t.s(target).peer) - 1
	return t.s(target).peer == 0 && !t.s(target).deadPeer || p == id
}

// Shut is shutdown(2) with Linux's how (SHUT_RD, SHUT_WR, SHUT_RDWR):
// EINVAL for another value. A connected stream or sequenced-packet
// socket's peer gets the opposite bits; the peer, or None, is returned
// for the kernel to report its change.
func (t *Table) Shut(id ID, how uint64) (ID, linux.Errno) {
	if how > linux.SHUT_RDWR {
		return None, linux.EINVAL
	}
	mode := uint8(how+1) & bothShutdown
	s := t.s(id)
	s.shut |= mode
	p := ID(s.peer) - 1
	if !s.typ.connected() || p == None {
		return None, 0
	}
	var pm uint8
	if mode&RcvShutdown != 0 {
		pm |= SendShutdown
	}
	if mode&SendShutdown != 0 {
		pm |= RcvShutdown
	}
	t.s(p).shut |= pm
	return p, 0
}

// Close frees socket id (the kernel first closes the connections queued
// on a listener, which it takes with TakeQueued, and afterwards frees the
// pages). A connected stream or sequenced-packet socket's peer is shut
// down both ways and, if id left data unread or was never accepted,
// gets ECONNRESET; a datagram socket's peers learn at their next send.
// It returns the peer, or None, for the kernel to report its change.
func (t *Table) Close(id ID) ID {
	s := t.s(id)
	p := ID(s.peer) - 1
	if p != None && s.typ.connected() {
		ps := t.s(p)
		ps.shut = bothShutdown
		if s.rx.len() > 0 || s.queued {
			ps.err = linux.ECONNRESET
		}
		ps.peer = 0
	}
	if !s.typ.connected() {
		for i := range t.socks {
			if o := &t.socks[i]; o.state != Free && ID(o.peer)-1 == id {
				o.peer, o.deadPeer = 0, true
			}
		}
		if p != None && ID(t.s(p).peer)-1 != id {
			p = None // nothing of p's changes
		}
	}
	t.socks[id] = Socket{}
	return p
}

// SetPasscred sets or clears SO_PASSCRED; Passcred reads it.
func (t *Table) SetPasscred(id ID, on bool) { t.s(id).passcred = on }

// Passcred reports SO_PASSCRED.
func (t *Table) Passcred(id ID) bool { return t.s(id).passcred }

// Opts and SetOpts are option bits the kernel keeps for the socket.
func (t *Table) Opts(id ID) uint32 { return t.s(id).opts }

// SetOpts replaces the option bits the kernel keeps.
func (t *Table) SetOpts(id ID, o uint32) { t.s(id).opts = o }

// SetBuf sets SO_SNDBUF (snd) or SO_RCVBUF to v as Linux does: capped at
// DefaultBuf (net.core.wmem_max and rmem_max), doubled for the kernel's
// overhead, and at least the minimum. The receive ring's size does not
// change; the values are what getsockopt reports.
func (t *Table) SetBuf(id ID, snd bool, v int32) {
	v = min(max(v, 0), DefaultBuf) * 2
	if snd {
		t.s(id).sndbuf = max(v, minSndBuf)
	} else {
		t.s(id).rcvbuf = max(v, minRcvBuf)
	}
}

// Buf is SO_SNDBUF (snd) or SO_RCVBUF.
func (t *Table) Buf(id ID, snd bool) int32 {
	if snd {
		return t.s(id).sndbuf
	}
	return t.s(id).rcvbuf
}

// HasCreds reports whether SO_PEERCRED has a peer's credentials: a
// connected socket's (its peer's when they connected) and a listener's
// (its own, from listen).
func (t *Table) HasCreds(id ID) bool {
	s := t.s(id)
	return s.typ.connected() && (s.state == Connected || s.state == Listening)
}
