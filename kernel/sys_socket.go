package kernel

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/socktab"
)

// Socket system calls. Each completes here, in trap context, against the
// socket table (kernel/abi/socktab); the socket service (net/sockserver), which
// drives gVisor's netstack, follows asynchronously and moves data through
// each socket's rings. See docs/network.md. TCP and UDP over IPv4 and
// IPv6; the data path is in sys_sockio.go.

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

var (
	// sockWorkFD is the socket service's work descriptor, an eventfd
	// (devcall.SockRegister), or -1 before the service registers: until
	// then (programs that do not use package net) socket() fails.
	sockWorkFD int32 = -1
	// sockLastReady is each socket's readiness as last reported, to
	// find rising edges for edge-triggered epoll.
	sockLastReady [socktab.MaxSockets]uint32
	nextEphemeral uint16 = ephemeralLow
)

// sockOf returns the socket behind descriptor fd.
func sockOf(fd uint64) (int, *socktab.Socket, linux.Errno) {
	d := lookupFD(fd)
	if d == nil {
		return 0, nil, linux.EBADF
	}
	if d.kind != fdSocket {
		return 0, nil, linux.ENOTSOCK
	}
	return d.obj, &socktab.Table[d.obj], 0
}

// doorbell makes the service's work descriptor readable, if it is not.
func doorbell() {
	if sockWorkFD < 0 {
		return
	}
	if e := &eventfds[fds[sockWorkFD].obj]; e.count == 0 {
		e.count = 1
		fdEvent(sockWorkFD, linux.EPOLLIN)
	}
}

func addWork(s *socktab.Socket, w uint32) {
	s.Work.Or(w)
	doorbell()
}

func sysSocket(t *Thread, f *amd64.TrapFrame) uint64 {
	family, typ, proto := f.RDI, f.RSI, f.RDX
	if family != afInet && family != afInet6 {
		return linux.EAFNOSUPPORT.Ret()
	}
	if proto == ipprotoMPTCP {
		return linux.EPROTONOSUPPORT.Ret()
	}
	var kind int32
	switch base := typ &^ (linux.SOCK_NONBLOCK | linux.SOCK_CLOEXEC); {
	case base == sockStream && (proto == 0 || proto == ipprotoTCP):
		kind = socktab.Stream
	case base == sockDgram && (proto == 0 || proto == ipprotoUDP):
		kind = socktab.Dgram
	default:
		return linux.EPROTONOSUPPORT.Ret() // raw, ICMP and SCTP sockets
	}
	if sockWorkFD < 0 {
		return linux.EAFNOSUPPORT.Ret()
	}
	id := socktab.Alloc(int32(family), kind)
	if id < 0 {
		return linux.ENFILE.Ret()
	}
	fd := allocFD(fdSocket, id, linux.O_RDWR|uint32(typ)&linux.O_NONBLOCK, typ&linux.SOCK_CLOEXEC != 0)
	if fd < 0 {
		socktab.Table[id].State.Store(socktab.Free)
		return linux.EMFILE.Ret()
	}
	sockLastReady[id] = 0 // a new socket: no edges seen yet
	sockTxNeed[id] = 0
	sockTimeouts[id] = [2]int64{}
	addWork(&socktab.Table[id], socktab.WorkCreate)
	return uint64(fd)
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

func sysBind(t *Thread, f *amd64.TrapFrame) uint64 {
	id, s, e := sockOf(f.RDI)
	if e != 0 {
		return e.Ret()
	}
	if s.Bound {
		return linux.EINVAL.Ret()
	}
	a, e := parseSockaddr(f.RSI, f.RDX, s.Family)
	if e != 0 {
		return e.Ret()
	}
	if a.Port == 0 {
		s.Local = a
		return autobind(id, s).Ret0()
	}
	if portInUse(id, s.Type, a.Port, s.Options.Load()&socktab.OptReuseAddr != 0) {
		return linux.EADDRINUSE.Ret()
	}
	s.Local, s.Bound = a, true
	bound(s)
	return 0
}

// bound follows a bind: a datagram socket's endpoint is bound at once,
// so that it receives from then on. A stream socket's is bound when it
// listens or connects.
func bound(s *socktab.Socket) {
	if s.Type == socktab.Dgram {
		addWork(s, socktab.WorkBind)
	}
}

func sysListen(t *Thread, f *amd64.TrapFrame) uint64 {
	id, s, e := sockOf(f.RDI)
	if e != 0 {
		return e.Ret()
	}
	if s.Type != socktab.Stream {
		return linux.EOPNOTSUPP.Ret()
	}
	switch s.State.Load() {
	case socktab.Listening:
		return 0
	case socktab.Open:
	default:
		return linux.EINVAL.Ret()
	}
	if e := autobind(id, s); e != 0 {
		return e.Ret()
	}
	s.Backlog = int32(min(max(int64(int32(f.RSI)), 1), socktab.AcceptQueue))
	s.State.Store(socktab.Listening)
	addWork(s, socktab.WorkListen)
	return 0
}

func sysAccept4(t *Thread, f *amd64.TrapFrame) uint64 {
	id, s, e := sockOf(f.RDI)
	if e != 0 {
		return e.Ret()
	}
	if s.Type != socktab.Stream {
		return linux.EOPNOTSUPP.Ret()
	}
	if s.State.Load() != socktab.Listening {
		return linux.EINVAL.Ret()
	}
	flags := f.R10
	if f.RAX == linux.SYS_ACCEPT {
		flags = 0
	}
	h := s.AcceptHead.Load()
	if h == s.AcceptTail.Load() {
		socketChanged(id)
		if d := lookupFD(f.RDI); blocking(d, linux.EAGAIN.Ret(), false) {
			return waitSocketThenRetry(t, f, id)
		}
		return linux.EAGAIN.Ret()
	}
	child := int(s.AcceptQ[h%socktab.AcceptQueue].Load())
	fd := allocFD(fdSocket, child, linux.O_RDWR|uint32(flags)&linux.O_NONBLOCK, flags&linux.SOCK_CLOEXEC != 0)
	if fd < 0 {
		return linux.EMFILE.Ret() // the connection stays queued
	}
	s.AcceptHead.Store(h + 1)
	if s.AcceptTail.Load()-h >= uint32(s.Backlog) {
		addWork(s, socktab.WorkAccepted) // the service waits for room
	}
	sockLastReady[child] = 0               // a new descriptor: every later change is an edge
	sockTimeouts[child] = sockTimeouts[id] // inherited, as on Linux
	socketChanged(id)
	c := &socktab.Table[child]
	if f.RSI != 0 {
		if e := putSockaddr(f.RSI, f.RDX, c.Peer, c.Family); e != 0 {
			return e.Ret()
		}
	}
	return uint64(fd)
}

func sysConnect(t *Thread, f *amd64.TrapFrame) uint64 {
	id, s, e := sockOf(f.RDI)
	if e != 0 {
		return e.Ret()
	}
	if s.Type == socktab.Dgram {
		return dgramConnect(id, s, f.RSI, f.RDX)
	}
	switch s.State.Load() {
	case socktab.Connecting:
		return linux.EALREADY.Ret()
	case socktab.Connected:
		return linux.EISCONN.Ret()
	case socktab.Open:
	default:
		return linux.EINVAL.Ret()
	}
	if e := connectTo(id, s, f.RSI, f.RDX, socktab.Connecting); e != 0 {
		return e.Ret()
	}
	if d := lookupFD(f.RDI); d.flags&linux.O_NONBLOCK == 0 {
		waitConnect(t, id)
		return 0 // the waker sets the result
	}
	return linux.EINPROGRESS.Ret()
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

func sysGetsockname(t *Thread, f *amd64.TrapFrame) uint64 {
	_, s, e := sockOf(f.RDI)
	if e != 0 {
		return e.Ret()
	}
	return putSockaddr(f.RSI, f.RDX, s.Local, s.Family).Ret0()
}

func sysGetpeername(t *Thread, f *amd64.TrapFrame) uint64 {
	_, s, e := sockOf(f.RDI)
	if e != 0 {
		return e.Ret()
	}
	if s.State.Load() != socktab.Connected {
		return linux.ENOTCONN.Ret()
	}
	return putSockaddr(f.RSI, f.RDX, s.Peer, s.Family).Ret0()
}

func sysSetsockopt(t *Thread, f *amd64.TrapFrame) uint64 {
	id, s, e := sockOf(f.RDI)
	if e != 0 {
		return e.Ret()
	}
	if f.RSI == solSocket && (f.RDX == soRcvTimeo || f.RDX == soSndTimeo) {
		return setTimeout(id, f.RDX == soSndTimeo, f.R10, f.R8)
	}
	p, ok := userU32(f.R10, false)
	if !ok || f.R8 < 4 {
		return linux.EFAULT.Ret()
	}
	v := int32(*p)
	bit := func(b uint32) {
		if v != 0 {
			s.Options.Or(b)
		} else {
			s.Options.And(^b)
		}
	}
	switch level, name := f.RSI, f.RDX; {
	case level == solSocket && (name == soReuseAddr || name == soReusePort):
		bit(socktab.OptReuseAddr)
	case level == solSocket && name == soKeepAlive:
		bit(socktab.OptKeepAlive)
	case level == solSocket && name == soBroadcast:
		bit(socktab.OptBroadcast)
	case level == solSocket && (name == soSndbuf || name == soRcvbuf || name == soLinger):
		// Accepted; netstack's automatic buffer sizing stays in charge.
	case level == ipprotoTCP && name == tcpNoDelay:
		bit(socktab.OptNoDelay)
	case level == ipprotoTCP && name == tcpKeepIdle:
		s.KeepIdle.Store(v)
	case level == ipprotoTCP && name == tcpKeepIntvl:
		s.KeepIntvl.Store(v)
	case level == ipprotoTCP && name == tcpKeepCnt:
		s.KeepCnt.Store(v)
	case level == ipprotoIPv6 && name == ipv6V6Only:
		bit(socktab.OptV6Only)
	default:
		return linux.ENOPROTOOPT.Ret()
	}
	addWork(s, socktab.WorkOptions)
	return 0
}

func sysGetsockopt(t *Thread, f *amd64.TrapFrame) uint64 {
	id, s, e := sockOf(f.RDI)
	if e != 0 {
		return e.Ret()
	}
	if f.RSI == solSocket && (f.RDX == soRcvTimeo || f.RDX == soSndTimeo) {
		return getTimeout(id, f.RDX == soSndTimeo, f.R10, f.R8)
	}
	lp, ok := userU32(f.R8, true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	if *lp < 4 {
		return linux.EINVAL.Ret()
	}
	var v int32
	opts := s.Options.Load()
	flag := func(b uint32) int32 {
		if opts&b != 0 {
			return 1
		}
		return 0
	}
	switch level, name := f.RSI, f.RDX; {
	case level == solSocket && name == soError:
		v = s.Err.Swap(0)
	case level == solSocket && name == soType:
		v = s.Type
	case level == solSocket && name == soReuseAddr:
		v = flag(socktab.OptReuseAddr)
	case level == solSocket && name == soKeepAlive:
		v = flag(socktab.OptKeepAlive)
	case level == solSocket && (name == soSndbuf || name == soRcvbuf):
		v = socktab.RingSize
	case level == ipprotoTCP && name == tcpNoDelay:
		v = flag(socktab.OptNoDelay)
	case level == ipprotoIPv6 && name == ipv6V6Only:
		v = flag(socktab.OptV6Only)
	default:
		return linux.ENOPROTOOPT.Ret()
	}
	p, ok := userU32(f.R10, true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	*p, *lp = uint32(v), 4
	return 0
}

func sysShutdown(t *Thread, f *amd64.TrapFrame) uint64 {
	id, s, e := sockOf(f.RDI)
	if e != 0 {
		return e.Ret()
	}
	if s.State.Load() != socktab.Connected {
		return linux.ENOTCONN.Ret()
	}
	switch f.RSI {
	case shutRd:
		s.RxEOF.Store(true)
	case shutWr, shutRdWr:
		s.TxShut.Store(true)
		if f.RSI == shutRdWr {
			s.RxEOF.Store(true)
		}
		addWork(s, socktab.WorkShutWr)
	default:
		return linux.EINVAL.Ret()
	}
	wakeSocketWaiters(id) // a blocked read now sees the end
	socketChanged(id)
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
	for i := range usedFDs() {
		if d := &fds[i]; d.kind == fdSocket && d.obj == id {
			fdEvent(int32(i), rising)
		}
	}
}

// sysSockRegister (devcall.SockRegister) makes an eventfd the service's
// work descriptor and returns it. It starts readable: the service scans
// the table once when it starts.
func sysSockRegister(t *Thread, f *amd64.TrapFrame) uint64 {
	if sockWorkFD >= 0 {
		return linux.EBUSY.Ret()
	}
	for i := range eventfds {
		e := &eventfds[i]
		if e.used {
			continue
		}
		fd := allocFD(fdEventfd, i, linux.O_RDWR|linux.O_NONBLOCK, true)
		if fd < 0 {
			return linux.EMFILE.Ret()
		}
		*e = eventfd{used: true, count: 1}
		sockWorkFD = int32(fd)
		return uint64(fd)
	}
	return linux.EMFILE.Ret()
}

// sysSockNotify: the service changed socket f.RDI.
func sysSockNotify(t *Thread, f *amd64.TrapFrame) uint64 {
	if f.RDI >= socktab.MaxSockets {
		return linux.EINVAL.Ret()
	}
	wakeSocketWaiters(int(f.RDI)) // data, room, a connection or an error: try again
	socketChanged(int(f.RDI))
	return 0
}
