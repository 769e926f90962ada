package unixsock

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// msgHeader is the size of a message's header in a ring: its length
// (4 bytes), the sender's name length (1), whether that is a path (1)
// and 2 bytes of padding; the name's bytes follow, then the payload.
const msgHeader = 8

// MaxMsg is the largest datagram or packet (EMSGSIZE beyond): what a
// ring holds with the header and the longest sender name.
const MaxMsg = Capacity - msgHeader - PathMax

// writableRoom is the room a peer's ring must have for a socket sending
// to it to be writable for epoll, as Linux's unix_writable wants a
// quarter of the send buffer free.
const writableRoom = Capacity / 4

// StreamSend says whether stream socket id may send now and how many
// bytes its peer's ring takes: EPIPE once it is shut down for sending
// (its own SHUT_WR, the peer's SHUT_RD or close), ENOTCONN when it is
// not connected. Room 0 means the call would block.
func (t *Table) StreamSend(id ID) (room int, e linux.Errno) {
	s := t.s(id)
	switch {
	case s.shut&SendShutdown != 0:
		return 0, linux.EPIPE
	case s.state != Connected:
		return 0, linux.ENOTCONN
	case s.peer == 0:
		return 0, linux.EPIPE
	}
	return t.socks[s.peer-1].rx.free(), 0
}

// Put appends b to socket id's peer's ring (after StreamSend) and
// returns how much went in.
func (t *Table) Put(id ID, mem Memory, b []byte) int {
	return t.socks[t.s(id).peer-1].rx.put(mem, b)
}

// StreamRecv says whether stream socket id may receive: the bytes
// queued, or, when none are, the pending error (taken), 0 with eof at
// end of stream (shut down for receiving), EAGAIN otherwise. EINVAL
// when it is not connected, as Linux answers.
func (t *Table) StreamRecv(id ID) (avail int, eof bool, e linux.Errno) {
	s := t.s(id)
	if s.state != Connected {
		return 0, false, linux.EINVAL
	}
	if n := s.rx.len(); n > 0 {
		return n, false, 0
	}
	if e := t.TakeError(id); e != 0 {
		return 0, false, e
	}
	if s.shut&RcvShutdown != 0 {
		return 0, true, 0
	}
	return 0, false, linux.EAGAIN
}

// Peek copies socket id's queued bytes from offset off on into b and
// returns how many, taking nothing.
func (t *Table) Peek(id ID, mem Memory, off int, b []byte) int {
	return t.s(id).rx.peek(mem, off, b)
}

// Consume takes n queued bytes from stream socket id's ring.
func (t *Table) Consume(id ID, n int) { t.s(id).rx.drop(n) }

// Queued is the number of bytes queued on socket id (stream), or the
// length of its next message (FIONREAD).
func (t *Table) Queued(id ID, mem Memory) int {
	s := t.s(id)
	if s.typ == Stream {
		return s.rx.len()
	}
	n, _, _ := t.NextMsg(id, mem)
	return n
}

// MsgSend says where a message of size bytes from datagram or
// sequenced-packet socket id goes: to dest (a datagram socket's sendto
// address, found by name; None when there is none there) if given
// (hasDest), else to the peer. Errors as Linux's: EMSGSIZE, EPIPE once
// shut down for sending or when the receiver is shut down for
// receiving, ENOTCONN without a peer, ECONNREFUSED when nothing is
// bound at dest or the peer closed (which disconnects id), EPROTOTYPE,
// EPERM when dest is connected to another socket, EAGAIN when the
// receiver's ring lacks room (with the receiver, for a blocking sender
// to wait on). A sequenced-packet socket ignores dest.
func (t *Table) MsgSend(id, dest ID, hasDest bool, size int) (ID, linux.Errno) {
	s := t.s(id)
	if size > MaxMsg {
		return None, linux.EMSGSIZE
	}
	if s.typ == SeqPacket {
		switch {
		case s.state != Connected:
			return None, linux.ENOTCONN
		case s.shut&SendShutdown != 0, s.peer == 0:
			return None, linux.EPIPE
		}
		hasDest, dest = false, ID(s.peer)-1
	}
	if s.shut&SendShutdown != 0 {
		return None, linux.EPIPE
	}
	to := dest
	if !hasDest && s.typ == Dgram {
		switch {
		case s.deadPeer:
			s.state, s.deadPeer, s.peerName = Unconnected, false, Name{}
			t.disconnected(id, None)
			return None, linux.ECONNREFUSED
		case s.peer == 0:
			return None, linux.ENOTCONN
		}
		to = ID(s.peer) - 1
	}
	if to == None {
		return None, linux.ECONNREFUSED
	}
	r := t.s(to)
	switch {
	case r.typ != s.typ:
		return None, linux.EPROTOTYPE
	case s.typ == Dgram && !t.maySend(id, to):
		return None, linux.EPERM
	case r.shut&RcvShutdown != 0:
		return None, linux.EPIPE
	case r.rx.free() < msgHeader+int(s.name.n)+size:
		return to, linux.EAGAIN // to: what a blocking sender waits for
	}
	return to, 0
}

// PutMsgHeader starts a message of size bytes from socket id in socket
// to's ring (after MsgSend said to): the payload follows with PutMsg,
// all size bytes of it before the kernel returns to the program.
func (t *Table) PutMsgHeader(to, id ID, mem Memory, size int) {
	from := &t.s(id).name
	var h [msgHeader]byte
	binary.LittleEndian.PutUint32(h[:], uint32(size))
	h[4] = from.n
	if from.path {
		h[5] = 1
	}
	r := t.s(to)
	r.rx.put(mem, h[:])
	r.rx.put(mem, from.b[:from.n])
	r.msgs++
}

// PutMsg appends payload bytes b to the message being put in socket
// to's ring.
func (t *Table) PutMsg(to ID, mem Memory, b []byte) { t.s(to).rx.put(mem, b) }

// NextMsg is the length of socket id's next message, the offset of its
// payload in the ring (for Peek) and whether there is one. The sender's
// name is MsgSender's.
func (t *Table) NextMsg(id ID, mem Memory) (size, off int, ok bool) {
	s := t.s(id)
	if s.msgs == 0 {
		return 0, 0, false
	}
	var h [msgHeader]byte
	s.rx.peek(mem, 0, h[:])
	return int(binary.LittleEndian.Uint32(h[:])), msgHeader + int(h[4]), true
}

// MsgSender is the name of the sender of socket id's next message.
func (t *Table) MsgSender(id ID, mem Memory) Name {
	s := t.s(id)
	var h [msgHeader]byte
	s.rx.peek(mem, 0, h[:])
	var n Name
	n.n = h[4]
	n.path = h[5] != 0
	s.rx.peek(mem, msgHeader, n.b[:n.n])
	return n
}

// DropMsg takes socket id's next message away.
func (t *Table) DropMsg(id ID, mem Memory) {
	s := t.s(id)
	var h [msgHeader]byte
	s.rx.peek(mem, 0, h[:])
	s.rx.drop(msgHeader + int(h[4]) + int(binary.LittleEndian.Uint32(h[:])))
	s.msgs--
}

// MsgRecv says whether datagram or sequenced-packet socket id may
// receive: a message is queued (0), or the pending error (taken), EOF
// (eof) once shut down for receiving, EAGAIN. A sequenced-packet
// socket that is not connected answers ENOTCONN.
func (t *Table) MsgRecv(id ID) (eof bool, e linux.Errno) {
	s := t.s(id)
	if s.typ == SeqPacket && s.state != Connected {
		return false, linux.ENOTCONN
	}
	if s.msgs > 0 {
		return false, 0
	}
	if e := t.TakeError(id); e != 0 {
		return false, e
	}
	if s.shut&RcvShutdown != 0 {
		return true, 0
	}
	return false, linux.EAGAIN
}

// Events is socket id's readiness as epoll events, as Linux's unix_poll
// (stream) and unix_dgram_poll (datagram, sequenced-packet) have it.
func (t *Table) Events(id ID) uint32 {
	s := t.s(id)
	var r uint32
	if s.err != 0 {
		r |= linux.EPOLLERR
	}
	if s.shut == bothShutdown {
		r |= linux.EPOLLHUP
	}
	if s.shut&RcvShutdown != 0 {
		r |= linux.EPOLLRDHUP | linux.EPOLLIN
	}
	if s.rx.len() > 0 || s.qlen > 0 {
		r |= linux.EPOLLIN
	}
	if s.typ.connected() && s.state == Unconnected {
		r |= linux.EPOLLHUP
	}
	if s.state == Listening {
		return r
	}
	if p := ID(s.peer) - 1; p == None || t.s(p).rx.free() >= writableRoom {
		r |= linux.EPOLLOUT
	}
	return r
}

// RecvHead and RecvTail are socket id's ring positions: the bytes ever
// taken from it and ever put in it. The kernel names what travels with
// the data (SCM_RIGHTS) by the position the data starts at: a message's
// is RecvHead when it is next, a stream write's the RecvTail before it.
func (t *Table) RecvHead(id ID) uint64 { return t.s(id).rx.head }

// RecvTail is the position of the next byte put in socket id's ring.
func (t *Table) RecvTail(id ID) uint64 { return t.s(id).rx.tail }
