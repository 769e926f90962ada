package kernel

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/unixsock"
)

// AF_UNIX sockets: the kernel's side of package unixsock, which has the
// rules. They need no network, so they are served here in trap
// context, like pipes, not by the socket service. Each socket is a
// description of kind fdUnix whose Obj is its unixsock.ID; its receive
// ring is unixsock.Pages frames taken when the socket is made (ENOMEM
// if that would eat into commitReserve, ENFILE past
// unixsock.MaxSockets) and given back when its last descriptor closes.
//
// A call that would block on a descriptor without O_NONBLOCK (and
// without MSG_DONTWAIT) parks the thread on the socket it waits for
// (its own ring, a peer's ring, a listener's queue) and makes the same
// call again when that socket changes, as pipes do; SO_RCVTIMEO and
// SO_SNDTIMEO end the wait with EAGAIN. A blocking stream write larger
// than the room there is goes in piece by piece (Thread.unixDone).
// Every change reports the socket's whole readiness to epoll and poll
// (unixChanged), as Linux wakes a socket's waiters on every change.

// unixDesc returns descriptor fd's description if it is an AF_UNIX
// socket, else nil.
func unixDesc(fd uint64) *openFile { return lookupKind(fd, fdUnix) }

func unixOf(d *openFile) unixsock.ID { return unixsock.ID(d.Obj) }

// unixType decodes socket(2)'s type for AF_UNIX: EINVAL for unknown
// flags, ESOCKTNOSUPPORT for unknown types. SOCK_RAW is a datagram
// socket, as on Linux.
func unixType(typ uint64) (unixsock.Type, linux.Errno) {
	if !sockTypeFlagsOK(typ) {
		return 0, linux.EINVAL
	}
	switch typ & linux.SOCK_TYPE_MASK {
	case linux.SOCK_STREAM:
		return unixsock.Stream, 0
	case linux.SOCK_DGRAM, linux.SOCK_RAW:
		return unixsock.Dgram, 0
	case linux.SOCK_SEQPACKET:
		return unixsock.SeqPacket, 0
	}
	return 0, linux.ESOCKTNOSUPPORT
}

// unixAlloc makes an unconnected socket of type typ with its ring.
func unixAlloc(typ unixsock.Type) (unixsock.ID, linux.Errno) {
	id := unixSocks.FreeSlot()
	if id == unixsock.None {
		return id, linux.ENFILE
	}
	need := uint64(unixsock.Pages + commitReserve/4096)
	if frames.FreeCount() < need && (!reclaimFrames() || frames.FreeCount() < need) {
		return unixsock.None, linux.ENOMEM
	}
	var pages [unixsock.Pages]uint64
	for i := range pages {
		pa, ok := frames.Alloc()
		if !ok {
			for _, pa := range pages[:i] {
				frames.Free(pa)
			}
			return unixsock.None, linux.ENOMEM
		}
		pages[i] = pa
	}
	unixSocks.Init(id, typ, &pages)
	unixTimeouts[id] = [2]int64{}
	return id, 0
}

// unixNewFD makes a socket of type typ and a descriptor for it, with
// socket(2)'s flags.
func unixNewFD(typ unixsock.Type, flags uint64) (int, unixsock.ID, linux.Errno) {
	id, e := unixAlloc(typ)
	if e != 0 {
		return -1, id, e
	}
	fd := allocFD(fdUnix, int(id), linux.O_RDWR|uint32(flags)&linux.O_NONBLOCK, flags&linux.SOCK_CLOEXEC != 0)
	if fd < 0 {
		unixRelease(id)
		return -1, unixsock.None, linux.EMFILE
	}
	return fd, id, 0
}

// unixSocket is socket(AF_UNIX, typ, proto).
func unixSocket(typ, proto uint64) uint64 {
	ut, e := unixType(typ)
	if e != 0 {
		return e.Ret()
	}
	if proto != 0 && proto != linux.AF_UNIX {
		return linux.EPROTONOSUPPORT.Ret()
	}
	fd, _, e := unixNewFD(ut, typ)
	if e != 0 {
		return e.Ret()
	}
	return uint64(fd)
}

// unixSocketpair is socketpair(domain, type, protocol, sv): AF_UNIX
// only; the Internet families answer EOPNOTSUPP, as Linux's do.
func unixSocketpair(f *amd64.TrapFrame) uint64 {
	switch f.RDI {
	case linux.AF_UNIX:
	case afInet, afInet6:
		return linux.EOPNOTSUPP.Ret()
	default:
		return linux.EAFNOSUPPORT.Ret()
	}
	ut, e := unixType(f.RSI)
	if e != 0 {
		return e.Ret()
	}
	if f.RDX != 0 && f.RDX != linux.AF_UNIX {
		return linux.EPROTONOSUPPORT.Ret()
	}
	out, ok := userBytes(f.R10, 8, true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	a, ida, e := unixNewFD(ut, f.RSI)
	if e != 0 {
		return e.Ret()
	}
	b, idb, e := unixNewFD(ut, f.RSI)
	if e != 0 {
		closeFD(uint64(a))
		return e.Ret()
	}
	unixSocks.Pair(ida, idb)
	binary.LittleEndian.PutUint32(out, uint32(a))
	binary.LittleEndian.PutUint32(out[4:], uint32(b))
	return 0
}

// unixRelease closes socket id, its last descriptor gone: the
// connections queued on a listener are closed too (their clients see
// ECONNRESET), the peer hears of it, and the frames go back.
func unixRelease(id unixsock.ID) {
	if unixSocks.State(id) == unixsock.Listening {
		for c := unixSocks.TakeQueued(id); c != unixsock.None; c = unixSocks.TakeQueued(id) {
			unixRelease(c)
		}
	}
	var affected [unixsock.MaxSockets]bool
	for p := range unixsock.MaxSockets {
		if q := unixsock.ID(p); q != id && unixSocks.Valid(q) && unixSocks.Peer(q) == id {
			affected[p] = true
		}
	}
	pages := *unixSocks.Pages(id)
	if p := unixSocks.Close(id); p != unixsock.None {
		affected[p] = true
	}
	for _, pa := range pages {
		frames.Free(pa)
	}
	unixWake(id) // callers waiting on it make their calls again and find it gone
	for p, yes := range affected {
		if yes && unixSocks.Valid(unixsock.ID(p)) {
			unixChanged(unixsock.ID(p))
		}
	}
	unixRightsClose(id) // last: releasing them may close more sockets
}

// unixChanged reports a change of socket id: its whole readiness to
// epoll and poll, and the threads waiting on it make their calls again.
func unixChanged(id unixsock.ID) {
	if ev := unixSocks.Events(id); ev != 0 {
		kindEvent(fdUnix, int(id), ev)
	}
	unixWake(id)
}

// unixRoomChanged reports that socket id's ring has more room: id
// itself changed, and so did the writability of the sockets connected
// to it.
func unixRoomChanged(id unixsock.ID) {
	unixChanged(id)
	for p := range unixsock.MaxSockets {
		if q := unixsock.ID(p); q != id && unixSocks.Valid(q) && unixSocks.Peer(q) == id {
			if ev := unixSocks.Events(q); ev != 0 {
				kindEvent(fdUnix, p, ev)
			}
		}
	}
}

// unixWake lets the threads waiting on socket id make their calls
// again. unixWait stays, for a stream write to know it waited there.
func unixWake(id unixsock.ID) {
	for i := range liveSlots() {
		t := &threads[i]
		if t.state == threadBlocked && t.wait == waitUnix && t.unixWait == int32(id)+1 {
			wake(t, t.Frame.RAX) // RAX stays the call's number: the call runs again
		}
	}
}

// unixWouldBlock answers EAGAIN on a non-blocking descriptor (or with
// MSG_DONTWAIT) and otherwise parks t until socket on changes.
func unixWouldBlock(t *Thread, f *amd64.TrapFrame, d *openFile, on unixsock.ID, dontWait bool) uint64 {
	if d.Flags&linux.O_NONBLOCK != 0 || dontWait {
		return linux.EAGAIN.Ret()
	}
	return unixWaitThenRetry(t, f, unixOf(d), on)
}

// unixWaitThenRetry parks t, in a call on socket self, until socket on
// changes, and returns the call's own number for RAX: with RIP moved
// back over SYSCALL, the woken thread makes the call again. The wait
// ends with EAGAIN after self's SO_RCVTIMEO or SO_SNDTIMEO.
func unixWaitThenRetry(t *Thread, f *amd64.TrapFrame, self, on unixsock.ID) uint64 {
	f.RIP -= syscallInsnLen
	var deadline int64
	k := 0
	if sending(f.RAX) {
		k = 1
	}
	if d := unixTimeouts[self][k]; d > 0 {
		deadline = nanotime() + d
	}
	block(t, waitUnix, deadline)
	t.unixWait = int32(on) + 1
	return f.RAX
}

// unixWaitTimedOut ends a blocking call whose timeout passed: the bytes
// a stream write moved already, or EAGAIN.
func unixWaitTimedOut(t *Thread) {
	t.Frame.RIP += syscallInsnLen
	ret := linux.EAGAIN.Ret()
	if t.unixDone > 0 {
		ret = t.unixDone
	}
	wake(t, ret)
	t.unixWait, t.unixDone = 0, 0
}

// unixReadiness is description d's readiness for epoll and poll.
func unixReadiness(d *openFile) uint32 { return unixSocks.Events(unixOf(d)) }

// unixInoBase puts AF_UNIX sockets' inode numbers (fstat, socket:[N])
// above those of the socket service's sockets.
const unixInoBase = 1 << 20

// unixIno is the inode number of AF_UNIX socket description d.
func unixIno(d *openFile) uint64 { return unixInoBase + uint64(d.Obj) }
