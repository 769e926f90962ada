package netlink

import (
	"github.com/coracle-os/coracle/kernel/abi/iftab"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// Limits.
const (
	MaxSockets = 16
	// QueueLen is how many replies wait on a socket; past it, requests
	// are dropped and the next receive answers ENOBUFS, as a full
	// receive queue does on Linux.
	QueueLen = 8
	// DatagramSize bounds one received datagram of a dump: NLMSG_GOODSIZE
	// on x86-64, a page less struct skb_shared_info, which is what Linux
	// fills before the program's first receive.
	DatagramSize = 4096 - 320
	// SendMax bounds what one sendmsg may carry (gathered into the
	// socket's buffer); EMSGSIZE past it.
	SendMax = DatagramSize
)

// ID names a socket; None is no socket.
type ID int32

const None ID = -1

// reply is one entry of a socket's receive queue.
type reply struct {
	kind   uint8
	family uint8       // a dump's address family
	errno  linux.Errno // kindError
	req    Header      // the request answered
	next   int         // a dump's next item
}

const (
	kindError = 1 + iota // NLMSG_ERROR (an acknowledgement if errno is 0)
	kindDump             // RTM_GETLINK or RTM_GETADDR dump (req.Type)
)

// Socket is one NETLINK_ROUTE socket.
type Socket struct {
	used    bool
	bound   bool
	port    uint32
	groups  uint32
	overrun bool // replies were dropped: the next receive answers ENOBUFS
	head, n int
	next    int // the dump item after the datagram Receive encoded last
	queue   [QueueLen]reply
	buf     [DatagramSize]byte // the datagram being received; or a request being sent
}

// Table holds every socket. Its zero value is ready.
type Table struct {
	socks [MaxSockets]Socket
	rover uint32 // the next port autobind tries after the process's own
}

// Open makes a socket, or returns None when all are in use.
func (t *Table) Open() ID {
	for i := range t.socks {
		if s := &t.socks[i]; !s.used {
			s.used, s.bound, s.port, s.groups, s.overrun, s.head, s.n = true, false, 0, 0, false, 0, 0
			return ID(i)
		}
	}
	return None
}

// Valid reports whether id names an open socket.
func (t *Table) Valid(id ID) bool { return id >= 0 && int(id) < MaxSockets && t.socks[id].used }

// Close releases socket id and its port.
func (t *Table) Close(id ID) { t.socks[id].used = false }

func (t *Table) portUsed(port uint32) bool {
	for i := range t.socks {
		if s := &t.socks[i]; s.used && s.bound && s.port == port {
			return true
		}
	}
	return false
}

// Bind binds socket id to port (0: one the kernel picks) and sets its
// multicast groups, as bind(2) on a netlink socket does: EADDRINUSE if
// another socket has port, EINVAL if id is bound to another port.
func (t *Table) Bind(id ID, port, groups, pid uint32) linux.Errno {
	s := &t.socks[id]
	if s.bound {
		if port != 0 && port != s.port {
			return linux.EINVAL
		}
		s.groups = groups
		return 0
	}
	if port == 0 {
		return t.autobind(id, groups, pid)
	}
	if t.portUsed(port) {
		return linux.EADDRINUSE
	}
	s.bound, s.port, s.groups = true, port, groups
	return 0
}

// autobind gives socket id a port as Linux does: the process's ID if no
// socket has it, else the next free one counting down from -4096.
func (t *Table) autobind(id ID, groups, pid uint32) linux.Errno {
	port := pid
	if t.portUsed(port) {
		if t.rover == 0 || t.rover > 0xfffff000 {
			t.rover = 0xfffff000 // -4096
		}
		for t.portUsed(t.rover) {
			t.rover--
		}
		port = t.rover
		t.rover--
	}
	s := &t.socks[id]
	s.bound, s.port, s.groups = true, port, groups
	return 0
}

// Name returns socket id's port (0 while unbound) and groups, for
// getsockname.
func (t *Table) Name(id ID) (port, groups uint32) {
	s := &t.socks[id]
	return s.port, s.groups
}

// SendBuffer returns socket id's buffer for a request to be gathered
// into before Send; it holds nothing between calls.
func (t *Table) SendBuffer(id ID) []byte { return t.socks[id].buf[:SendMax] }

// Send takes the request messages in b (sendmsg's payload, addressed to
// the kernel) and queues their replies on socket id, binding it first
// if it is not (Linux's autobind at the first send).
func (t *Table) Send(id ID, b []byte, pid uint32) {
	s := &t.socks[id]
	if !s.bound {
		t.autobind(id, 0, pid)
	}
	for len(b) >= linux.SizeofNlmsghdr {
		h := parseHeader(b)
		if h.Len < linux.SizeofNlmsghdr || int(h.Len) > len(b) {
			return // Linux drops the rest silently
		}
		s.request(&h, b[linux.SizeofNlmsghdr:h.Len])
		if align(int(h.Len)) >= len(b) {
			return
		}
		b = b[align(int(h.Len)):]
	}
}

// request queues the reply to one request.
func (s *Socket) request(h *Header, payload []byte) {
	ack := h.Flags&linux.NLM_F_ACK != 0
	switch {
	case h.Flags&linux.NLM_F_REQUEST == 0, h.Type < linux.NLMSG_MIN_TYPE:
		// Not a request, or a control message: nothing to do.
	case h.Type > linux.RTM_MAX:
		s.queueError(h, linux.EOPNOTSUPP)
		return
	case len(payload) < 1:
		// Linux needs the family byte; without it the request is
		// ignored (and acknowledged if asked).
	case (h.Type == linux.RTM_GETLINK || h.Type == linux.RTM_GETADDR) && h.Flags&linux.NLM_F_DUMP == linux.NLM_F_DUMP:
		if s.dumping() {
			s.queueError(h, linux.EBUSY) // one dump at a time, as Linux
			return
		}
		s.queue1(reply{kind: kindDump, family: payload[0], req: *h})
		return // a dump is not acknowledged
	default:
		// Changes (NEW, DEL, SET), single-object GETs, and the other
		// objects' dumps (routes, neighbours, rules, ...).
		s.queueError(h, linux.EOPNOTSUPP)
		return
	}
	if ack {
		s.queueError(h, 0)
	}
}

func (s *Socket) dumping() bool {
	for i := range s.n {
		if s.queue[(s.head+i)%QueueLen].kind == kindDump {
			return true
		}
	}
	return false
}

func (s *Socket) queueError(h *Header, e linux.Errno) {
	s.queue1(reply{kind: kindError, errno: e, req: *h})
}

func (s *Socket) queue1(r reply) {
	if s.n == QueueLen {
		s.overrun = true
		return
	}
	s.queue[(s.head+s.n)%QueueLen] = r
	s.n++
}

// Readable reports whether a receive on socket id would not wait: a
// reply or an error is queued.
func (t *Table) Readable(id ID) bool {
	s := &t.socks[id]
	return s.n > 0 || s.overrun
}

// Receive encodes socket id's next datagram from tab and returns it (a
// slice of the socket's buffer, valid until the next call on it), or
// the error to answer: EAGAIN when nothing is queued, ENOBUFS once
// after replies were dropped. Unless peek, the datagram is consumed:
// call Consume after copying it out.
func (t *Table) Receive(id ID, tab *iftab.Table) ([]byte, linux.Errno) {
	s := &t.socks[id]
	if s.overrun {
		return nil, linux.ENOBUFS
	}
	if s.n == 0 {
		return nil, linux.EAGAIN
	}
	r := &s.queue[s.head]
	if r.kind == kindError {
		return s.buf[:putError(s.buf[:], &r.req, r.errno, s.port)], 0
	}
	n, next := fillDump(s.buf[:], r, tab, s.port)
	s.next = next
	return s.buf[:n], 0
}

// Consume takes the datagram Receive returned last off socket id's
// queue (or clears the ENOBUFS it answered).
func (t *Table) Consume(id ID) {
	s := &t.socks[id]
	if s.overrun {
		s.overrun = false
		return
	}
	if s.n == 0 {
		return
	}
	r := &s.queue[s.head]
	if r.kind == kindDump && s.next >= 0 {
		r.next = s.next
		return
	}
	s.head = (s.head + 1) % QueueLen
	s.n--
}
