package sockserver

import (
	"github.com/coracle-os/coracle/kernel/abi/socktab"
	"gvisor.dev/gvisor/pkg/tcpip"
)

// Datagram sockets. The kernel binds and connects them at once and
// queues each datagram as a record (socktab.DgramHeader) in the
// transmit ring; the service binds and connects the endpoint to match
// and moves records both ways.

// dgramBind binds the endpoint where the kernel bound the socket.
func dgramBind(c *conn) {
	if err := c.ep.Bind(fullAddress(c.s.Local, c.s.Family)); err != nil {
		fail(c.s, c.id, err)
	}
}

// dgramConnect connects the endpoint to the socket's peer, or
// disconnects it if the socket has none: a connected endpoint receives
// from its peer only.
func dgramConnect(c *conn) {
	if c.s.State.Load() != socktab.Connected {
		c.ep.Disconnect()
		return
	}
	if err := c.ep.Connect(fullAddress(c.s.Peer, c.s.Family)); err != nil {
		fail(c.s, c.id, err)
		return
	}
	if local, err := c.ep.GetLocalAddress(); err == nil {
		la := sockAddr(local)
		c.s.Local.IP, c.s.Local.Len = la.IP, la.Len
	}
}

// dgramPump moves a datagram socket's records until it closes.
func (sv *Service) dgramPump(c *conn) {
	in := dgramReceiver{c: c, buf: make([]byte, 1<<16)}
	out := make([]byte, socktab.MaxDgram)
	for {
		moved := in.receive()
		c.txMu.Lock() // not while work applies a bind or connect
		sent, blocked := dgramSend(c, out)
		c.txMu.Unlock()
		moved = moved || sent
		if c.closing.Load() && (c.s.Tx.Used() == 0 || blocked) {
			sv.teardown(c)
			return
		}
		if !c.settle(moved) {
			return
		}
	}
}

// dgramReceiver reads datagrams from the endpoint into the receive ring,
// holding one when the ring has no room for it.
type dgramReceiver struct {
	c       *conn
	buf     []byte
	pending []byte // a datagram read but not yet queued
	from    socktab.Addr
}

// receive queues what it can and reports whether anything changed.
func (r *dgramReceiver) receive() (moved bool) {
	s := r.c.s
	ring := socktab.RingData(r.c.id, true)
	for {
		if r.pending == nil {
			w := tcpip.SliceWriter(r.buf)
			res, err := r.c.ep.Read(&w, tcpip.ReadOptions{NeedRemoteAddr: true})
			switch err.(type) {
			case nil:
			case *tcpip.ErrWouldBlock:
				return moved
			case *tcpip.ErrClosedForReceive:
				if !s.RxEOF.Load() {
					s.RxEOF.Store(true)
					moved = true
				}
				return moved
			default:
				// An ICMP error for a connected socket (ECONNREFUSED):
				// the program's next call reports it, as on Linux.
				s.Err.Store(int32(errno(err)))
				return true
			}
			r.pending = r.buf[:res.Count]
			r.from = sockAddr(res.RemoteAddr)
		}
		need := uint64(socktab.DgramHeader + len(r.pending))
		tail, room := s.Rx.Writable()
		if room < need {
			s.RxBlocked.Store(true)
			if tail, room = s.Rx.Writable(); room < need {
				return moved // the kernel asks for WorkRxSpace when it reads
			}
			s.RxBlocked.Store(false)
		}
		var h [socktab.DgramHeader]byte
		socktab.PutDgramHeader(&h, len(r.pending), &r.from)
		socktab.CopyIn(ring, tail, h[:])
		socktab.CopyIn(ring, tail+socktab.DgramHeader, r.pending)
		s.Rx.Tail.Store(tail + need)
		r.pending = nil
		moved = true
	}
}

// dgramSend sends the records in the transmit ring. blocked reports that
// the endpoint had no room for the next one. The caller holds c.txMu.
func dgramSend(c *conn, out []byte) (sent, blocked bool) {
	s := c.s
	ring := socktab.RingData(c.id, false)
	for {
		head, tail := s.Tx.Readable()
		if head == tail {
			break
		}
		var h [socktab.DgramHeader]byte
		socktab.CopyOut(h[:], ring, head)
		n, to := socktab.ParseDgramHeader(&h)
		socktab.CopyOut(out[:n], ring, head+socktab.DgramHeader)
		dest := fullAddress(to, s.Family)
		_, err := c.ep.Write(&payload{b: out[:n]}, tcpip.WriteOptions{To: &dest})
		if _, block := err.(*tcpip.ErrWouldBlock); block {
			return sent, true
		}
		if err != nil && s.State.Load() == socktab.Connected {
			// Linux reports a connected socket's send errors; an
			// unconnected socket's datagram is dropped.
			s.Err.Store(int32(errno(err)))
		}
		s.Tx.Head.Store(head + socktab.DgramHeader + uint64(n))
		sent = true
	}
	return sent, false
}
