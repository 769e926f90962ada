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
	batch := -1
	if done == 0 {
		if batch, e = unixAttachRights(peer, unixSocks.RecvTail(peer)); e != 0 {
			return e.Ret()
		}
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
	if batch >= 0 {
		unixRights[batch].len = n
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
		unixRightsGC(id) // disconnected: what it had received is gone
		unixChanged(id)
		return e.Ret()
	default:
		return e.Ret()
	}
	if _, e := unixAttachRights(to, unixSocks.RecvTail(to)); e != 0 {
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
// name goes to (from, fromLenp) if from is not 0, and descriptors
// passed with the data to recvmsg's m (nil for the other calls), whose
// control bytes used it stores in *used. It returns the result and the
// msg_flags to report.
func unixRecv(t *Thread, f *amd64.TrapFrame, d *openFile, iov userIOV, flags, from, fromLenp uint64, m *msghdr, used *uint64) (uint64, int32) {
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
		head := unixSocks.RecvHead(id)
		rights := uint64(0) // where the descriptors' data starts, + 1
		if b := unixNextRights(id, head); b >= 0 && unixRights[b].pos < head+uint64(avail) {
			// The read stops at the end of the write that
			// carried descriptors.
			avail = int(min(uint64(avail), unixRights[b].pos+unixRights[b].len-head))
			rights = unixRights[b].pos + 1
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
		var mflags int32
		if flags&linux.MSG_PEEK == 0 {
			if rights != 0 && head+uint64(n) >= rights {
				mflags = unixTakeRights(id, rights-1, m, flags, used)
			}
			unixSocks.Consume(id, n)
			unixRightsGC(id)
			unixRoomChanged(id)
		}
		if pn, e := unixSocks.PeerName(id); e == 0 {
			if e := putUnixFrom(from, fromLenp, pn); e != 0 {
				return e.Ret(), 0
			}
		}
		return uint64(n), mflags
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
		mflags |= unixTakeRights(id, unixSocks.RecvHead(id), m, flags, used)
		unixSocks.DropMsg(id, &physMem)
		unixRightsGC(id)
		unixRoomChanged(id)
	}
	if flags&linux.MSG_TRUNC != 0 {
		n = size // MSG_TRUNC asks for the message's real length
	}
	return uint64(n), mflags
}

// unixTakeRights gives recvmsg's m the descriptors that travel with
// the data at position pos of socket id's ring, if any (read and
// recvfrom, m nil, leave them for unixRightsGC to release), and returns
// MSG_CTRUNC if they did not all fit.
func unixTakeRights(id unixsock.ID, pos uint64, m *msghdr, flags uint64, used *uint64) int32 {
	if m == nil {
		return 0
	}
	b := unixRightsAt(id, pos)
	if b < 0 {
		return 0
	}
	u, ctrunc := unixDeliverRights(b, m, flags&linux.MSG_CMSG_CLOEXEC != 0)
	*used = u
	if ctrunc {
		return linux.MSG_CTRUNC
	}
	return 0
}

// unixRead and unixWrite serve read(2), write(2), readv and writev.
func unixRead(t *Thread, f *amd64.TrapFrame, d *openFile, iov userIOV) uint64 {
	ret, _ := unixRecv(t, f, d, iov, 0, 0, 0, nil, nil)
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
	if e := unixParseControl(m.control, m.controllen); e != 0 {
		return e.Ret()
	}
	var dest uint64
	if m.name != 0 && m.namelen != 0 {
		dest = m.name
	}
	ret := unixSend(t, f, d, iov, f.RDX, dest, uint64(m.namelen))
	unixSendN = 0 // not sent: nothing is held
	return ret
}

// unixRecvmsg is recvmsg(2) on an AF_UNIX socket: descriptors passed
// with the data come back in an SCM_RIGHTS message.
func unixRecvmsg(t *Thread, f *amd64.TrapFrame, d *openFile) uint64 {
	m, iov, e := readMsghdr(f.RSI, true)
	if e != 0 {
		return e.Ret()
	}
	var used uint64
	ret, mflags := unixRecv(t, f, d, iov, f.RDX, m.name, f.RSI+8, m, &used)
	if t.state == threadBlocked || int64(ret) < 0 {
		return ret
	}
	m.controllen = used
	m.flags = mflags
	return ret
}
