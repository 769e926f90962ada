package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/socktab"
)

// The data path of sockets: read, write, readv, writev, sendto,
// recvfrom, sendmsg and recvmsg, against the socket's rings. A stream
// socket's rings hold bytes; a datagram socket's hold records
// (socktab.DgramHeader), one per datagram.

// sendto(fd, buf, len, flags, dest, addrlen)
func sysSendto(t *Thread, f *amd64.TrapFrame) uint64 {
	if d := unixDesc(f.RDI); d != nil {
		var v iovec
		return unixSend(t, f, d, oneIOV(&v, f.RSI, f.RDX), f.R10, f.R8, f.R9)
	}
	if d := netlinkDesc(f.RDI); d != nil {
		var v iovec
		return netlinkSend(d, oneIOV(&v, f.RSI, f.RDX), f.R8, f.R9)
	}
	id, s, e := sockOf(f.RDI)
	if e != 0 {
		return e.Ret()
	}
	var to *socktab.Addr
	var dest socktab.Addr
	if f.R8 != 0 && s.Type == socktab.Dgram {
		if dest, e = parseSockaddr(f.R8, f.R9, s.Family); e != 0 {
			return e.Ret()
		}
		to = &dest
	}
	var v iovec
	return sockResult(t, f, lookupFD(f.RDI), sockSend(id, oneIOV(&v, f.RSI, f.RDX), to), f.R10&msgDontWait != 0)
}

// recvfrom(fd, buf, len, flags, src, addrlen)
func sysRecvfrom(t *Thread, f *amd64.TrapFrame) uint64 {
	if d := unixDesc(f.RDI); d != nil {
		var v iovec
		ret, _ := unixRecv(t, f, d, oneIOV(&v, f.RSI, f.RDX), f.R10, f.R8, f.R9, nil, nil)
		return ret
	}
	if d := netlinkDesc(f.RDI); d != nil {
		var v iovec
		ret, _, wait := netlinkRecv(t, f, d, oneIOV(&v, f.RSI, f.RDX), f.R10)
		if !wait && int64(ret) >= 0 && f.R8 != 0 {
			if e := putNetlinkAddr(f.R8, f.R9, 0, 0); e != 0 {
				return e.Ret()
			}
		}
		return ret
	}
	id, s, e := sockOf(f.RDI)
	if e != 0 {
		return e.Ret()
	}
	var v iovec
	ret, from, _ := sockRecv(id, oneIOV(&v, f.RSI, f.RDX), f.R10)
	if blocking(lookupFD(f.RDI), ret, f.R10&msgDontWait != 0) {
		return waitSocketThenRetry(t, f, id)
	}
	if int64(ret) >= 0 && f.R8 != 0 {
		if e := putSockaddr(f.R8, f.R9, from, s.Family); e != 0 {
			return e.Ret()
		}
	}
	return ret
}

// sendmsg(fd, msg, flags). Control messages are not supported: a
// message that carries any fails with EOPNOTSUPP rather than losing them.
func sysSendmsg(t *Thread, f *amd64.TrapFrame) uint64 {
	if d := unixDesc(f.RDI); d != nil {
		return unixSendmsg(t, f, d)
	}
	if d := netlinkDesc(f.RDI); d != nil {
		m, iov, e := readMsghdr(f.RSI, false)
		if e != 0 {
			return e.Ret()
		}
		return netlinkSend(d, iov, m.name, uint64(m.namelen)) // control messages are ignored
	}
	id, s, e := sockOf(f.RDI)
	if e != 0 {
		return e.Ret()
	}
	m, iov, e := readMsghdr(f.RSI, false)
	if e != 0 {
		return e.Ret()
	}
	if m.controllen != 0 {
		return linux.EOPNOTSUPP.Ret()
	}
	var to *socktab.Addr
	var dest socktab.Addr
	if m.name != 0 && s.Type == socktab.Dgram {
		if dest, e = parseSockaddr(m.name, uint64(m.namelen), s.Family); e != 0 {
			return e.Ret()
		}
		to = &dest
	}
	return sockResult(t, f, lookupFD(f.RDI), sockSend(id, iov, to), f.RDX&msgDontWait != 0)
}

// recvmsg(fd, msg, flags)
func sysRecvmsg(t *Thread, f *amd64.TrapFrame) uint64 {
	if d := unixDesc(f.RDI); d != nil {
		return unixRecvmsg(t, f, d)
	}
	if d := netlinkDesc(f.RDI); d != nil {
		return netlinkRecvmsg(t, f, d)
	}
	id, s, e := sockOf(f.RDI)
	if e != 0 {
		return e.Ret()
	}
	m, iov, e := readMsghdr(f.RSI, true)
	if e != 0 {
		return e.Ret()
	}
	ret, from, mflags := sockRecv(id, iov, f.RDX)
	if blocking(lookupFD(f.RDI), ret, f.RDX&msgDontWait != 0) {
		return waitSocketThenRetry(t, f, id)
	}
	if int64(ret) < 0 {
		return ret
	}
	if m.name != 0 {
		if e := putSockaddr(m.name, f.RSI+8, from, s.Family); e != 0 {
			return e.Ret()
		}
	}
	m.controllen = 0
	m.flags = mflags
	return ret
}
