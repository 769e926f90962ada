package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/socktab"
	"github.com/coracle-os/coracle/kernel/pipe"
	"github.com/coracle-os/coracle/kernel/tmpfs"
	"github.com/coracle-os/coracle/kernel/unixsock"
)

// sendfile and copy_file_range copy from a file of the root inside the
// kernel, a page at a time through copyBuf, with Linux's rules for
// offsets: through the pointer given (read, then written back), or
// from and to the descriptors' file positions.
//
// sendfile reads regular files only (EINVAL from pipes, sockets, the
// console and devices: Linux can splice from some of them) and writes
// to a file of the root (not O_APPEND: EINVAL), a pipe, a TCP socket
// or the console. A pipe or socket that has no room parks a blocking
// caller, which makes the call again when woken (nothing has moved
// then), and answers EAGAIN when either descriptor is O_NONBLOCK; once
// some bytes went in, the call returns their count.

// maxRWCount is Linux's MAX_RW_COUNT: the most one transfer moves.
const maxRWCount = 1<<31 - 4096

// sendfile(out_fd, in_fd, offset, count)
func sysSendfile(t *Thread, f *amd64.TrapFrame) uint64 {
	in := lookupFD(fdArg(f.RSI))
	if in == nil || !readable(in) {
		return linux.EBADF.Ret()
	}
	pos := in.Off
	var posp *uint64
	if f.RDX != 0 {
		p, ok := userU64Any(f.RDX, true)
		if !ok {
			return linux.EFAULT.Ret()
		}
		if in.Kind != fdFile {
			return linux.ESPIPE.Ret()
		}
		posp, pos = p, int64(*p)
	}
	if pos < 0 {
		return linux.EINVAL.Ret()
	}
	count := min(f.R10, maxRWCount)
	out := lookupFD(fdArg(f.RDI))
	if out == nil || !writable(out) {
		return linux.EBADF.Ret()
	}
	if in.Kind != fdFile || rootFS.Getattr(fileIno(in)).Mode&linux.S_IFMT != linux.S_IFREG {
		return linux.EINVAL.Ret()
	}
	if pos+int64(count) > tmpfs.MaxFileSize {
		if pos >= tmpfs.MaxFileSize {
			return linux.EOVERFLOW.Ret()
		}
		count = uint64(tmpfs.MaxFileSize - pos)
	}
	switch out.Kind {
	case fdFile:
		if out.Flags&linux.O_APPEND != 0 {
			return linux.EINVAL.Ret()
		}
	case fdPipe, fdConsole:
	case fdSocket:
		if socktab.Table[out.Obj].Type != socktab.Stream {
			return linux.EINVAL.Ret()
		}
	case fdUnix:
		if unixSocks.Type(unixOf(out)) != unixsock.Stream {
			return linux.EINVAL.Ret()
		}
	default:
		return linux.EINVAL.Ret()
	}
	nonblock := (in.Flags|out.Flags)&linux.O_NONBLOCK != 0
	done, e := copyOut(t, fileIno(in), pos, out, count)
	if done == 0 && e == linux.EAGAIN && !nonblock {
		return waitOut(t, f, out)
	}
	if done == 0 && e != 0 {
		return e.Ret()
	}
	if posp != nil {
		*posp = uint64(pos) + done
	} else {
		in.Off = pos + int64(done)
	}
	return done
}

// readable and writable are the access checks of descriptors that may
// be any kind: a file's mode, a pipe's end.
func readable(d *openFile) bool {
	switch d.Kind {
	case fdFile:
		return canRead(d)
	case fdPipe:
		return pipeReads(d)
	}
	return true
}

func writable(d *openFile) bool {
	switch d.Kind {
	case fdFile:
		return canWrite(d)
	case fdPipe:
		return pipeWrites(d)
	}
	return true
}

// userU64Any is the 8 bytes at addr, aligned or not (loff_t pointers
// need not be aligned).
func userU64Any(addr uint64, write bool) (*uint64, bool) {
	if _, ok := userBytes(addr, 8, write); !ok {
		return nil, false
	}
	return (*uint64)(addrPointer(uintptr(addr))), true
}

// copyOut copies up to count bytes of regular file ino from pos to out
// and returns how many went, with the error that stopped it (EAGAIN:
// out had no room).
func copyOut(t *Thread, ino tmpfs.Ino, pos int64, out *openFile, count uint64) (uint64, linux.Errno) {
	var done uint64
	for done < count {
		chunk := copyBuf[:min(uint64(len(copyBuf)), count-done)]
		n, _ := rootFS.Read(ino, pos+int64(done), chunk)
		if n == 0 {
			return done, 0 // end of file
		}
		k, e := putOut(t, out, chunk[:n])
		done += uint64(k)
		if e != 0 {
			return done, e
		}
		if k < n {
			return done, 0
		}
	}
	return done, 0
}

// putOut writes b, kernel bytes, to out: what went and why not more.
func putOut(t *Thread, out *openFile, b []byte) (int, linux.Errno) {
	switch out.Kind {
	case fdFile:
		n, e := filePwrite(out, b, out.Off)
		out.Off += int64(n)
		return n, e
	case fdConsole:
		console.bytes(b)
		return len(b), 0
	case fdPipe:
		id, _ := pipeOf(out)
		p := &pipes[id]
		k, r := p.CanWrite(len(b))
		switch r {
		case pipe.Broken:
			raiseSIGPIPE(t)
			return 0, linux.EPIPE
		case pipe.WouldBlock:
			return 0, linux.EAGAIN
		}
		p.Put(&physMem, b[:k])
		pipeChanged(id, true, false)
		return k, 0
	case fdSocket:
		return streamSendKernel(int(out.Obj), b)
	case fdUnix:
		return unixSendKernel(t, out, b)
	}
	return 0, linux.EINVAL
}

// waitOut parks t until out, a pipe or socket, changes; the call is
// made again then.
func waitOut(t *Thread, f *amd64.TrapFrame, out *openFile) uint64 {
	if out.Kind == fdPipe {
		id, _ := pipeOf(out)
		return waitPipeThenRetry(t, f, id)
	}
	if out.Kind == fdUnix {
		return unixWaitThenRetry(t, f, unixOf(out), unixSocks.Peer(unixOf(out)))
	}
	return waitSocketThenRetry(t, f, int(out.Obj))
}

// copy_file_range(fd_in, off_in, fd_out, off_out, len, flags): between
// regular files of the root, in Linux's order of checks.
func sysCopyFileRange(t *Thread, f *amd64.TrapFrame) uint64 {
	if f.R9 != 0 {
		return linux.EINVAL.Ret()
	}
	in, out := lookupFD(fdArg(f.RDI)), lookupFD(fdArg(f.RDX))
	if in == nil || out == nil || in.Flags&linux.O_PATH != 0 || out.Flags&linux.O_PATH != 0 {
		return linux.EBADF.Ret()
	}
	pin, pout := in.Off, out.Off
	var pinp, poutp *uint64
	if f.RSI != 0 {
		p, ok := userU64Any(f.RSI, true)
		if !ok {
			return linux.EFAULT.Ret()
		}
		pinp, pin = p, int64(*p)
	}
	if f.R10 != 0 {
		p, ok := userU64Any(f.R10, true)
		if !ok {
			return linux.EFAULT.Ret()
		}
		poutp, pout = p, int64(*p)
	}
	for _, d := range [2]*openFile{in, out} {
		if d.Kind != fdFile {
			return linux.EINVAL.Ret()
		}
		switch rootFS.Getattr(fileIno(d)).Mode & linux.S_IFMT {
		case linux.S_IFREG:
		case linux.S_IFDIR:
			return linux.EISDIR.Ret()
		default:
			return linux.EINVAL.Ret()
		}
	}
	if !canRead(in) || !canWrite(out) || out.Flags&linux.O_APPEND != 0 {
		return linux.EBADF.Ret()
	}
	count := f.R8
	if pin < 0 || pout < 0 || pin+int64(count) < pin || pout+int64(count) < pout {
		return linux.EOVERFLOW.Ret() // what Linux answers for a negative offset too
	}
	size := rootFS.Getattr(fileIno(in)).Size
	if pin >= size {
		count = 0
	} else {
		count = min(count, uint64(size-pin))
	}
	if lim := fsizeLimit[0]; lim != linux.RLIM_INFINITY {
		if uint64(pout) >= lim {
			raiseSIGXFSZ(t)
			return linux.EFBIG.Ret()
		}
		count = min(count, lim-uint64(pout))
	}
	if fileIno(in) == fileIno(out) && pout+int64(count) > pin && pout < pin+int64(count) {
		return linux.EINVAL.Ret() // overlapping ranges of one file
	}
	count = min(count, maxRWCount)
	if count == 0 {
		return 0
	}
	saved := out.Off
	out.Off = pout
	done, e := copyOut(t, fileIno(in), pin, out, count)
	out.Off = saved
	if done == 0 && e != 0 {
		return e.Ret()
	}
	if pinp != nil {
		*pinp = uint64(pin) + done
	} else {
		in.Off = pin + int64(done)
	}
	if poutp != nil {
		*poutp = uint64(pout) + done
	} else {
		out.Off = pout + int64(done)
	}
	return done
}
