package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/sigframe"
)

// preadv, pwritev, preadv2 and pwritev2: vectored reads and writes at an
// offset (files of the root only: ESPIPE elsewhere), or, for the *2
// forms with offset -1, at the file position as readv and writev do (any
// descriptor). The *2 forms take RWF_* flags as Linux's tmpfs does:
// RWF_HIPRI, RWF_DSYNC and RWF_SYNC change nothing in memory,
// RWF_APPEND and RWF_NOAPPEND override O_APPEND for one write,
// RWF_NOSIGNAL keeps a write to a pipe with no reader from raising
// SIGPIPE, RWF_NOWAIT makes a pipe or socket call non-blocking and is
// refused on files (EOPNOTSUPP, as tmpfs does), and RWF_ATOMIC,
// RWF_DONTCACHE and unknown bits answer EOPNOTSUPP.

// rwfNoSignal is RWF_NOSIGNAL (Linux 6.16).
const rwfNoSignal = 0x100

// rwfAccepted are the RWF_* flags coracle takes.
const rwfAccepted = linux.RWF_HIPRI | linux.RWF_DSYNC | linux.RWF_SYNC | linux.RWF_NOWAIT |
	linux.RWF_APPEND | linux.RWF_NOAPPEND | rwfNoSignal

// preadv(fd, iov, iovcnt, pos_l, pos_h): on x86-64 pos_l is the offset.
func sysPreadv(t *Thread, f *amd64.TrapFrame) uint64 { return vectoredAt(t, f, true, false) }

// pwritev(fd, iov, iovcnt, pos_l, pos_h)
func sysPwritev(t *Thread, f *amd64.TrapFrame) uint64 { return vectoredAt(t, f, false, false) }

// preadv2(fd, iov, iovcnt, pos_l, pos_h, flags)
func sysPreadv2(t *Thread, f *amd64.TrapFrame) uint64 { return vectoredAt(t, f, true, true) }

// pwritev2(fd, iov, iovcnt, pos_l, pos_h, flags)
func sysPwritev2(t *Thread, f *amd64.TrapFrame) uint64 { return vectoredAt(t, f, false, true) }

// vectoredAt serves the four calls, in Linux's order of checks: the
// offset, the descriptor, the flags, then the access mode and the array.
func vectoredAt(t *Thread, f *amd64.TrapFrame, in, v2 bool) uint64 {
	off := int64(f.R10)
	var flags uint64
	if v2 {
		flags = f.R9
	}
	if off < 0 && !(v2 && off == -1) {
		return linux.EINVAL.Ret()
	}
	d := lookupFD(f.RDI)
	if d == nil {
		return linux.EBADF.Ret()
	}
	if flags&^rwfAccepted != 0 {
		return linux.EOPNOTSUPP.Ret()
	}
	if flags&linux.RWF_NOWAIT != 0 && d.Kind == fdFile {
		return linux.EOPNOTSUPP.Ret() // tmpfs has no FMODE_NOWAIT
	}
	if off == -1 {
		return vectoredWithFlags(t, f, d, in, flags)
	}
	if d.Kind == fdShare {
		return shareVectoredAt(t, f, d, in, off)
	}
	if d.Kind != fdFile {
		return linux.ESPIPE.Ret()
	}
	if in && !canRead(d) || !in && !canWrite(d) {
		return linux.EBADF.Ret()
	}
	iov, e := loadIOV(f.RSI, f.RDX)
	if e != 0 {
		return e.Ret()
	}
	if _, ok := iov.total(); !ok {
		return linux.EINVAL.Ret()
	}
	if !in && appends(d, flags) {
		off = rootFS.Getattr(fileIno(d)).Size
	}
	var total uint64
	for i := range iov.vecs {
		b, ok := iov.buf(i, in)
		if !ok {
			return doneOr(total, linux.EFAULT)
		}
		var n int
		if in {
			n, e = filePread(d, b, off+int64(total))
		} else {
			n, e = filePwrite(d, b, off+int64(total))
		}
		if e != 0 {
			return doneOr(total, e)
		}
		total += uint64(n)
		if n < len(b) {
			break
		}
	}
	return total
}

// appends reports whether a write on d with flags goes to the end.
func appends(d *openFile, flags uint64) bool {
	if flags&linux.RWF_APPEND != 0 {
		return true
	}
	return d.Flags&linux.O_APPEND != 0 && flags&linux.RWF_NOAPPEND == 0
}

// vectoredWithFlags is readv or writev with RWF_* flags, which change
// d's status flags for this one call: RWF_NOWAIT is O_NONBLOCK, and
// RWF_APPEND and RWF_NOAPPEND set or clear O_APPEND. The flags are back
// before the call returns; one that waits (a blocking pipe or socket)
// is made again when woken, as preadv2 or pwritev2 with the same
// registers, so it changes them again.
func vectoredWithFlags(t *Thread, f *amd64.TrapFrame, d *openFile, in bool, flags uint64) uint64 {
	saved := d.Flags
	if flags&linux.RWF_NOWAIT != 0 {
		d.Flags |= linux.O_NONBLOCK
	}
	if !in && appends(d, flags) {
		d.Flags |= linux.O_APPEND
	} else if !in {
		d.Flags &^= linux.O_APPEND
	}
	pending := t.pendingSignals
	ret := vectored(t, f, in)
	d.Flags = saved
	if flags&rwfNoSignal != 0 && ret == linux.EPIPE.Ret() {
		t.pendingSignals &= pending | ^sigframe.Bit(SIGPIPE) // the one this write raised
	}
	return ret
}
