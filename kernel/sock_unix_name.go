package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/unixsock"
	"github.com/coracle-os/coracle/kernel/vfs"
)

// Names and connections of AF_UNIX sockets: bind, listen, connect,
// accept, getsockname, getpeername and shutdown. A path name is a
// socket inode of the root tmpfs (tmpfs.MakeSocket), which stat shows
// as S_IFSOCK and unlink removes; the socket is found by the inode's
// number. Shared host directories and disks have no socket inodes:
// bind there answers EOPNOTSUPP, connect ECONNREFUSED.

// unixSockaddr reads the sockaddr_un at (addr, n) into unixAddrBuf and
// decodes it (unixsock.ParseSockaddr).
func unixSockaddr(addr, n uint64) (path, abstract []byte, e linux.Errno) {
	if n > 128 { // sizeof(struct sockaddr_storage)
		return nil, nil, linux.EINVAL
	}
	if n > uint64(len(unixAddrBuf)) {
		return nil, nil, linux.EINVAL
	}
	b, ok := userBytes(addr, n, false)
	if !ok {
		return nil, nil, linux.EFAULT
	}
	k := copy(unixAddrBuf[:], b)
	return unixsock.ParseSockaddr(unixAddrBuf[:k])
}

// unixFind finds the socket a sockaddr_un names, as connect and sendto
// on a socket of type typ do: ENOENT (and the walk's other errors) for
// a path that is not there, None for a name no socket holds.
func unixFind(addr, n uint64, typ unixsock.Type) (unixsock.ID, linux.Errno) {
	path, abstract, e := unixSockaddr(addr, n)
	if e != 0 {
		return unixsock.None, e
	}
	var name unixsock.Name
	switch {
	case abstract != nil:
		name = unixsock.AbstractName(abstract)
	case path != nil:
		if _, ok := intoShare(0, atFDCWD, path, 0); ok {
			return unixsock.None, 0 // no sockets in shares
		}
		r, e := resolve(0, atFDCWD, path, 0)
		if e != 0 {
			return unixsock.None, e
		}
		name = unixsock.PathName(path, uint64(r.Node.Ino))
		if rootFS.Getattr(r.Node.Ino).Mode&linux.S_IFMT != linux.S_IFSOCK {
			return unixsock.None, 0 // ECONNREFUSED, as Linux answers
		}
	default:
		return unixsock.None, linux.EINVAL
	}
	return unixSocks.Lookup(&name, typ), 0
}

// unixBind is bind(2): the family alone autobinds, an abstract name is
// taken if free, a path makes a socket inode (EADDRINUSE if the path
// exists) with mode 0777 less the umask, as Linux's.
func unixBind(d *openFile, addr, n uint64) uint64 {
	id := unixOf(d)
	path, abstract, e := unixSockaddr(addr, n)
	switch {
	case e != 0:
		return e.Ret()
	case abstract != nil:
		name := unixsock.AbstractName(abstract)
		return unixSocks.Bind(id, &name).Ret0()
	case path == nil:
		return unixSocks.Autobind(id).Ret0()
	}
	if _, ok := intoShare(0, atFDCWD, path, vfs.Parent); ok {
		return linux.EOPNOTSUPP.Ret()
	}
	r, e := resolve(0, atFDCWD, path, vfs.Parent)
	switch {
	case e != 0:
		return e.Ret()
	case r.Last != vfs.LastName:
		return linux.EADDRINUSE.Ret() // "/", "." or "..": there already
	}
	if _, e := rootFS.Lookup(r.Node, r.Name); e == 0 {
		return linux.EADDRINUSE.Ret()
	}
	if unixSocks.Name(id).Bound() {
		return linux.EINVAL.Ret()
	}
	ino, e := rootFS.MakeSocket(r.Node.Ino, r.Name, 0o777&^umask, walltime())
	if e != 0 {
		return e.Ret()
	}
	name := unixsock.PathName(path, uint64(ino))
	return unixSocks.Bind(id, &name).Ret0()
}

// unixListen is listen(2).
func unixListen(d *openFile, backlog uint64) uint64 {
	id := unixOf(d)
	b := int(int32(backlog))
	if uint32(backlog) > 4096 { // negative too: net.core.somaxconn
		b = 4096
	}
	if e := unixSocks.Listen(id, b); e != 0 {
		return e.Ret()
	}
	unixChanged(id)
	return 0
}

// unixConnect is connect(2): a stream or sequenced-packet socket joins
// a listener's queue (waiting while it is full, unless non-blocking);
// a datagram socket sets its peer, or forgets it with AF_UNSPEC.
func unixConnect(t *Thread, f *amd64.TrapFrame, d *openFile) uint64 {
	id := unixOf(d)
	if unixSocks.Type(id) == unixsock.Dgram {
		if b, ok := userBytes(f.RSI, 2, false); ok && f.RDX >= 2 && b[0] == linux.AF_UNSPEC && b[1] == 0 {
			old, _ := unixSocks.ConnectDgram(id, unixsock.None, true)
			unixRightsGC(id)
			unixDgramChanged(id, old)
			return 0
		}
		target, e := unixFind(f.RSI, f.RDX, unixsock.Dgram)
		if e != 0 {
			return e.Ret()
		}
		if unixSocks.Passcred(id) {
			unixSocks.Autobind(id)
		}
		old, e := unixSocks.ConnectDgram(id, target, false)
		if e != 0 {
			return e.Ret()
		}
		unixRightsGC(id) // a new peer: what was received is dropped
		unixDgramChanged(id, old)
		return 0
	}
	target, e := unixFind(f.RSI, f.RDX, unixSocks.Type(id))
	if e != 0 {
		return e.Ret()
	}
	switch e := unixSocks.CanConnect(id, target); e {
	case 0:
	case linux.EAGAIN:
		return unixWouldBlock(t, f, d, target, false)
	default:
		return e.Ret()
	}
	if unixSocks.Passcred(id) {
		unixSocks.Autobind(id)
	}
	child, e := unixAlloc(unixSocks.Type(id))
	if e != 0 {
		return e.Ret()
	}
	unixSocks.Connect(id, target, child)
	unixTimeouts[child] = unixTimeouts[target] // inherited, as on Linux
	unixChanged(target)
	unixChanged(id)
	return 0
}

// unixDgramChanged reports a datagram socket's new peer: id changed,
// and so did its old peer if it got an error.
func unixDgramChanged(id, old unixsock.ID) {
	unixChanged(id)
	if old != unixsock.None && unixSocks.Valid(old) {
		unixChanged(old)
	}
}

// unixAccept is accept4(2) on listener d.
func unixAccept(t *Thread, f *amd64.TrapFrame, d *openFile, flags uint64) uint64 {
	id := unixOf(d)
	if flags&^(linux.SOCK_NONBLOCK|linux.SOCK_CLOEXEC) != 0 {
		return linux.EINVAL.Ret()
	}
	if unixSocks.Type(id) == unixsock.Dgram {
		return linux.EOPNOTSUPP.Ret()
	}
	c, e := unixSocks.Accept(id)
	switch e {
	case 0:
	case linux.EAGAIN:
		return unixWouldBlock(t, f, d, id, false)
	default:
		return e.Ret()
	}
	fd := allocFD(fdUnix, int(c), linux.O_RDWR|uint32(flags)&linux.O_NONBLOCK, flags&linux.SOCK_CLOEXEC != 0)
	if fd < 0 {
		unixSocks.Unaccept(id, c)
		return linux.EMFILE.Ret()
	}
	unixChanged(id) // the queue has room: a waiting connect goes on
	if f.RSI != 0 {
		pn, _ := unixSocks.PeerName(c)
		if e := putUnixName(f.RSI, f.RDX, pn); e != 0 {
			return e.Ret()
		}
	}
	return uint64(fd)
}

// putUnixName writes name's sockaddr_un to (addr, *lenp), as much as
// fits, and its full length to *lenp, as Linux's getsockname does.
func putUnixName(addr, lenp uint64, name *unixsock.Name) linux.Errno {
	var b [2 + unixsock.PathMax + 1]byte
	n := name.PutSockaddr(b[:])
	return copyOutSockaddr(addr, lenp, b[:n])
}

// putUnixFrom writes a received message's sender to (addr, *lenp) as
// recvfrom and recvmsg do: an unnamed sender is length 0.
func putUnixFrom(addr, lenp uint64, name *unixsock.Name) linux.Errno {
	if addr == 0 {
		return 0
	}
	if !name.Bound() {
		lp, ok := userU32(lenp, true)
		if !ok {
			return linux.EFAULT
		}
		*lp = 0
		return 0
	}
	return putUnixName(addr, lenp, name)
}

// unixShutdown is shutdown(2).
func unixShutdown(d *openFile, how uint64) uint64 {
	id := unixOf(d)
	p, e := unixSocks.Shut(id, how)
	if e != 0 {
		return e.Ret()
	}
	unixChanged(id)
	if p != unixsock.None {
		unixRoomChanged(p)
	}
	return 0
}
