package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/linux"
	"github.com/coracle-os/coracle/kernel/socktab"
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
func blocking(d *fileDesc, ret uint64, dontWait bool) bool {
	return ret == linux.EAGAIN.Ret() && d.flags&linux.O_NONBLOCK == 0 && !dontWait
}

// sockResult returns ret, the result of a call on socket descriptor d,
// or parks t to make the call again if it would block.
func sockResult(t *Thread, f *amd64.TrapFrame, d *fileDesc, ret uint64, dontWait bool) uint64 {
	if blocking(d, ret, dontWait) {
		return waitSocketThenRetry(t, f, d.obj)
	}
	return ret
}

// waitSocketThenRetry parks t until socket id changes and returns what
// doSyscall stores in RAX: the call's own number, so that with RIP moved
// back the thread makes the call again when it is woken.
func waitSocketThenRetry(t *Thread, f *amd64.TrapFrame, id int) uint64 {
	f.RIP -= syscallInsnLen
	block(t, waitSocket, 0)
	t.sockWait = int32(id) + 1
	return f.RAX
}

// waitConnect parks t in a blocking connect of socket id until the
// connection is made or fails; the waker sets the result.
func waitConnect(t *Thread, id int) {
	block(t, waitSocket, 0)
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
