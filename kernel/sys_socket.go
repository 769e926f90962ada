package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/socktab"
)

// Socket system calls. AF_UNIX sockets are the kernel's own
// (sock_unix*.go): each call below hands them over first. For the
// others each call completes here, in trap context, against the
// socket table (kernel/abi/socktab); the socket service (net/sockserver), which
// drives gVisor's netstack, follows asynchronously and moves data through
// each socket's rings. See docs/network.md. TCP and UDP over IPv4 and
// IPv6; the data path is in sys_sockio.go.

func sysSocket(t *Thread, f *amd64.TrapFrame) uint64 {
	family, typ, proto := f.RDI, f.RSI, f.RDX
	if family == linux.AF_UNIX {
		return unixSocket(typ, proto) // in the kernel: no service needed
	}
	if family == linux.AF_NETLINK {
		return netlinkSocket(typ, proto) // in the kernel too (sock_netlink.go)
	}
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

// socketpair(domain, type, protocol, sv): AF_UNIX (sock_unix.go).
func sysSocketpair(t *Thread, f *amd64.TrapFrame) uint64 {
	return unixSocketpair(f)
}

func sysBind(t *Thread, f *amd64.TrapFrame) uint64 {
	if d := unixDesc(f.RDI); d != nil {
		return unixBind(d, f.RSI, f.RDX)
	}
	if d := netlinkDesc(f.RDI); d != nil {
		return netlinkBind(d, f.RSI, f.RDX)
	}
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

func sysListen(t *Thread, f *amd64.TrapFrame) uint64 {
	if d := unixDesc(f.RDI); d != nil {
		return unixListen(d, f.RSI)
	}
	if netlinkDesc(f.RDI) != nil {
		return linux.EOPNOTSUPP.Ret()
	}
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
	if d := unixDesc(f.RDI); d != nil {
		if f.RAX == linux.SYS_ACCEPT {
			return unixAccept(t, f, d, 0)
		}
		return unixAccept(t, f, d, f.R10)
	}
	if netlinkDesc(f.RDI) != nil {
		return linux.EOPNOTSUPP.Ret()
	}
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
	if d := unixDesc(f.RDI); d != nil {
		return unixConnect(t, f, d)
	}
	if d := netlinkDesc(f.RDI); d != nil {
		return netlinkConnect(d, f.RSI, f.RDX)
	}
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
	if d := lookupFD(f.RDI); d.Flags&linux.O_NONBLOCK == 0 {
		waitConnect(t, id)
		return 0 // the waker sets the result
	}
	return linux.EINPROGRESS.Ret()
}

func sysGetsockname(t *Thread, f *amd64.TrapFrame) uint64 {
	if d := unixDesc(f.RDI); d != nil {
		return putUnixName(f.RSI, f.RDX, unixSocks.Name(unixOf(d))).Ret0()
	}
	if d := netlinkDesc(f.RDI); d != nil {
		return netlinkGetsockname(d, f.RSI, f.RDX)
	}
	_, s, e := sockOf(f.RDI)
	if e != 0 {
		return e.Ret()
	}
	return putSockaddr(f.RSI, f.RDX, s.Local, s.Family).Ret0()
}

func sysGetpeername(t *Thread, f *amd64.TrapFrame) uint64 {
	if d := unixDesc(f.RDI); d != nil {
		pn, e := unixSocks.PeerName(unixOf(d))
		if e != 0 {
			return e.Ret()
		}
		return putUnixName(f.RSI, f.RDX, pn).Ret0()
	}
	if netlinkDesc(f.RDI) != nil {
		return putNetlinkAddr(f.RSI, f.RDX, 0, 0).Ret0() // the kernel
	}
	_, s, e := sockOf(f.RDI)
	if e != 0 {
		return e.Ret()
	}
	if s.State.Load() != socktab.Connected {
		return linux.ENOTCONN.Ret()
	}
	return putSockaddr(f.RSI, f.RDX, s.Peer, s.Family).Ret0()
}

// setsockopt(fd, level, name, value, size): the options of sockopts.
func sysSetsockopt(t *Thread, f *amd64.TrapFrame) uint64 {
	if d := unixDesc(f.RDI); d != nil {
		return unixSetsockopt(d, f.RSI, f.RDX, f.R10, f.R8)
	}
	if netlinkDesc(f.RDI) != nil {
		return netlinkSetsockopt(f.RSI, f.RDX, f.R8)
	}
	id, s, e := sockOf(f.RDI)
	if e != 0 {
		return e.Ret()
	}
	o := findSockopt(f.RSI, f.RDX)
	if o != nil && o.kind == optTimeval {
		return setTimeout(id, o.arg == 1, f.R10, f.R8)
	}
	p, ok := userU32(f.R10, false)
	if !ok || f.R8 < 4 {
		return linux.EFAULT.Ret()
	}
	if o == nil || o.set == setNone {
		return linux.ENOPROTOOPT.Ret()
	}
	setIntSockopt(s, o, int32(*p))
	addWork(s, socktab.WorkOptions)
	return 0
}

// getsockopt(fd, level, name, value, size): the options of sockopts.
func sysGetsockopt(t *Thread, f *amd64.TrapFrame) uint64 {
	if d := unixDesc(f.RDI); d != nil {
		return unixGetsockopt(d, f.RSI, f.RDX, f.R10, f.R8)
	}
	if netlinkDesc(f.RDI) != nil {
		return netlinkGetsockopt(f.RSI, f.RDX, f.R10, f.R8)
	}
	id, s, e := sockOf(f.RDI)
	if e != 0 {
		return e.Ret()
	}
	o := findSockopt(f.RSI, f.RDX)
	if o != nil && o.kind == optTimeval {
		return getTimeout(id, o.arg == 1, f.R10, f.R8)
	}
	lp, ok := userU32(f.R8, true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	if *lp < 4 {
		return linux.EINVAL.Ret()
	}
	if o == nil || o.get == getNone {
		return linux.ENOPROTOOPT.Ret()
	}
	v := intSockopt(s, o)
	p, ok := userU32(f.R10, true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	*p, *lp = uint32(v), 4
	return 0
}

func sysShutdown(t *Thread, f *amd64.TrapFrame) uint64 {
	if d := unixDesc(f.RDI); d != nil {
		return unixShutdown(d, f.RSI)
	}
	if netlinkDesc(f.RDI) != nil {
		return linux.EOPNOTSUPP.Ret() // as Linux's netlink
	}
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
