package kernel

import (
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/fdtable"
	"github.com/coracle-os/coracle/kernel/unixsock"
)

// The descriptor layer: descriptors point at open-file descriptions in
// fdt (package fdtable keeps the tables and the dup, close-on-exec and
// RLIMIT_NOFILE rules). A description's Kind says what it is and Obj
// which one: the kinds below. A new kind of open file plugs in at these
// places, each a switch on the kind:
//
//   - read and write (sys_file.go), for read(2), write(2), readv and
//     writev; sockets have their own path;
//   - readiness (sys_epoll.go): what the file is ready for, as EPOLL*
//     bits, which epoll, poll, ppoll and pselect6 all use; when the file
//     becomes ready, kindEvent(kind, obj, events) reports the rising
//     edge to epoll and wakes poll waiters;
//   - releaseFile (below): what closing the last descriptor does;
//   - fillStat (fd_file.go): fstat's file type and mode;
//   - fionread (sys_ioctl.go): ioctl FIONREAD, the bytes a read would
//     return now (ENOTTY where Linux has no answer).
//
// Descriptors 0-2 are one description of the serial console.

const (
	fdConsole fdtable.Kind = 1 + iota
	fdEventfd
	fdEpoll
	fdIRQ     // an interrupt line (devcall.OpenIRQ); Obj is the IOAPIC pin
	fdSocket  // a socket (sys_socket.go); Obj is its socktab number
	fdFile    // a file of the root file system (fd_file.go); Obj is its inode
	fdPipe    // an end of a pipe (fd_pipe.go); Obj is the pipe's index<<1 | end
	fdShare   // a file or directory of a shared host directory (fs_share.go); Obj is share<<24 | the service's handle
	fdUnix    // an AF_UNIX socket (sock_unix.go); Obj is its unixsock.ID
	fdNetlink // a NETLINK_ROUTE socket (sock_netlink.go); Obj is its netlink.ID
)

// openFile is an open-file description.
type openFile = fdtable.File

const maxFDs = fdtable.MaxFDs

// lookupFD returns the description of descriptor fd, or nil.
func lookupFD(fd uint64) *openFile { return fdt.Get(fd) }

// lookupKind returns the description of descriptor fd if it is of kind,
// else nil. A kernel-served socket (AF_UNIX, NETLINK_ROUTE) claims its
// descriptors with it before a socket call falls through to the socket
// service's table, which answers EBADF or ENOTSOCK for the rest.
func lookupKind(fd uint64, kind fdtable.Kind) *openFile {
	if d := lookupFD(fd); d != nil && d.Kind == kind {
		return d
	}
	return nil
}

// allocFD makes a description and the lowest free descriptor for it, or
// returns -1 (EMFILE).
func allocFD(kind fdtable.Kind, obj int, flags uint32, cloexec bool) int {
	fd, e := fdt.Open(kind, int32(obj), flags, cloexec)
	if e != 0 {
		return -1
	}
	return fd
}

// openConsole makes descriptors 0, 1 and 2: one description of the
// console, as a shell passes one terminal's.
func openConsole() {
	fdt.Open(fdConsole, 0, linux.O_RDWR, false)
	fdt.DupTo(0, 1, false)
	fdt.DupTo(0, 2, false)
}

// closeFD closes descriptor fd: epoll forgets it, its file's locks go
// as close(2) says and, if it was its description's last descriptor,
// the description's kind releases it.
func closeFD(fd uint64) linux.Errno {
	key, desc := fileLockID(fd)
	closed, e := fdt.Close(fd)
	if e != 0 {
		return e
	}
	forgetFD(int32(fd))
	dropFileLocks(key, desc, closed.Kind != fdtable.None)
	releaseFile(&closed)
	return 0
}

// releaseFile runs what closing the last descriptor of f does (nothing
// if f is not a released description).
func releaseFile(f *openFile) {
	switch f.Kind {
	case fdEventfd:
		eventfds[f.Obj].used = false
	case fdEpoll:
		epolls[f.Obj].used = false
	case fdIRQ:
		irqClose(f)
	case fdSocket:
		socketClose(int(f.Obj))
	case fdPipe:
		pipeClose(f)
	case fdUnix:
		unixRelease(unixsock.ID(f.Obj))
	case fdNetlink:
		netlinkRelease(f)
	case fdFile:
		rootFS.Close(fileIno(f))
	case fdShare:
		if id := cacheID(f); id != 0 && cacheReleased(id, f.Obj) {
			return // the cache closes its handle when it is done with it
		}
		shareRelease(f.Obj)
	}
}

// kindEvent reports that the object obj of kind became ready for events
// (a rising edge) on every descriptor of its description, and wakes the
// epoll and poll waiters that now have something to report.
func kindEvent(kind fdtable.Kind, obj int, events uint32) {
	open := false
	for fd := fdt.Next(0); fd >= 0; fd = fdt.Next(fd + 1) {
		if d := fdt.Get(uint64(fd)); d.Kind == kind && int(d.Obj) == obj {
			notifyEpolls(int32(fd), events)
			open = true
		}
	}
	if open {
		wakeEpollWaiters()
		wakePollWaiters()
	}
}
