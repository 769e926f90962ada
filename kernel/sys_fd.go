package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/fdtable"
)

// Descriptor calls: dup, dup2, dup3, fcntl (its lock commands are
// sys_lock.go's) and close_range, on the descriptor and description
// tables of fd_table.go. Descriptor numbers are C unsigned ints (dup(2)):
// the upper half of the register is ignored, as Linux ignores it.

// fdArg is a descriptor-number argument.
func fdArg(r uint64) uint64 { return uint64(uint32(r)) }

// dup(oldfd)
func sysDup(t *Thread, f *amd64.TrapFrame) uint64 {
	fd, e := fdt.DupMin(fdArg(f.RDI), 0, false)
	if e != 0 {
		return e.Ret()
	}
	return uint64(fd)
}

// dup2(oldfd, newfd)
func sysDup2(t *Thread, f *amd64.TrapFrame) uint64 {
	return dupTo(fdArg(f.RDI), fdArg(f.RSI), false)
}

// dup3(oldfd, newfd, flags)
func sysDup3(t *Thread, f *amd64.TrapFrame) uint64 {
	if f.RDX&^linux.O_CLOEXEC != 0 || fdArg(f.RDI) == fdArg(f.RSI) {
		return linux.EINVAL.Ret()
	}
	return dupTo(fdArg(f.RDI), fdArg(f.RSI), f.RDX&linux.O_CLOEXEC != 0)
}

// dupTo makes newfd a copy of oldfd, closing what newfd held first.
func dupTo(oldfd, newfd uint64, cloexec bool) uint64 {
	wasOpen := oldfd != newfd && lookupFD(newfd) != nil
	key, desc := fileLockID(newfd)
	fd, closed, e := fdt.DupTo(oldfd, newfd, cloexec)
	if e != 0 {
		return e.Ret()
	}
	if wasOpen {
		forgetFD(int32(newfd))
		dropFileLocks(key, desc, closed.Kind != fdtable.None)
		releaseFile(&closed)
	}
	return uint64(fd)
}

// fcntl(fd, cmd, arg)
func sysFcntl(t *Thread, f *amd64.TrapFrame) uint64 {
	fd := fdArg(f.RDI)
	d := lookupFD(fd)
	if d == nil {
		return linux.EBADF.Ret()
	}
	switch f.RSI {
	case linux.F_DUPFD, linux.F_DUPFD_CLOEXEC:
		n, e := fdt.DupMin(fd, fdArg(f.RDX), f.RSI == linux.F_DUPFD_CLOEXEC)
		if e != 0 {
			return e.Ret()
		}
		return uint64(n)
	case linux.F_GETFD:
		if fdt.CloseOnExec(fd) {
			return linux.FD_CLOEXEC
		}
		return 0
	case linux.F_SETFD:
		return fdt.SetCloseOnExec(fd, f.RDX&linux.FD_CLOEXEC != 0).Ret0()
	case linux.F_GETFL:
		return uint64(d.Flags)
	case linux.F_SETFL:
		fdtable.SetFL(d, uint32(f.RDX))
		return 0
	case linux.F_GETLK, linux.F_SETLK, linux.F_SETLKW, linux.F_OFD_GETLK, linux.F_OFD_SETLK, linux.F_OFD_SETLKW:
		return fcntlLock(t, f, fd, d)
	}
	return linux.EINVAL.Ret()
}

// close_range(first, last, flags). CLOSE_RANGE_UNSHARE changes nothing:
// there is one descriptor table, which every thread uses (Linux would
// give the calling thread a copy of its own, which the threads a Go
// program's goroutines move between could not use).
func sysCloseRange(t *Thread, f *amd64.TrapFrame) uint64 {
	first, last, flags := fdArg(f.RDI), fdArg(f.RSI), f.RDX
	if flags&^(linux.CLOSE_RANGE_UNSHARE|linux.CLOSE_RANGE_CLOEXEC) != 0 || first > last {
		return linux.EINVAL.Ret()
	}
	if flags&linux.CLOSE_RANGE_CLOEXEC != 0 {
		fdt.RangeCloseOnExec(first, last)
		return 0
	}
	for fd := fdt.Next(int(min(first, maxFDs))); fd >= 0 && uint64(fd) <= last; fd = fdt.Next(fd + 1) {
		closeFD(uint64(fd))
	}
	return 0
}
