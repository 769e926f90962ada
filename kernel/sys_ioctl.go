package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/socktab"
	"github.com/coracle-os/coracle/kernel/fdtable"
	"github.com/coracle-os/coracle/kernel/unixsock"
)

// ioctl(2): the requests every descriptor takes (FIONBIO, FIOCLEX,
// FIONCLEX), FIONREAD where Linux answers it, and ENOTTY for everything
// else, TCGETS included; but an epoll descriptor answers EINVAL, as
// epoll's own ioctl handler (Linux 6.9 and later, for EPIOCSPARAMS)
// answers the requests it does not know.
//
// No descriptor is a terminal, the serial console included: it has no
// line discipline (no echo, no line editing, no signals from ^C, no
// window size), so a program that asks TCGETS whether it may use one
// (Go's golang.org/x/term, isatty in C) is told no, and falls back to
// plain reads and writes, which the console does serve. fstat still
// shows it as the character device it is.

// ioctl(fd, request, arg)
func sysIoctl(t *Thread, f *amd64.TrapFrame) uint64 {
	fd := fdArg(f.RDI)
	d := lookupFD(fd)
	if d == nil {
		return linux.EBADF.Ret()
	}
	switch uint32(f.RSI) {
	case linux.FIOCLEX:
		return fdt.SetCloseOnExec(fd, true).Ret0()
	case linux.FIONCLEX:
		return fdt.SetCloseOnExec(fd, false).Ret0()
	case linux.FIONBIO:
		p, ok := userU32(f.RDX, false)
		if !ok {
			return linux.EFAULT.Ret()
		}
		flags := d.Flags &^ linux.O_NONBLOCK
		if *p != 0 {
			flags |= linux.O_NONBLOCK
		}
		fdtable.SetFL(d, flags)
		return 0
	case linux.FIONREAD:
		n, e := fionread(d)
		if e != 0 {
			return e.Ret()
		}
		p, ok := userU32(f.RDX, true)
		if !ok {
			return linux.EFAULT.Ret()
		}
		*p = uint32(n)
		return 0
	}
	if d.Kind == fdEpoll {
		return linux.EINVAL.Ret()
	}
	return linux.ENOTTY.Ret()
}

// fionread is FIONREAD on d: the bytes a read would return now. Linux
// answers it for regular files (the bytes from the offset to the end,
// negative past the end) and sockets (SIOCINQ: a stream's unread bytes,
// EINVAL on a listening socket; a datagram socket's next datagram's
// length) and pipes (the bytes buffered, on either end); eventfd and the
// console, having no answer, give ENOTTY, and epoll EINVAL.
func fionread(d *openFile) (int32, linux.Errno) {
	switch d.Kind {
	case fdFile:
		a := rootFS.Getattr(fileIno(d))
		if d.Flags&linux.O_PATH != 0 {
			return 0, linux.EBADF
		}
		if a.Mode&linux.S_IFMT != linux.S_IFREG {
			return 0, linux.ENOTTY
		}
		return int32(a.Size - d.Off), 0
	case fdSocket:
		s := &socktab.Table[d.Obj]
		if s.Type == socktab.Dgram {
			return int32(nextDgramLen(int(d.Obj), s)), 0
		}
		if s.State.Load() == socktab.Listening {
			return 0, linux.EINVAL
		}
		return int32(s.Rx.Used()), 0
	case fdPipe:
		id, _ := pipeOf(d)
		return int32(pipes[id].Len()), 0 // either end, as on Linux
	case fdUnix:
		if unixSocks.State(unixOf(d)) == unixsock.Listening {
			return 0, linux.EINVAL
		}
		return int32(unixSocks.Queued(unixOf(d), &physMem)), 0
	case fdEpoll:
		return 0, linux.EINVAL
	}
	return 0, linux.ENOTTY
}

// nextDgramLen is the payload length of the first datagram queued on
// socket id, or 0.
func nextDgramLen(id int, s *socktab.Socket) int {
	head, tail := s.Rx.Readable()
	if head == tail {
		return 0
	}
	var h [socktab.DgramHeader]byte
	socktab.CopyOut(h[:], socktab.RingData(id, true), head)
	n, _ := socktab.ParseDgramHeader(&h)
	return n
}
