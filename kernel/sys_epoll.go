package kernel

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/epoll"
)

// eventfd and epoll: what the Go runtime's netpoller needs (docs/linux-abi.md
// §8). The runtime registers an eventfd (netpollBreak) and, from M4,
// sockets, edge-triggered, and waits in epoll_pwait with the time to its
// next timer.

type eventfd struct {
	used      bool
	semaphore bool
	count     uint64
}

const (
	maxEventfds = 64
	maxEpolls   = 8
)

// epollInstance is one epoll descriptor's object: its interest list and
// readiness are package epoll's.
type epollInstance struct {
	used bool
	set  epoll.Set
}

func sysEventfd2(t *Thread, f *amd64.TrapFrame) uint64 {
	flags := uint32(f.RSI)
	for i := range eventfds {
		e := &eventfds[i]
		if e.used {
			continue
		}
		fd := allocFD(fdEventfd, i, linux.O_RDWR|flags&linux.O_NONBLOCK, flags&linux.O_CLOEXEC != 0)
		if fd < 0 {
			return linux.EMFILE.Ret()
		}
		*e = eventfd{used: true, semaphore: flags&linux.EFD_SEMAPHORE != 0, count: uint64(uint32(f.RDI))}
		return uint64(fd)
	}
	return linux.EMFILE.Ret()
}

func eventfdRead(d *openFile, b []byte) uint64 {
	if len(b) < 8 {
		return linux.EINVAL.Ret()
	}
	e := &eventfds[d.Obj]
	if e.count == 0 {
		// Blocking reads of an empty eventfd are not needed by the
		// runtime, which always opens it non-blocking.
		return linux.EAGAIN.Ret()
	}
	v := e.count
	if e.semaphore {
		v = 1
	}
	e.count -= v
	binary.LittleEndian.PutUint64(b, v)
	return 8
}

func eventfdWrite(d *openFile, b []byte) uint64 {
	if len(b) < 8 {
		return linux.EINVAL.Ret()
	}
	v := binary.LittleEndian.Uint64(b)
	e := &eventfds[d.Obj]
	if v == ^uint64(0) || e.count+v < e.count || e.count+v == ^uint64(0) {
		return linux.EAGAIN.Ret()
	}
	e.count += v
	if v > 0 {
		kindEvent(fdEventfd, int(d.Obj), linux.EPOLLIN)
	}
	return 8
}

// notifyEpolls records that events happened on fd (a rising edge) in
// every epoll instance that watches it.
func notifyEpolls(fd int32, events uint32) {
	for i := range epolls {
		if ep := &epolls[i]; ep.used {
			ep.set.Notify(fd, events)
		}
	}
}

// forgetFD removes a closed descriptor from every epoll instance.
func forgetFD(fd int32) {
	for i := range epolls {
		epolls[i].set.Forget(fd)
	}
}

func sysEpollCreate1(t *Thread, f *amd64.TrapFrame) uint64 {
	for i := range epolls {
		ep := &epolls[i]
		if ep.used {
			continue
		}
		fd := allocFD(fdEpoll, i, linux.O_RDWR, f.RDI&linux.O_CLOEXEC != 0)
		if fd < 0 {
			return linux.EMFILE.Ret()
		}
		ep.used = true
		ep.set.Reset()
		return uint64(fd)
	}
	return linux.EMFILE.Ret()
}

func sysEpollCtl(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(f.RDI)
	if d == nil {
		return linux.EBADF.Ret()
	}
	if d.Kind != fdEpoll {
		return linux.EINVAL.Ret()
	}
	ep := &epolls[d.Obj]
	target := lookupFD(f.RDX)
	if target == nil {
		return linux.EBADF.Ret()
	}
	if target.Kind == fdFile || target.Kind == fdShare {
		return linux.EPERM.Ret() // Linux: regular files are always ready
	}
	op := f.RSI
	var events uint32
	var data uint64
	if op != linux.EPOLL_CTL_DEL {
		ev, ok := userBytes(f.R10, epoll.EventSize, false)
		if !ok {
			return linux.EFAULT.Ret()
		}
		events = binary.LittleEndian.Uint32(ev)
		data = binary.LittleEndian.Uint64(ev[4:])
	}
	return ep.set.Ctl(op, int32(f.RDX), events, data, readiness(target)).Ret0()
}

// readiness is the current state of a descriptor as epoll events.
func readiness(d *openFile) uint32 {
	switch d.Kind {
	case fdEventfd:
		r := uint32(linux.EPOLLOUT)
		if eventfds[d.Obj].count > 0 {
			r |= linux.EPOLLIN
		}
		return r
	case fdConsole, fdFile, fdShare:
		// A read of the console answers end of file at once; a
		// file of the root is always ready, as a Linux regular file is (epoll_ctl
		// refuses it, as Linux does).
		return linux.EPOLLIN | linux.EPOLLOUT
	case fdSocket:
		return socketReadiness(int(d.Obj))
	case fdPipe:
		return pipeReadiness(d)
	case fdUnix:
		return unixReadiness(d)
	case fdNetlink:
		return netlinkReadiness(d)
	case fdIRQ:
		if irqs[d.Obj].count > 0 {
			return linux.EPOLLIN
		}
	}
	return 0
}

func sysEpollPwait(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(f.RDI)
	if d == nil {
		return linux.EBADF.Ret()
	}
	if d.Kind != fdEpoll || int64(f.RDX) <= 0 || int64(f.RDX) > epoll.MaxEvents {
		return linux.EINVAL.Ret()
	}
	if _, ok := userBytes(f.RSI, f.RDX*epoll.EventSize, true); !ok {
		return linux.EFAULT.Ret()
	}
	if n := collectEvents(&epolls[d.Obj], f.RSI, int(f.RDX)); n > 0 {
		return uint64(n)
	}
	timeout := int64(int32(f.R10)) // milliseconds; -1 waits forever
	if timeout == 0 {
		return 0
	}
	var deadline int64
	if timeout > 0 {
		deadline = nanotime() + timeout*1e6
	}
	block(t, waitEpoll, deadline)
	return 0
}

// collectEvents writes up to max pending events of ep to the user array
// at addr and returns how many (epoll.Set.Collect), with the current
// readiness of its level-triggered descriptors.
func collectEvents(ep *epollInstance, addr uint64, max int) int {
	dst, ok := userBytes(addr, uint64(max)*epoll.EventSize, true)
	if !ok {
		return 0
	}
	var now epoll.Readiness
	for k := range ep.set.Len() {
		if !ep.set.Level(k) {
			continue
		}
		if d := lookupFD(uint64(ep.set.FD(k))); d != nil {
			now[k] = readiness(d)
		}
	}
	return ep.set.Collect(dst, &now)
}

// wakeEpollWaiters completes the epoll_pwait of every blocked thread
// that now has events.
func wakeEpollWaiters() {
	for i := range liveSlots() {
		t := &threads[i]
		if t.state != threadBlocked || t.wait != waitEpoll {
			continue
		}
		d := lookupFD(t.Frame.RDI)
		if d == nil || d.Kind != fdEpoll {
			wake(t, linux.EBADF.Ret())
			continue
		}
		if n := collectEvents(&epolls[d.Obj], t.Frame.RSI, int(t.Frame.RDX)); n > 0 {
			wake(t, uint64(n))
		}
	}
}
