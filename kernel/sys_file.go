package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
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
		return linux.EBADF.Ret() // opened read-only
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
	return closeFD(fdArg(f.RDI)).Ret0()
}

func sysReadlinkat(t *Thread, f *amd64.TrapFrame) uint64 {
	return linux.ENOENT.Ret()
}

func sysGetcwd(t *Thread, f *amd64.TrapFrame) uint64 {
	b, ok := userBytes(f.RDI, f.RSI, true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	if len(b) < 2 {
		return linux.ERANGE.Ret()
	}
	b[0], b[1] = '/', 0
	return 2
}

// openat(dirfd, path, flags, mode)
func sysOpenat(t *Thread, f *amd64.TrapFrame) uint64 {
	path, e := userPath(f.RSI)
	if e != 0 {
		return e.Ret()
	}
	if len(path) > 0 && path[0] != '/' && int32(f.RDI) != linux.AT_FDCWD {
		return linux.ENOENT.Ret() // no directory can be open
	}
	i := lookupMemFile(path)
	if i < 0 {
		if f.RDX&linux.O_CREAT != 0 {
			return linux.EROFS.Ret()
		}
		return linux.ENOENT.Ret()
	}
	switch flags := f.RDX; {
	case flags&linux.O_ACCMODE != linux.O_RDONLY || flags&(linux.O_CREAT|linux.O_TRUNC) != 0:
		return linux.EROFS.Ret()
	case flags&linux.O_DIRECTORY != 0:
		return linux.ENOTDIR.Ret()
	}
	fd := allocFD(fdFile, i, linux.O_RDONLY|linux.O_LARGEFILE|uint32(f.RDX)&(linux.O_NONBLOCK|linux.O_APPEND), f.RDX&linux.O_CLOEXEC != 0)
	if fd < 0 {
		return linux.EMFILE.Ret()
	}
	return uint64(fd)
}

// pread64(fd, buf, count, offset)
func sysPread64(t *Thread, f *amd64.TrapFrame) uint64 {
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
	b, ok := userBytes(f.RSI, f.RDX, true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	return uint64(memFileRead(int(d.Obj), int64(f.R10), b))
}

// lseek(fd, offset, whence)
func sysLseek(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(f.RDI)
	if d == nil {
		return linux.EBADF.Ret()
	}
	if d.Kind != fdFile {
		return linux.ESPIPE.Ret()
	}
	off := int64(f.RSI)
	switch f.RDX {
	case linux.SEEK_SET:
	case linux.SEEK_CUR:
		off += d.Off
	case linux.SEEK_END:
		off += memFiles[d.Obj].size
	default:
		return linux.EINVAL.Ret()
	}
	if off < 0 {
		return linux.EINVAL.Ret()
	}
	d.Off = off
	return uint64(off)
}

// fstat(fd, statbuf)
func sysFstat(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(f.RDI)
	if d == nil {
		return linux.EBADF.Ret()
	}
	return writeStat(f.RSI, d)
}

// newfstatat(dirfd, path, statbuf, flags)
func sysNewfstatat(t *Thread, f *amd64.TrapFrame) uint64 {
	path, e := userPath(f.RSI)
	if e != 0 {
		return e.Ret()
	}
	if len(path) == 0 {
		if f.R10&linux.AT_EMPTY_PATH == 0 {
			return linux.ENOENT.Ret()
		}
		d := lookupFD(f.RDI)
		if d == nil {
			return linux.EBADF.Ret()
		}
		return writeStat(f.RDX, d)
	}
	if path[0] != '/' && int32(f.RDI) != linux.AT_FDCWD {
		return linux.ENOENT.Ret()
	}
	i := lookupMemFile(path)
	if i < 0 {
		return linux.ENOENT.Ret()
	}
	return writeStat(f.RDX, &openFile{Kind: fdFile, Obj: int32(i)})
}
