package kernel

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// pipe(fds)
func sysPipe(t *Thread, f *amd64.TrapFrame) uint64 {
	return makePipe(f.RDI, 0)
}

// pipe2(fds, flags)
func sysPipe2(t *Thread, f *amd64.TrapFrame) uint64 {
	return makePipe(f.RDI, f.RSI)
}

// makePipe makes a pipe and stores its read and write descriptors at
// addr. O_DIRECT (packet mode) is not supported and, like every other
// flag but O_CLOEXEC and O_NONBLOCK, answers EINVAL.
func makePipe(addr, flags uint64) uint64 {
	if flags&^(linux.O_CLOEXEC|linux.O_NONBLOCK) != 0 {
		return linux.EINVAL.Ret()
	}
	out, ok := userBytes(addr, 8, true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	id, e := newPipe(false)
	if e != 0 {
		return e.Ret()
	}
	nonblock := uint32(flags) & linux.O_NONBLOCK
	cloexec := flags&linux.O_CLOEXEC != 0
	r := allocFD(fdPipe, pipeObj(id, pipeReadEnd), linux.O_RDONLY|nonblock, cloexec)
	w := -1
	if r >= 0 {
		w = allocFD(fdPipe, pipeObj(id, pipeWriteEnd), linux.O_WRONLY|nonblock, cloexec)
	}
	if w < 0 {
		if r >= 0 {
			fdt.Close(uint64(r)) // the pipe is released below, whole
		}
		pipes[id].CloseReader()
		pipes[id].CloseWriter()
		for _, pa := range pipes[id].Pages() {
			frames.Free(pa)
		}
		return linux.EMFILE.Ret()
	}
	binary.LittleEndian.PutUint32(out, uint32(r))
	binary.LittleEndian.PutUint32(out[4:], uint32(w))
	return 0
}

// splice(fd_in, off_in, fd_out, off_out, len, flags) moves nothing: it
// answers EINVAL for every pair of open descriptors, Linux's answer for
// a file that cannot splice. Callers then read and write instead: Go's
// io.Copy between sockets tries splice through a pipe once pipes exist,
// and takes EINVAL, and only EINVAL, to mean "copy by hand".
func sysSplice(t *Thread, f *amd64.TrapFrame) uint64 {
	if lookupFD(f.RDI) == nil || lookupFD(f.RDX) == nil {
		return linux.EBADF.Ret()
	}
	return linux.EINVAL.Ret()
}
