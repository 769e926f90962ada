package kernel

import "github.com/coracle-os/coracle/kernel/abi/linux"

// Work descriptors: how the kernel tells a ring-3 service (the socket
// service, the file service) that work waits for it. Each is an eventfd
// the service reads through the netpoller; the kernel makes it readable
// and the service's read rearms it.

// registerWorkFD makes a new eventfd, readable at once (the service
// looks for work when it starts), the work descriptor *fd, and returns
// it: EBUSY if *fd is taken, EMFILE if no eventfd or descriptor is free.
func registerWorkFD(fd *int32) uint64 {
	if *fd >= 0 {
		return linux.EBUSY.Ret()
	}
	for i := range eventfds {
		e := &eventfds[i]
		if e.used {
			continue
		}
		n := allocFD(fdEventfd, i, linux.O_RDWR|linux.O_NONBLOCK, true)
		if n < 0 {
			return linux.EMFILE.Ret()
		}
		*e = eventfd{used: true, count: 1}
		*fd = int32(n)
		return uint64(n)
	}
	return linux.EMFILE.Ret()
}

// ringWorkFD makes work descriptor fd readable, if it is not (nothing
// if the service has not registered: fd < 0).
func ringWorkFD(fd int32) {
	if fd < 0 {
		return
	}
	d := lookupFD(uint64(fd))
	if d == nil || d.Kind != fdEventfd {
		return
	}
	if e := &eventfds[d.Obj]; e.count == 0 {
		e.count = 1
		kindEvent(fdEventfd, int(d.Obj), linux.EPOLLIN)
	}
}
