package kernel

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/unixsock"
)

// Options of AF_UNIX sockets (socket(7), unix(7)), all at SOL_SOCKET:
// other names there answer ENOPROTOOPT, other levels EOPNOTSUPP, as on
// Linux.
//
// setsockopt: SO_SNDBUF and SO_RCVBUF are kept as Linux keeps them
// (doubled, capped) and read back, but the ring stays 64 KiB;
// SO_PASSCRED is kept (and autobinds on connect and send, as Linux)
// though no SCM_CREDENTIALS message is delivered; SO_REUSEADDR,
// SO_KEEPALIVE and SO_BROADCAST are kept and read back, and change
// nothing, as on Linux; SO_LINGER is accepted; SO_RCVTIMEO and
// SO_SNDTIMEO bound blocking calls. SO_REUSEPORT answers EOPNOTSUPP,
// as Linux does for AF_UNIX.
//
// getsockopt also has SO_TYPE, SO_DOMAIN (AF_UNIX), SO_PROTOCOL (0),
// SO_ERROR (which reading clears), SO_ACCEPTCONN and SO_PEERCRED: the
// one process's credentials (pid 1, uid 0, gid 0) for a connected or
// listening stream or sequenced-packet socket, and pid 0 with uid and
// gid -1 otherwise, as Linux.

// The option bits unixsock keeps for the kernel.
const (
	unixOptReuseAddr = 1 << iota
	unixOptKeepAlive
	unixOptBroadcast
)

// unixFlagOpt is the option bit of a boolean option name, or 0.
func unixFlagOpt(name uint64) uint32 {
	switch name {
	case linux.SO_REUSEADDR:
		return unixOptReuseAddr
	case linux.SO_KEEPALIVE:
		return unixOptKeepAlive
	case linux.SO_BROADCAST:
		return unixOptBroadcast
	}
	return 0
}

// unixSetsockopt is setsockopt(fd, level, name, value, size).
func unixSetsockopt(d *openFile, level, name, value, size uint64) uint64 {
	id := unixOf(d)
	if level != linux.SOL_SOCKET {
		return linux.EOPNOTSUPP.Ret() // no protocol levels, as Linux's AF_UNIX
	}
	switch name {
	case linux.SO_RCVTIMEO, linux.SO_SNDTIMEO:
		return unixSetTimeout(id, name == linux.SO_SNDTIMEO, value, size)
	case linux.SO_LINGER:
		if size < 8 {
			return linux.EINVAL.Ret()
		}
		if _, ok := userBytes(value, 8, false); !ok {
			return linux.EFAULT.Ret()
		}
		return 0
	}
	if size < 4 {
		return linux.EINVAL.Ret()
	}
	p, ok := userU32(value, false)
	if !ok {
		return linux.EFAULT.Ret()
	}
	v := int32(*p)
	switch name {
	case linux.SO_SNDBUF, linux.SO_RCVBUF:
		unixSocks.SetBuf(id, name == linux.SO_SNDBUF, v)
	case linux.SO_PASSCRED:
		unixSocks.SetPasscred(id, v != 0)
	case linux.SO_REUSEPORT:
		if v != 0 {
			return linux.EOPNOTSUPP.Ret()
		}
	case linux.SO_REUSEADDR, linux.SO_KEEPALIVE, linux.SO_BROADCAST:
		o := unixSocks.Opts(id) &^ unixFlagOpt(name)
		if v != 0 {
			o |= unixFlagOpt(name)
		}
		unixSocks.SetOpts(id, o)
	default:
		return linux.ENOPROTOOPT.Ret()
	}
	return 0
}

// unixGetsockopt is getsockopt(fd, level, name, value, lenp).
func unixGetsockopt(d *openFile, level, name, value, lenp uint64) uint64 {
	id := unixOf(d)
	if level != linux.SOL_SOCKET {
		return linux.EOPNOTSUPP.Ret() // no protocol levels, as Linux's AF_UNIX
	}
	lp, ok := userU32(lenp, true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	if int32(*lp) < 0 {
		return linux.EINVAL.Ret()
	}
	switch name {
	case linux.SO_RCVTIMEO, linux.SO_SNDTIMEO:
		return unixGetTimeout(id, name == linux.SO_SNDTIMEO, value, lp)
	case linux.SO_PEERCRED:
		var c [12]byte // struct ucred: pid, uid, gid
		if unixSocks.HasCreds(id) {
			binary.LittleEndian.PutUint32(c[:], 1)
		} else {
			binary.LittleEndian.PutUint32(c[4:], 0xffffffff)
			binary.LittleEndian.PutUint32(c[8:], 0xffffffff)
		}
		return putOpt(value, lp, c[:])
	}
	var v int32
	switch name {
	case linux.SO_TYPE:
		v = int32(unixSocks.Type(id))
	case linux.SO_DOMAIN:
		v = linux.AF_UNIX
	case linux.SO_PROTOCOL:
		v = 0
	case linux.SO_ERROR:
		v = int32(unixSocks.TakeError(id))
	case linux.SO_ACCEPTCONN:
		if unixSocks.State(id) == unixsock.Listening {
			v = 1
		}
	case linux.SO_SNDBUF, linux.SO_RCVBUF:
		v = unixSocks.Buf(id, name == linux.SO_SNDBUF)
	case linux.SO_PASSCRED:
		if unixSocks.Passcred(id) {
			v = 1
		}
	case linux.SO_REUSEADDR, linux.SO_KEEPALIVE, linux.SO_BROADCAST:
		if unixSocks.Opts(id)&unixFlagOpt(name) != 0 {
			v = 1
		}
	default:
		return linux.ENOPROTOOPT.Ret()
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(v))
	return putOpt(value, lp, b[:])
}

// putOpt stores an option's value b at value, cut to *lp bytes as
// Linux's sock_getsockopt does, and its length at *lp.
func putOpt(value uint64, lp *uint32, b []byte) uint64 {
	n := min(int(*lp), len(b))
	out, ok := userBytes(value, uint64(n), true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	copy(out, b[:n])
	*lp = uint32(n)
	return 0
}

// unixSetTimeout is setsockopt of SO_RCVTIMEO or SO_SNDTIMEO (send): a
// struct timeval at addr; zero means wait forever.
func unixSetTimeout(id unixsock.ID, send bool, addr, n uint64) uint64 {
	ns, e := timeoutArg(addr, n)
	if e != 0 {
		return e.Ret()
	}
	unixTimeouts[id][timeoutIndex(send)] = ns
	return 0
}

// unixGetTimeout is getsockopt of SO_RCVTIMEO or SO_SNDTIMEO.
func unixGetTimeout(id unixsock.ID, send bool, addr uint64, lp *uint32) uint64 {
	k := 0
	if send {
		k = 1
	}
	ns := unixTimeouts[id][k]
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:], uint64(ns/1e9))
	binary.LittleEndian.PutUint64(b[8:], uint64(ns%1e9/1e3))
	return putOpt(addr, lp, b[:])
}
