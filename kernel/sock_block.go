package kernel

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/socktab"
)

// Blocking sockets. A socket call that would answer EAGAIN on a
// descriptor without O_NONBLOCK (and without MSG_DONTWAIT) parks the
// thread instead; when the socket changes the thread makes the same call
// again, as Linux restarts an interrupted one: the return address is
// moved back over the SYSCALL instruction and RAX keeps the call's
// number. Go never makes blocking sockets (package net sets O_NONBLOCK);
// this is for programs that use package syscall directly.

// syscallInsnLen is the length of SYSCALL (0F 05).
const syscallInsnLen = 2

// blocking reports whether a call on descriptor d that got ret would
// block on Linux: EAGAIN, a blocking descriptor and no MSG_DONTWAIT.
func blocking(d *openFile, ret uint64, dontWait bool) bool {
	return ret == linux.EAGAIN.Ret() && d.Flags&linux.O_NONBLOCK == 0 && !dontWait
}

// sockResult returns ret, the result of a call on socket descriptor d,
// or parks t to make the call again if it would block.
func sockResult(t *Thread, f *amd64.TrapFrame, d *openFile, ret uint64, dontWait bool) uint64 {
	if blocking(d, ret, dontWait) {
		return waitSocketThenRetry(t, f, int(d.Obj))
	}
	return ret
}

// sending reports whether system call nr waits under SO_SNDTIMEO (else
// SO_RCVTIMEO), as Linux times them.
func sending(nr uint64) bool {
	switch nr {
	case linux.SYS_WRITE, linux.SYS_WRITEV, linux.SYS_SENDTO, linux.SYS_SENDMSG, linux.SYS_CONNECT, linux.SYS_SENDFILE:
		return true
	}
	return false
}

// deadline is when a blocking call nr on socket id gives up, or 0.
func deadline(id int, nr uint64) int64 {
	k := 0
	if sending(nr) {
		k = 1
	}
	if d := sockTimeouts[id][k]; d > 0 {
		return nanotime() + d
	}
	return 0
}

// waitSocketThenRetry parks t until socket id changes and returns what
// doSyscall stores in RAX: the call's own number, so that with RIP moved
// back the thread makes the call again when it is woken.
func waitSocketThenRetry(t *Thread, f *amd64.TrapFrame, id int) uint64 {
	f.RIP -= syscallInsnLen
	block(t, waitSocket, deadline(id, f.RAX))
	t.sockWait = int32(id) + 1
	return f.RAX
}

// socketWaitTimedOut ends a blocking socket call whose timeout passed:
// EAGAIN for a call that was to run again (which it no longer does), and
// EINPROGRESS for a connect, whose connection goes on, as on Linux.
func socketWaitTimedOut(t *Thread) {
	if t.sockWait > 0 {
		t.Frame.RIP += syscallInsnLen
		wake(t, linux.EAGAIN.Ret())
	} else {
		wake(t, linux.EINPROGRESS.Ret())
	}
	t.sockWait = 0
}

// setTimeout is setsockopt of SO_RCVTIMEO or SO_SNDTIMEO (send): a
// struct timeval at addr; zero means wait forever.
func setTimeout(id int, send bool, addr, n uint64) uint64 {
	ns, e := timeoutArg(addr, n)
	if e != 0 {
		return e.Ret()
	}
	sockTimeouts[id][timeoutIndex(send)] = ns
	return 0
}

// timeoutArg reads the struct timeval of a setsockopt of SO_RCVTIMEO or
// SO_SNDTIMEO at addr (n bytes) as nanoseconds, 0 for none; seconds past
// 2^32 are clipped and negative seconds count as 0.
func timeoutArg(addr, n uint64) (int64, linux.Errno) {
	if n < 16 {
		return 0, linux.EINVAL
	}
	b, ok := userBytes(addr, 16, false)
	if !ok {
		return 0, linux.EFAULT
	}
	sec := int64(binary.LittleEndian.Uint64(b))
	usec := int64(binary.LittleEndian.Uint64(b[8:]))
	if usec < 0 || usec >= 1e6 {
		return 0, linux.EDOM
	}
	if sec <= 0 && usec == 0 {
		return 0, 0
	}
	return min(max(sec, 0), 1<<32)*1e9 + usec*1e3, 0
}

// timeoutIndex is a socket's timeout slot: 0 receive, 1 send.
func timeoutIndex(send bool) int {
	if send {
		return 1
	}
	return 0
}

// getTimeout is getsockopt of SO_RCVTIMEO or SO_SNDTIMEO.
func getTimeout(id int, send bool, addr, lenp uint64) uint64 {
	lp, ok := userU32(lenp, true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	if *lp < 16 {
		return linux.EINVAL.Ret()
	}
	b, ok := userBytes(addr, 16, true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	k := 0
	if send {
		k = 1
	}
	ns := sockTimeouts[id][k]
	binary.LittleEndian.PutUint64(b, uint64(ns/1e9))
	binary.LittleEndian.PutUint64(b[8:], uint64(ns%1e9/1e3))
	*lp = 16
	return 0
}

// waitConnect parks t in a blocking connect of socket id until the
// connection is made or fails; the waker sets the result.
func waitConnect(t *Thread, id int) {
	block(t, waitSocket, deadline(id, linux.SYS_CONNECT))
	t.sockWait = -(int32(id) + 1)
}

// wakeSocketWaiters lets the threads waiting for socket id make their
// calls again, and ends blocking connects that are over.
func wakeSocketWaiters(id int) {
	for i := range liveSlots() {
		t := &threads[i]
		if t.state != threadBlocked || t.wait != waitSocket {
			continue
		}
		switch t.sockWait {
		case int32(id) + 1:
			nr := t.Frame.RAX
			wake(t, nr) // RAX stays the call's number: the call runs again
			t.sockWait = 0
		case -(int32(id) + 1):
			s := &socktab.Table[id]
			switch s.State.Load() {
			case socktab.Connecting:
				continue
			case socktab.Connected:
				wake(t, 0)
			default:
				e := pendingError(s)
				if e == 0 {
					e = linux.ECONNREFUSED
				}
				wake(t, e.Ret())
			}
			t.sockWait = 0
		}
	}
}
