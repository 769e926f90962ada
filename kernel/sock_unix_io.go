package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/unixsock"
)

// The data path of AF_UNIX sockets: read, write, readv, writev, sendto,
// recvfrom, sendmsg and recvmsg. A stream socket moves bytes into its
// peer's ring; a datagram or sequenced-packet socket puts whole
// messages, with the sender's name, in the receiver's.

// unixSend sends iov on d with send(2)'s flags: to the sockaddr at
// (dest, destLen) if dest is not 0, else to the peer.
func unixSend(t *Thread, f *amd64.TrapFrame, d *openFile, iov userIOV, flags, dest, destLen uint64) uint64 {
	id := unixOf(d)
	total, ok := iov.total()
	if !ok {
		return linux.EINVAL.Ret()
	}
	if unixSocks.Type(id) == unixsock.Stream {
		if dest != 0 {
			if unixSocks.State(id) == unixsock.Connected {
				return linux.EISCONN.Ret()
			}
			return linux.EOPNOTSUPP.Ret()
		}
		return unixStreamSend(t, f, d, iov, total, flags)
	}
	return unixMsgSend(t, f, d, iov, total, flags, dest, destLen)
}

// unixStreamSend writes iov (total bytes) to a stream socket's peer. A
// blocking write waits until all of it went in; a non-blocking one
// takes what fits, EAGAIN if nothing does.
func unixStreamSend(t *Thread, f *amd64.TrapFrame, d *openFile, iov userIOV, total, flags uint64) uint64 {
	id := unixOf(d)
	done := t.unixDone
	peer := unixSocks.Peer(id)
	if t.unixWait != int32(peer)+1 || done >= total {
		done = 0
	}
	t.unixDone, t.unixWait = 0, 0
	room, e := unixSocks.StreamSend(id)
	if e != 0 {
		if e == linux.EPIPE && flags&linux.MSG_NOSIGNAL == 0 {
			raiseSIGPIPE(t)
		}
		return doneOr(done, e)
	}
	if total == 0 {
		return 0
	}
	if room == 0 {
		t.unixDone = done
		ret := unixWouldBlock(t, f, d, peer, flags&linux.MSG_DONTWAIT != 0)
		if ret == linux.EAGAIN.Ret() {
			t.unixDone = 0
			return doneOr(done, linux.EAGAIN)
		}
		return ret
	}
	n := done
	skip := done
	for i := range iov.vecs {
		if room == 0 {
			break
		}
		b, ok := iov.buf(i, false)
		if !ok {
			if n > done {
				break
			}
			return doneOr(done, linux.EFAULT)
		}
		if skip >= uint64(len(b)) {
			skip -= uint64(len(b))
			continue
		}
		b = b[skip:]
		skip = 0
		k := unixSocks.Put(id, &physMem, b[:min(len(b), room)])
		room -= k
		n += uint64(k)
	}
	unixChanged(peer)
	if n < total && d.Flags&linux.O_NONBLOCK == 0 && flags&linux.MSG_DONTWAIT == 0 {
		t.unixDone = n
		return unixWaitThenRetry(t, f, id, peer)
	}
	return n
}

// unixMsgSend sends iov (total bytes) as one datagram or packet.
func unixMsgSend(t *Thread, f *amd64.TrapFrame, d *openFile, iov userIOV, total, flags, dest, destLen uint64) uint64 {
	id := unixOf(d)
	to := unixsock.None
	hasDest := dest != 0 && unixSocks.Type(id) == unixsock.Dgram
	if hasDest {
		var e linux.Errno
		if to, e = unixFind(dest, destLen, unixsock.Dgram); e != 0 {
			return e.Ret()
		}
	}
	// Every buffer must be readable before anything goes in: a
	// message is whole or not there.
	for i := range iov.vecs {
		if _, ok := iov.buf(i, false); !ok {
			return linux.EFAULT.Ret()
		}
	}
	if unixSocks.Passcred(id) {
		unixSocks.Autobind(id)
	}
	to, e := unixSocks.MsgSend(id, to, hasDest, int(min(total, unixsock.MaxMsg+1)))
	switch e {
	case 0:
	case linux.EAGAIN:
		return unixWouldBlock(t, f, d, to, flags&linux.MSG_DONTWAIT != 0)
	case linux.ECONNREFUSED:
		unixChanged(id) // disconnected
		return e.Ret()
	default:
		return e.Ret()
	}
	unixSocks.PutMsgHeader(to, id, &physMem, int(total))
	for i := range iov.vecs {
		b, _ := iov.buf(i, false)
		unixSocks.PutMsg(to, &physMem, b)
	}
	unixChanged(to)
	return total
}

// unixRecv receives into iov on d with recv(2)'s flags; the sender's
// name goes to (from, fromLenp) if from is not 0. It returns the result
// and the msg_flags to report.
func unixRecv(t *Thread, f *amd64.TrapFrame, d *openFile, iov userIOV, flags, from, fromLenp uint64) (uint64, int32) {
	id := unixOf(d)
	total, ok := iov.total()
	if !ok {
		return linux.EINVAL.Ret(), 0
	}
	dontWait := flags&linux.MSG_DONTWAIT != 0
	if unixSocks.Type(id) == unixsock.Stream {
		if total == 0 && unixSocks.State(id) == unixsock.Connected {
			return 0, 0 // Linux: a read of nothing never waits
		}
		avail, eof, e := unixSocks.StreamRecv(id)
		switch {
		case e == linux.EAGAIN:
			return unixWouldBlock(t, f, d, id, dontWait), 0
		case e != 0:
			unixChanged(id) // the error is taken
			return e.Ret(), 0
		case eof:
			return 0, 0
		}
		var n int
		for i := range iov.vecs {
			if n == avail {
				break
			}
			b, ok := iov.buf(i, true)
			if !ok {
				if n > 0 {
					break
				}
				return linux.EFAULT.Ret(), 0
			}
			n += unixSocks.Peek(id, &physMem, n, b[:min(len(b), avail-n)])
		}
		if flags&linux.MSG_PEEK == 0 {
			unixSocks.Consume(id, n)
			unixRoomChanged(id)
		}
		if pn, e := unixSocks.PeerName(id); e == 0 {
			if e := putUnixFrom(from, fromLenp, pn); e != 0 {
				return e.Ret(), 0
			}
		}
		return uint64(n), 0
	}
	eof, e := unixSocks.MsgRecv(id)
	switch {
	case e == linux.EAGAIN:
		return unixWouldBlock(t, f, d, id, dontWait), 0
	case e != 0:
		unixChanged(id)
		return e.Ret(), 0
	case eof:
		return 0, 0
	}
	size, off, _ := unixSocks.NextMsg(id, &physMem)
	var n int
	for i := range iov.vecs {
		if n == size {
			break
		}
		b, ok := iov.buf(i, true)
		if !ok {
			return linux.EFAULT.Ret(), 0 // the message stays queued
		}
		n += unixSocks.Peek(id, &physMem, off+n, b[:min(len(b), size-n)])
	}
	sender := unixSocks.MsgSender(id, &physMem)
	if e := putUnixFrom(from, fromLenp, &sender); e != 0 {
		return e.Ret(), 0
	}
	var mflags int32
	if n < size {
		mflags = linux.MSG_TRUNC
	}
	if flags&linux.MSG_PEEK == 0 {
		unixSocks.DropMsg(id, &physMem)
		unixRoomChanged(id)
	}
	if flags&linux.MSG_TRUNC != 0 {
		n = size // MSG_TRUNC asks for the message's real length
	}
	return uint64(n), mflags
}

// unixRead and unixWrite serve read(2), write(2), readv and writev.
func unixRead(t *Thread, f *amd64.TrapFrame, d *openFile, iov userIOV) uint64 {
	ret, _ := unixRecv(t, f, d, iov, 0, 0, 0)
	return ret
}

func unixWrite(t *Thread, f *amd64.TrapFrame, d *openFile, iov userIOV) uint64 {
	return unixSend(t, f, d, iov, 0, 0, 0)
}

// unixSendKernel writes kernel bytes b to stream socket d's peer
// (sendfile): what went in, EAGAIN when its ring is full.
func unixSendKernel(t *Thread, d *openFile, b []byte) (int, linux.Errno) {
	id := unixOf(d)
	if unixSocks.Type(id) != unixsock.Stream {
		return 0, linux.EINVAL
	}
	room, e := unixSocks.StreamSend(id)
	if e != 0 {
		if e == linux.EPIPE {
			raiseSIGPIPE(t)
		}
		return 0, e
	}
	if room == 0 {
		return 0, linux.EAGAIN
	}
	n := unixSocks.Put(id, &physMem, b[:min(len(b), room)])
	unixChanged(unixSocks.Peer(id))
	return n, 0
}

// unixSendmsg is sendmsg(2) on an AF_UNIX socket.
func unixSendmsg(t *Thread, f *amd64.TrapFrame, d *openFile) uint64 {
	m, iov, e := readMsghdr(f.RSI, false)
	if e != 0 {
		return e.Ret()
	}
	if m.controllen != 0 {
		return linux.EOPNOTSUPP.Ret()
	}
	var dest uint64
	if m.name != 0 && m.namelen != 0 {
		dest = m.name
	}
	return unixSend(t, f, d, iov, f.RDX, dest, uint64(m.namelen))
}

// unixRecvmsg is recvmsg(2) on an AF_UNIX socket: no control messages
// come back (msg_controllen 0).
func unixRecvmsg(t *Thread, f *amd64.TrapFrame, d *openFile) uint64 {
	m, iov, e := readMsghdr(f.RSI, true)
	if e != 0 {
		return e.Ret()
	}
	ret, mflags := unixRecv(t, f, d, iov, f.RDX, m.name, f.RSI+8)
	if t.state == threadBlocked || int64(ret) < 0 {
		return ret
	}
	m.controllen = 0
	m.flags = mflags
	return ret
}
