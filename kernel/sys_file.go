package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/linux"
)

func sysRead(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(f.RDI)
	if d == nil {
		return linux.EBADF.Ret()
	}
	b, ok := userBytes(f.RSI, f.RDX, true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	switch d.kind {
	case fdSocket:
		return socketRead(d.obj, b)
	case fdConsole:
		return 0 // no console input yet: end of file
	case fdEventfd:
		return eventfdRead(d, b)
	case fdIRQ:
		return irqRead(d, b)
	}
	return linux.EINVAL.Ret()
}

func sysWrite(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(f.RDI)
	if d == nil {
		return linux.EBADF.Ret()
	}
	b, ok := userBytes(f.RSI, f.RDX, false)
	if !ok {
		return linux.EFAULT.Ret()
	}
	return write(d, b)
}

func write(d *fileDesc, b []byte) uint64 {
	switch d.kind {
	case fdConsole:
		console.bytes(b)
		return uint64(len(b))
	case fdEventfd:
		return eventfdWrite(d, b)
	case fdSocket:
		return socketWrite(d.obj, b)
	}
	return linux.EINVAL.Ret()
}

// iovec is Linux's struct iovec.
type iovec struct {
	base, len uint64
}

func sysWritev(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(f.RDI)
	if d == nil {
		return linux.EBADF.Ret()
	}
	const iovMax = 1024
	if f.RDX > iovMax {
		return linux.EINVAL.Ret()
	}
	vb, ok := userBytes(f.RSI, f.RDX*16, false)
	if !ok {
		return linux.EFAULT.Ret()
	}
	var total uint64
	for i := range f.RDX {
		v := (*iovec)(unsafe.Pointer(&vb[i*16]))
		b, ok := userBytes(v.base, v.len, false)
		if !ok {
			return linux.EFAULT.Ret()
		}
		r := write(d, b)
		if int64(r) < 0 {
			if total > 0 {
				return total
			}
			return r
		}
		total += r
	}
	return total
}

func sysClose(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(f.RDI)
	if d == nil {
		return linux.EBADF.Ret()
	}
	switch d.kind {
	case fdEventfd:
		eventfds[d.obj].used = false
	case fdEpoll:
		epolls[d.obj].used = false
	case fdIRQ:
		irqClose(d)
	case fdSocket:
		socketClose(d.obj)
	}
	forgetFD(int32(f.RDI))
	*d = fileDesc{}
	return 0
}

func sysFcntl(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(f.RDI)
	if d == nil {
		return linux.EBADF.Ret()
	}
	switch f.RSI {
	case linux.F_GETFD:
		if d.cloexec {
			return linux.FD_CLOEXEC
		}
		return 0
	case linux.F_SETFD:
		d.cloexec = f.RDX&linux.FD_CLOEXEC != 0
		return 0
	case linux.F_GETFL:
		return uint64(d.flags)
	case linux.F_SETFL:
		d.flags = d.flags&^linux.O_NONBLOCK | uint32(f.RDX)&linux.O_NONBLOCK
		return 0
	}
	return linux.EINVAL.Ret()
}

// sysOpenat answers every path with ENOENT: there is no file system yet.
// The runtime's probes (/sys/kernel/mm/transparent_hugepage/...,
// /proc/self/cgroup, ...) all accept that.
func sysOpenat(t *Thread, f *amd64.TrapFrame) uint64 {
	if _, ok := userBytes(f.RSI, 1, false); !ok {
		return linux.EFAULT.Ret()
	}
	return linux.ENOENT.Ret()
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
