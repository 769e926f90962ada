package kernel

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/socktab"
)

const (
	afInet        = 2
	afInet6       = 10
	sockStream    = 1
	sockDgram     = 2
	ipprotoTCP    = 6
	ipprotoUDP    = 17
	ipprotoMPTCP  = 262
	solSocket     = 1
	soReuseAddr   = 2
	soType        = 3
	soError       = 4
	soBroadcast   = 6
	soSndbuf      = 7
	soRcvbuf      = 8
	soKeepAlive   = 9
	soLinger      = 13
	soReusePort   = 15
	soRcvTimeo    = 20
	soSndTimeo    = 21
	soProtocol    = 38
	soDomain      = 39
	ipprotoIPv6   = 41
	ipv6V6Only    = 26
	tcpNoDelay    = 1
	tcpKeepIdle   = 4
	tcpKeepIntvl  = 5
	tcpKeepCnt    = 6
	shutRd        = 0
	shutWr        = 1
	shutRdWr      = 2
	ephemeralLow  = 32768
	ephemeralHigh = 60999
)

// sockOf returns the socket behind descriptor fd.
func sockOf(fd uint64) (int, *socktab.Socket, linux.Errno) {
	d := lookupFD(fd)
	if d == nil {
		return 0, nil, linux.EBADF
	}
	if d.Kind != fdSocket {
		return 0, nil, linux.ENOTSOCK
	}
	return int(d.Obj), &socktab.Table[d.Obj], 0
}

// doorbell makes the socket service's work descriptor readable.
func doorbell() { ringWorkFD(sockWorkFD) }

func addWork(s *socktab.Socket, w uint32) {
	s.Work.Or(w)
	doorbell()
}

// parseSockaddr reads a sockaddr for a socket of family.
func parseSockaddr(addr, n uint64, family int32) (socktab.Addr, linux.Errno) {
	b, ok := userBytes(addr, n, false)
	if !ok || n < 2 {
		return socktab.Addr{}, linux.EFAULT
	}
	var a socktab.Addr
	switch binary.LittleEndian.Uint16(b) {
	case afInet:
		if n < 16 {
			return a, linux.EINVAL
		}
		a.Port = binary.BigEndian.Uint16(b[2:])
		copy(a.IP[:], b[4:8])
		a.Len = 4
	case afInet6:
		if n < 28 || family != afInet6 {
			return a, linux.EAFNOSUPPORT
		}
		a.Port = binary.BigEndian.Uint16(b[2:])
		copy(a.IP[:], b[8:24])
		a.Len = 16
		a.Unmap4()
	default:
		return a, linux.EAFNOSUPPORT
	}
	if a.Unspecified() {
		a.Len = 0 // any address
	}
	return a, 0
}

// copyOutSockaddr writes the socket address sa to (addr, *lenp) as
// Linux's move_addr_to_user does for the kernel-served families
// (AF_UNIX, AF_NETLINK): as much as *lenp bytes of it, then its full
// length to *lenp; EINVAL for a negative *lenp; nothing for a null addr.
//
// Trap context: yes.
func copyOutSockaddr(addr, lenp uint64, sa []byte) linux.Errno {
	if addr == 0 {
		return 0
	}
	lp, ok := userU32(lenp, true)
	if !ok {
		return linux.EFAULT
	}
	if int32(*lp) < 0 {
		return linux.EINVAL
	}
	out, ok := userBytes(addr, uint64(min(int(*lp), len(sa))), true)
	if !ok {
		return linux.EFAULT
	}
	copy(out, sa)
	*lp = uint32(len(sa))
	return 0
}

// putSockaddr writes a, for a socket of family, to (addr, *lenp).
func putSockaddr(addr, lenp uint64, a socktab.Addr, family int32) linux.Errno {
	if addr == 0 {
		return 0
	}
	lp, ok := userU32(lenp, true)
	if !ok {
		return linux.EFAULT
	}
	var b [28]byte
	n := 16
	if family == afInet {
		binary.LittleEndian.PutUint16(b[:], afInet)
		binary.BigEndian.PutUint16(b[2:], a.Port)
		if a.Len == 4 {
			copy(b[4:8], a.IP[:4])
		}
	} else {
		n = 28
		binary.LittleEndian.PutUint16(b[:], afInet6)
		binary.BigEndian.PutUint16(b[2:], a.Port)
		switch a.Len {
		case 16:
			copy(b[8:24], a.IP[:])
		case 4:
			b[18], b[19] = 0xff, 0xff
			copy(b[20:24], a.IP[:4])
		}
	}
	out, ok := userBytes(addr, uint64(min(int(*lp), n)), true)
	if !ok {
		return linux.EFAULT
	}
	copy(out, b[:n])
	*lp = uint32(n)
	return 0
}

// portInUse reports whether another socket of the same type (TCP and
// UDP ports are separate) holds port.
func portInUse(self int, typ int32, port uint16, reuse bool) bool {
	for i := range socktab.Used() {
		s := &socktab.Table[i]
		st := s.State.Load()
		if i == self || st == socktab.Free || !s.Bound || s.Type != typ || s.Local.Port != port {
			continue
		}
		if !reuse || s.Options.Load()&socktab.OptReuseAddr == 0 || st == socktab.Listening {
			return true
		}
	}
	return false
}

// autobind gives s an ephemeral port if it has none.
func autobind(id int, s *socktab.Socket) linux.Errno {
	if s.Bound {
		return 0
	}
	for range ephemeralHigh - ephemeralLow + 1 {
		p := nextEphemeral
		nextEphemeral++
		if nextEphemeral > ephemeralHigh {
			nextEphemeral = ephemeralLow
		}
		if !portInUse(id, s.Type, p, false) {
			s.Local.Port, s.Bound = p, true
			bound(s)
			return 0
		}
	}
	return linux.EADDRINUSE
}

// bound follows a bind: a datagram socket's endpoint is bound at once,
// so that it receives from then on. A stream socket's is bound when it
// listens or connects.
func bound(s *socktab.Socket) {
	if s.Type == socktab.Dgram {
		addWork(s, socktab.WorkBind)
	}
}

// dgramConnect sets (or, with AF_UNSPEC, clears) a datagram socket's
// peer: where sends without an address go, and the only address it
// receives from. It completes at once, as on Linux.
func dgramConnect(id int, s *socktab.Socket, addr, n uint64) uint64 {
	if b, ok := userBytes(addr, 2, false); ok && n >= 2 && b[0] == 0 && b[1] == 0 {
		s.Peer = socktab.Addr{}
		s.State.Store(socktab.Open)
		addWork(s, socktab.WorkConnect)
		return 0
	}
	if e := connectTo(id, s, addr, n, socktab.Connected); e != 0 {
		return e.Ret()
	}
	socketChanged(id)
	return 0
}

// connectTo gives socket id the peer at the sockaddr (addr, n), binding
// it to an ephemeral port if it has none, moves it to state and asks the
// service to connect its endpoint.
func connectTo(id int, s *socktab.Socket, addr, n uint64, state uint32) linux.Errno {
	a, e := parseSockaddr(addr, n, s.Family)
	if e != 0 {
		return e
	}
	if e := autobind(id, s); e != 0 {
		return e
	}
	s.Peer = a
	s.State.Store(state)
	addWork(s, socktab.WorkConnect)
	return 0
}

// socketClose gives the socket back to the service to tear down.
func socketClose(id int) {
	wakeSocketWaiters(id)
	s := &socktab.Table[id]
	s.State.Store(socktab.Closing)
	addWork(s, socktab.WorkClose)
}

// socketReadiness computes epoll events for socket id.
func socketReadiness(id int) uint32 {
	s := &socktab.Table[id]
	var r uint32
	err := s.Err.Load() != 0
	switch s.State.Load() {
	case socktab.Listening:
		if s.AcceptHead.Load() != s.AcceptTail.Load() {
			r |= linux.EPOLLIN
		}
	case socktab.Connected:
		if s.Rx.Used() > 0 || s.RxEOF.Load() {
			r |= linux.EPOLLIN
		}
		if s.RxEOF.Load() {
			r |= linux.EPOLLRDHUP
		}
		if s.Tx.Used() < socktab.RingSize && !s.TxShut.Load() {
			r |= linux.EPOLLOUT
		}
		if s.RxEOF.Load() && s.TxShut.Load() {
			r |= linux.EPOLLHUP
		}
	case socktab.Open:
		r |= linux.EPOLLOUT | linux.EPOLLHUP // Linux: an unconnected stream socket
	}
	if s.Type == socktab.Dgram {
		r = 0
		if s.Rx.Used() > 0 {
			r |= linux.EPOLLIN
		}
		if socktab.RingSize-s.Tx.Used() >= max(uint64(sockTxNeed[id]), socktab.DgramHeader+1) && !s.TxShut.Load() {
			r |= linux.EPOLLOUT
		}
	}
	if err {
		r |= linux.EPOLLERR | linux.EPOLLIN | linux.EPOLLOUT
	}
	return r
}

// socketChanged reports a change of socket id to epoll.
func socketChanged(id int) {
	r := socketReadiness(id)
	rising := r &^ sockLastReady[id]
	sockLastReady[id] = r
	if rising == 0 {
		return
	}
	kindEvent(fdSocket, id, rising)
}
