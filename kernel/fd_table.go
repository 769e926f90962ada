package kernel

// The file-descriptor table. Descriptors 0-2 are the serial console;
// the others are eventfds and epoll instances (and, from M4, sockets).
// Fixed-size tables: trap handlers never allocate.

type fdKind uint8

const (
	fdNone fdKind = iota
	fdConsole
	fdEventfd
	fdEpoll
	fdIRQ    // an interrupt line (devcall.OpenIRQ); obj is the IOAPIC pin
	fdSocket // a socket (sys_socket.go); obj is its socktab number
	fdFile   // a read-only memory file (memfile.go); obj indexes memFiles
)

type fileDesc struct {
	kind    fdKind
	flags   uint32 // O_NONBLOCK and friends, as F_GETFL reports them
	cloexec bool
	obj     int   // index into eventfds, epolls, ...
	off     int64 // fdFile: the file offset
}

const maxFDs = 1024

// lookupFD returns the descriptor fd, or nil.
func lookupFD(fd uint64) *fileDesc {
	if fd >= maxFDs || fds[fd].kind == fdNone {
		return nil
	}
	return &fds[fd]
}

// usedFDs is the part of the table that has ever held a descriptor.
func usedFDs() []fileDesc { return fds[:fdsHigh] }

// allocFD takes the lowest free descriptor, or returns -1 (EMFILE).
func allocFD(kind fdKind, obj int, flags uint32, cloexec bool) int {
	for i := range fds {
		if fds[i].kind == fdNone {
			fds[i] = fileDesc{kind: kind, obj: obj, flags: flags, cloexec: cloexec}
			fdsHigh = max(fdsHigh, i+1)
			return i
		}
	}
	return -1
}
