package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/shares"
)

func sysRead(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(f.RDI)
	if d == nil {
		return linux.EBADF.Ret()
	}
	if d.Kind == fdSocket {
		return sockResult(t, f, d, socketRead(int(d.Obj), f.RSI, f.RDX), false)
	}
	if d.Kind == fdPipe {
		var v iovec
		return pipeRead(t, f, d, oneIOV(&v, f.RSI, f.RDX))
	}
	if d.Kind == fdUnix {
		var v iovec
		return unixRead(t, f, d, oneIOV(&v, f.RSI, f.RDX))
	}
	if d.Kind == fdNetlink {
		var v iovec
		ret, _, _ := netlinkRecv(t, f, d, oneIOV(&v, f.RSI, f.RDX), 0)
		return ret
	}
	if d.Kind == fdShare {
		return shareRead(t, f, f.RDI, d, f.RSI, f.RDX, -1, true)
	}
	b, ok := userBytes(f.RSI, f.RDX, true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	return read(d, b)
}

// read reads into b from a descriptor that is not a socket.
func read(d *openFile, b []byte) uint64 {
	switch d.Kind {
	case fdConsole:
		return 0 // no console input yet: end of file
	case fdEventfd:
		return eventfdRead(d, b)
	case fdIRQ:
		return irqRead(d, b)
	case fdFile:
		return fileRead(d, b)
	}
	return linux.EINVAL.Ret()
}

func sysWrite(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(f.RDI)
	if d == nil {
		return linux.EBADF.Ret()
	}
	if d.Kind == fdSocket {
		return sockResult(t, f, d, socketWrite(int(d.Obj), f.RSI, f.RDX), false)
	}
	if d.Kind == fdPipe {
		var v iovec
		return pipeWrite(t, f, d, oneIOV(&v, f.RSI, f.RDX))
	}
	if d.Kind == fdUnix {
		var v iovec
		return unixWrite(t, f, d, oneIOV(&v, f.RSI, f.RDX))
	}
	if d.Kind == fdNetlink {
		var v iovec
		return netlinkSend(d, oneIOV(&v, f.RSI, f.RDX), 0, 0)
	}
	if d.Kind == fdShare {
		return shareRead(t, f, f.RDI, d, f.RSI, f.RDX, -1, false)
	}
	b, ok := userBytes(f.RSI, f.RDX, false)
	if !ok {
		return linux.EFAULT.Ret()
	}
	return write(d, b)
}

// write writes b to a descriptor that is not a socket.
func write(d *openFile, b []byte) uint64 {
	switch d.Kind {
	case fdConsole:
		console.bytes(b)
		return uint64(len(b))
	case fdEventfd:
		return eventfdWrite(d, b)
	case fdFile:
		return fileWrite(d, b)
	}
	return linux.EINVAL.Ret()
}

func sysReadv(t *Thread, f *amd64.TrapFrame) uint64 {
	return vectored(t, f, true)
}

func sysWritev(t *Thread, f *amd64.TrapFrame) uint64 {
	return vectored(t, f, false)
}

// vectored serves readv (in) and writev: a socket takes the whole array
// at once (a datagram is one record); anything else is read or written
// buffer by buffer, stopping at the first short transfer.
func vectored(t *Thread, f *amd64.TrapFrame, in bool) uint64 {
	d := lookupFD(f.RDI)
	if d == nil {
		return linux.EBADF.Ret()
	}
	iov, e := loadIOV(f.RSI, f.RDX)
	if e != 0 {
		return e.Ret()
	}
	if _, ok := iov.total(); !ok {
		return linux.EINVAL.Ret()
	}
	if d.Kind == fdSocket {
		if in {
			ret, _, _ := sockRecv(int(d.Obj), iov, 0)
			return sockResult(t, f, d, ret, false)
		}
		return sockResult(t, f, d, sockSend(int(d.Obj), iov, nil), false)
	}
	if d.Kind == fdPipe {
		if in {
			return pipeRead(t, f, d, iov)
		}
		return pipeWrite(t, f, d, iov)
	}
	if d.Kind == fdUnix {
		if in {
			return unixRead(t, f, d, iov)
		}
		return unixWrite(t, f, d, iov)
	}
	if d.Kind == fdNetlink {
		if in {
			ret, _, _ := netlinkRecv(t, f, d, iov, 0)
			return ret
		}
		return netlinkSend(d, iov, 0, 0)
	}
	if d.Kind == fdShare {
		// One buffer per call: the first that is not empty (a short
		// transfer, which readv and writev may make).
		for i := range iov.vecs {
			if v := iov.vecs[i]; v.len > 0 {
				return shareRead(t, f, f.RDI, d, v.base, v.len, -1, in)
			}
		}
		return 0
	}
	var total uint64
	for i := range iov.vecs {
		b, ok := iov.buf(i, in)
		if !ok {
			if total > 0 {
				return total
			}
			return linux.EFAULT.Ret()
		}
		var r uint64
		if in {
			r = read(d, b)
		} else {
			r = write(d, b)
		}
		if int64(r) < 0 {
			if total > 0 {
				return total
			}
			return r
		}
		total += r
		if r < uint64(len(b)) {
			break
		}
	}
	return total
}

func sysClose(t *Thread, f *amd64.TrapFrame) uint64 {
	if d := lookupFD(fdArg(f.RDI)); d != nil && d.Refs() == 1 {
		if id := cacheID(d); id != 0 {
			if r, parked := cacheCloseWriteback(t, f, id); parked {
				return r
			}
		}
	}
	return closeFD(fdArg(f.RDI)).Ret0()
}

// pread64(fd, buf, count, offset)
func sysPread64(t *Thread, f *amd64.TrapFrame) uint64 {
	if d := lookupFD(f.RDI); d != nil && d.Kind == fdShare && int64(f.R10) >= 0 {
		return shareRead(t, f, f.RDI, d, f.RSI, f.RDX, int64(f.R10), true)
	}
	return positioned(f, true)
}

// pwrite64(fd, buf, count, offset)
func sysPwrite64(t *Thread, f *amd64.TrapFrame) uint64 {
	if d := lookupFD(f.RDI); d != nil && d.Kind == fdShare && int64(f.R10) >= 0 {
		return shareRead(t, f, f.RDI, d, f.RSI, f.RDX, int64(f.R10), false)
	}
	return positioned(f, false)
}

// positioned serves pread64 (in) and pwrite64: files of the root only
// (ESPIPE on pipes, sockets and the rest), the offset left as it is.
func positioned(f *amd64.TrapFrame, in bool) uint64 {
	d := lookupFD(f.RDI)
	if d == nil {
		return linux.EBADF.Ret()
	}
	if d.Kind != fdFile {
		return linux.ESPIPE.Ret()
	}
	if int64(f.R10) < 0 {
		return linux.EINVAL.Ret()
	}
	b, ok := userBytes(f.RSI, f.RDX, in)
	if !ok {
		return linux.EFAULT.Ret()
	}
	var n int
	var e linux.Errno
	if in {
		n, e = filePread(d, b, int64(f.R10))
	} else {
		off := int64(f.R10)
		if d.Flags&linux.O_APPEND != 0 {
			off = rootFS.Getattr(fileIno(d)).Size // as Linux's pwrite does
		}
		n, e = filePwrite(d, b, off)
	}
	if e != 0 {
		return e.Ret()
	}
	return uint64(n)
}

// lseek(fd, offset, whence)
func sysLseek(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(f.RDI)
	if d == nil {
		return linux.EBADF.Ret()
	}
	if d.Kind == fdShare {
		return shareSeek(t, f, f.RDI, d, int64(f.RSI), f.RDX)
	}
	if d.Kind != fdFile {
		return linux.ESPIPE.Ret()
	}
	if d.Flags&linux.O_PATH != 0 {
		return linux.EBADF.Ret()
	}
	off, e := fileSeek(d, int64(f.RSI), f.RDX)
	if e != 0 {
		return e.Ret()
	}
	return uint64(off)
}

// getdents64(fd, dirp, count)
func sysGetdents64(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(f.RDI)
	if d == nil {
		return linux.EBADF.Ret()
	}
	if d.Kind == fdShare {
		return shareGetdents(t, f, f.RDI, d, f.RSI, uint64(uint32(f.RDX)))
	}
	if d.Kind != fdFile {
		return linux.ENOTDIR.Ret()
	}
	if d.Flags&linux.O_PATH != 0 {
		return linux.EBADF.Ret()
	}
	b, ok := userBytes(f.RSI, uint64(uint32(f.RDX)), true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	n, e := getdents(d, b)
	if e != 0 {
		return e.Ret()
	}
	return uint64(n)
}

// fstat(fd, statbuf)
func sysFstat(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(f.RDI)
	if d == nil {
		return linux.EBADF.Ret()
	}
	if d.Kind == fdShare {
		return shareFstat(t, f, f.RDI, d, f.RSI)
	}
	return writeStat(f.RSI, d)
}

// fsync(fd) and fdatasync(fd): a file of the root is in memory, so
// there is nothing to write back; other descriptors answer EINVAL, as
// Linux does for pipes and sockets. A disk file's fdatasync asks the
// service for its data only (shares.FsyncData).
func sysFsync(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(fdArg(f.RDI))
	switch {
	case d == nil:
		return linux.EBADF.Ret()
	case d.Kind == fdShare && d.Flags&linux.O_PATH == 0 && cacheID(d) != 0:
		return cacheSync(t, f, cacheID(d), f.RAX == linux.SYS_FDATASYNC)
	case d.Kind == fdShare:
		return shareFileOp(t, f, shares.OpFsync, fdArg(f.RDI), d, 0, 0)
	case d.Kind != fdFile:
		return linux.EINVAL.Ret()
	case d.Flags&linux.O_PATH != 0:
		return linux.EBADF.Ret()
	}
	return 0
}

// sync(): the root's files are in memory; the dirty pages of disk files
// are written home (the disk's journal commits them within seconds, or
// at the next fsync or syncfs).
func sysSync(t *Thread, f *amd64.TrapFrame) uint64 {
	if r, parked := cacheWritebackAll(t, f, -1); parked {
		return r
	}
	return 0
}

// syncfs(fd): as sync, for the file system of any open descriptor;
// EBADF for an O_PATH one, as Linux answers. On a share or a disk the
// file service syncs the descriptor's file, which on a disk commits
// the whole file system's journal: all of it is durable.
func sysSyncfs(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(fdArg(f.RDI))
	switch {
	case d == nil || d.Flags&linux.O_PATH != 0:
		return linux.EBADF.Ret()
	case d.Kind == fdShare:
		if r, parked := cacheWritebackAll(t, f, shareOfObj(d.Obj)); parked {
			return r
		}
		return shareFileOp(t, f, shares.OpFsync, fdArg(f.RDI), d, 0, 0)
	}
	return 0
}

// ftruncate(fd, length): EINVAL unless open for writing (EBADF with
// O_PATH), EISDIR on a directory.
func sysFtruncate(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(fdArg(f.RDI))
	switch {
	case d == nil:
		return linux.EBADF.Ret()
	case d.Flags&linux.O_PATH != 0:
		return linux.EBADF.Ret()
	case d.Kind == fdShare && canWrite(d) && int64(f.RSI) >= 0:
		if id := cacheID(d); id != 0 && pcache.Busy(id) > 0 {
			return cacheWait(t, f) // no transfer may outlive the cut
		}
		return shareFileOp(t, f, shares.OpTruncate, fdArg(f.RDI), d, int64(f.RSI), 0)
	case d.Kind != fdFile || !canWrite(d) || int64(f.RSI) < 0:
		return linux.EINVAL.Ret()
	}
	return truncateFile(fileIno(d), int64(f.RSI)).Ret0()
}

// fchmod(fd, mode)
func sysFchmod(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(fdArg(f.RDI))
	switch {
	case d == nil, d.Flags&linux.O_PATH != 0:
		return linux.EBADF.Ret()
	case d.Kind == fdShare:
		return shareFileOp(t, f, shares.OpChmod, fdArg(f.RDI), d, 0, uint32(f.RSI)&0o7777)
	case d.Kind != fdFile:
		return 0 // pipes, sockets, ...: their modes are fixed here
	}
	rootFS.Chmod(fileIno(d), uint32(f.RSI)&0o7777, walltime())
	return 0
}

// fstatfs(fd, buf)
func sysFstatfs(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(fdArg(f.RDI))
	if d == nil {
		return linux.EBADF.Ret()
	}
	return writeStatfs(f.RSI, d)
}

// fchdir(fd)
func sysFchdir(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(fdArg(f.RDI))
	if d == nil {
		return linux.EBADF.Ret()
	}
	if d.Kind == fdShare {
		return shareChdir(t, f, shareTarget{share: shareOfObj(d.Obj), dir: handleOfObj(d.Obj)}) // "": the directory itself
	}
	if d.Kind != fdFile || rootFS.Getattr(fileIno(d)).Mode&linux.S_IFMT != linux.S_IFDIR {
		return linux.ENOTDIR.Ret()
	}
	setCwd(fileIno(d))
	return 0
}
