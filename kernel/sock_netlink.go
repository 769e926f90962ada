package kernel

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/netlink"
)

// NETLINK_ROUTE sockets: the kernel's side of package netlink, which has
// the protocol. The interface table they describe is the network
// service's (devcall.SetInterfaces, sysSetInterfaces), kept in ifTable,
// so they are served here in trap context, like AF_UNIX sockets. Each
// is a description of kind fdNetlink whose Obj is its netlink.ID.
//
// A request (sendto, sendmsg, write) queues its replies at once; a
// receive encodes the next datagram of the reply at the head of the
// queue from ifTable as it is then. A blocking receive with nothing
// queued waits until a send on the socket queues something: as on
// Linux, where nothing else would come either (no multicast
// notifications are sent). It waits as AF_UNIX calls do (waitUnix, made
// again when woken), tagged with the socket's negated ID plus one so
// that no AF_UNIX change wakes it.

// netlinkDesc returns descriptor fd's description if it is a netlink
// socket, else nil.
func netlinkDesc(fd uint64) *openFile { return lookupKind(fd, fdNetlink) }

func netlinkOf(d *openFile) netlink.ID { return netlink.ID(d.Obj) }

// netlinkSocket is socket(AF_NETLINK, typ, proto): SOCK_RAW or
// SOCK_DGRAM (the same to netlink), NETLINK_ROUTE only.
func netlinkSocket(typ, proto uint64) uint64 {
	if !sockTypeFlagsOK(typ) {
		return linux.EINVAL.Ret()
	}
	if base := typ & linux.SOCK_TYPE_MASK; base != linux.SOCK_RAW && base != linux.SOCK_DGRAM {
		return linux.ESOCKTNOSUPPORT.Ret()
	}
	if proto != linux.NETLINK_ROUTE {
		return linux.EPROTONOSUPPORT.Ret()
	}
	id := netlinkSocks.Open()
	if id == netlink.None {
		return linux.ENFILE.Ret()
	}
	fd := allocFD(fdNetlink, int(id), linux.O_RDWR|uint32(typ)&linux.O_NONBLOCK, typ&linux.SOCK_CLOEXEC != 0)
	if fd < 0 {
		netlinkSocks.Close(id)
		return linux.EMFILE.Ret()
	}
	return uint64(fd)
}

// netlinkRelease closes the socket of d, its last descriptor gone.
func netlinkRelease(d *openFile) {
	id := netlinkOf(d)
	netlinkSocks.Close(id)
	netlinkWake(id) // a receive still waiting makes its call again and finds EBADF
}

// readNetlinkAddr reads a sockaddr_nl: its port ID and groups. EINVAL
// if it is short or of another family; AF_UNSPEC reports unspec.
func readNetlinkAddr(addr, n uint64) (port, groups uint32, unspec bool, e linux.Errno) {
	if n < 2 {
		return 0, 0, false, linux.EINVAL
	}
	b, ok := userBytes(addr, min(n, linux.SizeofSockaddrNetlink), false)
	if !ok {
		return 0, 0, false, linux.EFAULT
	}
	if fam := binary.LittleEndian.Uint16(b); fam == linux.AF_UNSPEC {
		return 0, 0, true, 0
	} else if fam != linux.AF_NETLINK || n < linux.SizeofSockaddrNetlink {
		return 0, 0, false, linux.EINVAL
	}
	return binary.LittleEndian.Uint32(b[4:]), binary.LittleEndian.Uint32(b[8:]), false, 0
}

// putNetlinkAddr writes sockaddr_nl{port, groups} to (addr, *lenp),
// cut to *lenp bytes, and its full length to *lenp.
func putNetlinkAddr(addr, lenp uint64, port, groups uint32) linux.Errno {
	var b [linux.SizeofSockaddrNetlink]byte
	binary.LittleEndian.PutUint16(b[:], linux.AF_NETLINK)
	binary.LittleEndian.PutUint32(b[4:], port)
	binary.LittleEndian.PutUint32(b[8:], groups)
	return copyOutSockaddr(addr, lenp, b[:])
}

// netlinkBind is bind(fd, addr, len): the port ID (0: the kernel picks
// one, the process's ID first) and the multicast groups, kept though
// nothing is ever sent to them.
func netlinkBind(d *openFile, addr, n uint64) uint64 {
	port, groups, unspec, e := readNetlinkAddr(addr, n)
	if e == 0 && unspec {
		e = linux.EINVAL
	}
	if e != 0 {
		return e.Ret()
	}
	return netlinkSocks.Bind(netlinkOf(d), port, groups, uint32(pid)).Ret0()
}

// netlinkGetsockname is getsockname: port 0 until the socket is bound.
func netlinkGetsockname(d *openFile, addr, lenp uint64) uint64 {
	port, groups := netlinkSocks.Name(netlinkOf(d))
	return putNetlinkAddr(addr, lenp, port, groups).Ret0()
}

// netlinkConnect is connect: only the kernel (port 0) can be the peer
// here; ECONNREFUSED for any other, as there are no sockets of other
// processes to reach. It binds the socket, as Linux does.
func netlinkConnect(d *openFile, addr, n uint64) uint64 {
	port, _, unspec, e := readNetlinkAddr(addr, n)
	if e != 0 {
		return e.Ret()
	}
	if unspec {
		return 0 // disconnect: the peer stays the kernel
	}
	if port != 0 {
		return linux.ECONNREFUSED.Ret()
	}
	if p, _ := netlinkSocks.Name(netlinkOf(d)); p == 0 {
		return netlinkSocks.Bind(netlinkOf(d), 0, 0, uint32(pid)).Ret0()
	}
	return 0
}

// netlinkSend sends the requests in iov to the kernel (addr, when
// given, must name port 0) and queues their replies.
func netlinkSend(d *openFile, iov userIOV, addr, addrLen uint64) uint64 {
	if addr != 0 {
		port, _, _, e := readNetlinkAddr(addr, addrLen)
		if e != 0 {
			return e.Ret()
		}
		if port != 0 {
			return linux.ECONNREFUSED.Ret()
		}
	}
	id := netlinkOf(d)
	total, ok := iov.total()
	if !ok {
		return linux.EINVAL.Ret()
	}
	buf := netlinkSocks.SendBuffer(id)
	if total > uint64(len(buf)) {
		return linux.EMSGSIZE.Ret()
	}
	var n uint64
	for i := range iov.vecs {
		b, ok := iov.buf(i, false)
		if !ok {
			return linux.EFAULT.Ret()
		}
		n += uint64(copy(buf[n:], b))
	}
	netlinkSocks.Send(id, buf[:n], uint32(pid))
	netlinkChanged(id)
	return n
}

// netlinkRecv receives the next datagram into iov: its length (the
// whole datagram's with MSG_TRUNC), and MSG_TRUNC in msg_flags if iov
// was too short for it, in which case the rest is lost as on Linux;
// MSG_PEEK leaves it queued. Nothing queued: EAGAIN, or t waits (wait
// reports it, and the result is then the call's number for RAX).
func netlinkRecv(t *Thread, f *amd64.TrapFrame, d *openFile, iov userIOV, flags uint64) (ret uint64, mflags int32, wait bool) {
	id := netlinkOf(d)
	b, e := netlinkSocks.Receive(id, &ifTable)
	switch e {
	case 0:
	case linux.EAGAIN:
		if d.Flags&linux.O_NONBLOCK != 0 || flags&msgDontWait != 0 {
			return e.Ret(), 0, false
		}
		f.RIP -= syscallInsnLen
		block(t, waitUnix, 0)
		t.unixWait = -(int32(id) + 1)
		return f.RAX, 0, true
	default:
		netlinkSocks.Consume(id) // ENOBUFS is reported once
		return e.Ret(), 0, false
	}
	var n int
	for i := range iov.vecs {
		if n == len(b) {
			break
		}
		out, ok := iov.buf(i, true)
		if !ok {
			if n > 0 {
				break
			}
			return linux.EFAULT.Ret(), 0, false // the datagram stays queued
		}
		n += copy(out, b[n:])
	}
	if n < len(b) {
		mflags = msgTrunc
	}
	if flags&msgTrunc != 0 {
		n = len(b)
	}
	if flags&msgPeek == 0 {
		netlinkSocks.Consume(id)
	}
	return uint64(n), mflags, false
}

// netlinkWake lets a receive waiting on socket id make its call again.
func netlinkWake(id netlink.ID) {
	tag := -(int32(id) + 1)
	for i := range liveSlots() {
		t := &threads[i]
		if t.state == threadBlocked && t.wait == waitUnix && t.unixWait == tag {
			wake(t, t.Frame.RAX) // RAX stays the call's number: the call runs again
		}
	}
}

// netlinkChanged reports that replies were queued on socket id.
func netlinkChanged(id netlink.ID) {
	kindEvent(fdNetlink, int(id), netlinkEvents(id))
	netlinkWake(id)
}

func netlinkEvents(id netlink.ID) uint32 {
	ev := uint32(linux.EPOLLOUT)
	if netlinkSocks.Readable(id) {
		ev |= linux.EPOLLIN
	}
	return ev
}

// netlinkReadiness is description d's readiness for epoll and poll.
func netlinkReadiness(d *openFile) uint32 { return netlinkEvents(netlinkOf(d)) }

// netlinkIno is the inode number of netlink socket description d
// (fstat, socket:[N]): above the AF_UNIX sockets'.
func netlinkIno(d *openFile) uint64 { return unixInoBase<<1 + uint64(d.Obj) }

// netlinkSetsockopt is setsockopt: SO_SNDBUF and SO_RCVBUF are accepted
// and change nothing (the queue is fixed); other SOL_SOCKET names and
// SOL_NETLINK's (memberships, strict checking, extended acks) answer
// ENOPROTOOPT.
func netlinkSetsockopt(level, name, size uint64) uint64 {
	if size < 4 {
		return linux.EINVAL.Ret()
	}
	if level == linux.SOL_SOCKET && (name == linux.SO_SNDBUF || name == linux.SO_RCVBUF) {
		return 0
	}
	return linux.ENOPROTOOPT.Ret()
}

// netlinkGetsockopt is getsockopt: SO_TYPE, SO_DOMAIN, SO_PROTOCOL,
// SO_ERROR and SO_SNDBUF and SO_RCVBUF (Linux's default, 212992).
func netlinkGetsockopt(level, name, value, lenp uint64) uint64 {
	lp, ok := userU32(lenp, true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	if int32(*lp) < 0 {
		return linux.EINVAL.Ret()
	}
	var v int32
	switch {
	case level != linux.SOL_SOCKET:
		return linux.ENOPROTOOPT.Ret()
	case name == linux.SO_TYPE:
		v = linux.SOCK_RAW
	case name == linux.SO_DOMAIN:
		v = linux.AF_NETLINK
	case name == linux.SO_PROTOCOL:
		v = linux.NETLINK_ROUTE
	case name == linux.SO_ERROR:
		v = 0
	case name == linux.SO_SNDBUF, name == linux.SO_RCVBUF:
		v = 212992
	default:
		return linux.ENOPROTOOPT.Ret()
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(v))
	return putOpt(value, lp, b[:])
}

// netlinkRecvmsg is recvmsg(fd, msg, flags): the sender is the kernel
// (port 0), no control messages come.
func netlinkRecvmsg(t *Thread, f *amd64.TrapFrame, d *openFile) uint64 {
	m, iov, e := readMsghdr(f.RSI, true)
	if e != 0 {
		return e.Ret()
	}
	ret, mflags, wait := netlinkRecv(t, f, d, iov, f.RDX)
	if wait || int64(ret) < 0 {
		return ret
	}
	if m.name != 0 {
		if e := putNetlinkAddr(m.name, f.RSI+8, 0, 0); e != 0 {
			return e.Ret()
		}
	}
	m.controllen = 0
	m.flags = mflags
	return ret
}
