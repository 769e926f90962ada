package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/socktab"
)

// Flags of send and receive calls (send(2), recv(2)).
const (
	msgPeek     = 0x2
	msgTrunc    = 0x20
	msgDontWait = 0x40
)

// msghdr is Linux's struct msghdr.
type msghdr struct {
	name       uint64
	namelen    uint32
	_          uint32
	iov        uint64
	iovlen     uint64
	control    uint64
	controllen uint64
	flags      int32
	_          int32
}

// sockRecv receives into iov. It returns the result for RAX, the sender
// (datagram sockets) and the msg_flags to report.
func sockRecv(id int, iov userIOV, flags uint64) (ret uint64, from socktab.Addr, mflags int32) {
	s := &socktab.Table[id]
	if s.Type == socktab.Dgram {
		return dgramRecv(id, s, iov, flags)
	}
	return streamRecv(id, s, iov, flags), s.Peer, 0
}

// sockSend sends iov, to the address given or, if none, to the peer.
func sockSend(id int, iov userIOV, to *socktab.Addr) uint64 {
	s := &socktab.Table[id]
	if s.Type == socktab.Dgram {
		return dgramSend(id, s, iov, to)
	}
	return streamSend(id, s, iov)
}

// pendingError returns and clears the socket's pending error.
func pendingError(s *socktab.Socket) linux.Errno {
	if err := s.Err.Load(); err != 0 {
		s.Err.Store(0)
		return linux.Errno(err)
	}
	return 0
}

func streamRecv(id int, s *socktab.Socket, iov userIOV, flags uint64) uint64 {
	switch s.State.Load() {
	case socktab.Connected:
	case socktab.Connecting:
		return linux.EAGAIN.Ret()
	default:
		return linux.ENOTCONN.Ret()
	}
	head, tail := s.Rx.Readable()
	if head == tail {
		if e := pendingError(s); e != 0 {
			return e.Ret()
		}
		if s.RxEOF.Load() {
			return 0
		}
		socketChanged(id)
		return linux.EAGAIN.Ret()
	}
	ring := socktab.RingData(id, true)
	var n uint64
	for i := range iov.vecs {
		if head+n == tail {
			break
		}
		b, ok := iov.buf(i, true)
		if !ok {
			if n > 0 {
				break
			}
			return linux.EFAULT.Ret()
		}
		k := min(uint64(len(b)), tail-head-n)
		socktab.CopyOut(b[:k], ring, head+n)
		n += k
	}
	if flags&msgPeek != 0 {
		return n
	}
	s.Rx.Head.Store(head + n)
	if tail-head == socktab.RingSize || tail-head-n < socktab.RingSize/2 {
		addWork(s, socktab.WorkRxSpace)
	}
	socketChanged(id) // record the falling edge, so the next data rises
	return n
}

func streamSend(id int, s *socktab.Socket, iov userIOV) uint64 {
	switch st := s.State.Load(); {
	case s.TxShut.Load():
		return linux.EPIPE.Ret()
	case st == socktab.Connecting:
		return linux.EAGAIN.Ret()
	case st != socktab.Connected:
		return linux.ENOTCONN.Ret()
	}
	if e := pendingError(s); e != 0 {
		return e.Ret()
	}
	tail, free := s.Tx.Writable()
	if free == 0 {
		socketChanged(id)
		return linux.EAGAIN.Ret()
	}
	ring := socktab.RingData(id, false)
	var n uint64
	for i := range iov.vecs {
		if n == free {
			break
		}
		b, ok := iov.buf(i, false)
		if !ok {
			if n > 0 {
				break
			}
			return linux.EFAULT.Ret()
		}
		k := min(uint64(len(b)), free-n)
		socktab.CopyIn(ring, tail+n, b[:k])
		n += k
	}
	if n == 0 {
		return 0
	}
	s.Tx.Tail.Store(tail + n)
	addWork(s, socktab.WorkTx)
	socketChanged(id)
	return n
}

// streamSendKernel is streamSend of kernel bytes (sendfile): what went
// in, EAGAIN when the ring is full.
func streamSendKernel(id int, b []byte) (int, linux.Errno) {
	s := &socktab.Table[id]
	switch st := s.State.Load(); {
	case s.TxShut.Load():
		return 0, linux.EPIPE
	case st == socktab.Connecting:
		return 0, linux.EAGAIN
	case st != socktab.Connected:
		return 0, linux.ENOTCONN
	}
	if e := pendingError(s); e != 0 {
		return 0, e
	}
	tail, room := s.Tx.Writable()
	n := min(uint64(len(b)), room)
	if n == 0 {
		socketChanged(id)
		return 0, linux.EAGAIN
	}
	socktab.CopyIn(socktab.RingData(id, false), tail, b[:n])
	s.Tx.Tail.Store(tail + n)
	addWork(s, socktab.WorkTx)
	socketChanged(id)
	return int(n), 0
}

func dgramRecv(id int, s *socktab.Socket, iov userIOV, flags uint64) (uint64, socktab.Addr, int32) {
	head, tail := s.Rx.Readable()
	if head == tail {
		if e := pendingError(s); e != 0 {
			return e.Ret(), socktab.Addr{}, 0
		}
		if s.RxEOF.Load() {
			return 0, socktab.Addr{}, 0 // shut down for reading
		}
		socketChanged(id)
		return linux.EAGAIN.Ret(), socktab.Addr{}, 0
	}
	ring := socktab.RingData(id, true)
	var h [socktab.DgramHeader]byte
	socktab.CopyOut(h[:], ring, head)
	size, from := socktab.ParseDgramHeader(&h)
	payload := head + socktab.DgramHeader
	var n uint64
	for i := range iov.vecs {
		if n == uint64(size) {
			break
		}
		b, ok := iov.buf(i, true)
		if !ok {
			return linux.EFAULT.Ret(), from, 0 // the datagram stays queued
		}
		k := min(uint64(len(b)), uint64(size)-n)
		socktab.CopyOut(b[:k], ring, payload+n)
		n += k
	}
	var mflags int32
	if n < uint64(size) {
		mflags = msgTrunc
	}
	if flags&msgPeek == 0 {
		s.Rx.Head.Store(payload + uint64(size))
		if s.RxBlocked.Swap(false) {
			addWork(s, socktab.WorkRxSpace)
		}
		socketChanged(id)
	}
	if flags&msgTrunc != 0 {
		n = uint64(size) // MSG_TRUNC asks for the datagram's real length
	}
	return n, from, mflags
}

func dgramSend(id int, s *socktab.Socket, iov userIOV, to *socktab.Addr) uint64 {
	if s.TxShut.Load() {
		return linux.EPIPE.Ret()
	}
	dest := to
	if dest == nil {
		if s.State.Load() != socktab.Connected {
			return linux.EDESTADDRREQ.Ret()
		}
		dest = &s.Peer
	}
	if e := pendingError(s); e != 0 {
		return e.Ret()
	}
	size, ok := iov.total()
	if !ok {
		return linux.EINVAL.Ret()
	}
	if size > socktab.MaxDgram {
		return linux.EMSGSIZE.Ret()
	}
	if e := autobind(id, s); e != 0 {
		return e.Ret()
	}
	tail, room := s.Tx.Writable()
	need := socktab.DgramHeader + size
	if room < need {
		sockTxNeed[id] = uint32(need)
		socketChanged(id)
		return linux.EAGAIN.Ret()
	}
	ring := socktab.RingData(id, false)
	pos := tail + socktab.DgramHeader
	for i := range iov.vecs {
		b, ok := iov.buf(i, false)
		if !ok {
			return linux.EFAULT.Ret() // nothing is published
		}
		socktab.CopyIn(ring, pos, b)
		pos += uint64(len(b))
	}
	var h [socktab.DgramHeader]byte
	socktab.PutDgramHeader(&h, int(size), dest)
	socktab.CopyIn(ring, tail, h[:])
	s.Tx.Tail.Store(tail + need)
	sockTxNeed[id] = 0
	addWork(s, socktab.WorkTx)
	socketChanged(id)
	return size
}

// socketRead and socketWrite serve read(2) and write(2) on a socket.
func socketRead(id int, addr, n uint64) uint64 {
	var v iovec
	ret, _, _ := sockRecv(id, oneIOV(&v, addr, n), 0)
	return ret
}

func socketWrite(id int, addr, n uint64) uint64 {
	var v iovec
	return sockSend(id, oneIOV(&v, addr, n), nil)
}

// readMsghdr returns the msghdr at addr and its iovecs.
func readMsghdr(addr uint64, write bool) (*msghdr, userIOV, linux.Errno) {
	b, ok := userBytes(addr, uint64(unsafe.Sizeof(msghdr{})), write)
	if !ok || addr%8 != 0 {
		return nil, userIOV{}, linux.EFAULT
	}
	m := (*msghdr)(unsafe.Pointer(&b[0]))
	iov, e := loadIOV(m.iov, m.iovlen)
	return m, iov, e
}
