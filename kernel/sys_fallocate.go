package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/tmpfs"
)

// fallocate(fd, mode, offset, len), as Linux's tmpfs does it: mode 0
// and FALLOC_FL_KEEP_SIZE hold pages for the range (all or none:
// ENOSPC when the memory kept free would be touched), and
// FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE gives a range's pages back;
// every other mode answers EOPNOTSUPP, after the checks Linux's VFS
// makes first.
func sysFallocate(t *Thread, f *amd64.TrapFrame) uint64 {
	mode, off, n := uint32(f.RSI), int64(f.RDX), int64(f.R10)
	d := lookupFD(fdArg(f.RDI))
	if d == nil {
		return linux.EBADF.Ret()
	}
	if off < 0 || n <= 0 {
		return linux.EINVAL.Ret()
	}
	keep := mode&linux.FALLOC_FL_KEEP_SIZE != 0
	switch mode &^ linux.FALLOC_FL_KEEP_SIZE {
	case 0, linux.FALLOC_FL_ZERO_RANGE, linux.FALLOC_FL_UNSHARE_RANGE:
	case linux.FALLOC_FL_PUNCH_HOLE:
		if !keep {
			return linux.EOPNOTSUPP.Ret()
		}
	case linux.FALLOC_FL_COLLAPSE_RANGE, linux.FALLOC_FL_INSERT_RANGE:
		if keep {
			return linux.EOPNOTSUPP.Ret()
		}
	default:
		return linux.EOPNOTSUPP.Ret()
	}
	switch d.Kind {
	case fdPipe:
		if _, end := pipeOf(d); end == pipeReadEnd {
			return linux.EBADF.Ret()
		}
		return linux.ESPIPE.Ret()
	case fdFile:
	default:
		return linux.ENODEV.Ret() // sockets, the console, anonymous inodes
	}
	if !canWrite(d) {
		return linux.EBADF.Ret()
	}
	ino := fileIno(d)
	switch rootFS.Getattr(ino).Mode & linux.S_IFMT {
	case linux.S_IFREG:
	case linux.S_IFDIR:
		return linux.EISDIR.Ret()
	default:
		return linux.ENODEV.Ret()
	}
	if off+n > tmpfs.MaxFileSize || off+n < 0 {
		return linux.EFBIG.Ret()
	}
	now := walltime()
	switch mode {
	case linux.FALLOC_FL_PUNCH_HOLE | linux.FALLOC_FL_KEEP_SIZE:
		return rootFS.PunchHole(ino, off, n, now).Ret0()
	case 0, linux.FALLOC_FL_KEEP_SIZE:
	default:
		return linux.EOPNOTSUPP.Ret()
	}
	if e := fsizeGrow(ino, off+n); e != 0 {
		return e.Ret() // checked with KEEP_SIZE too, as Linux does
	}
	var avail uint64
	if free, keep := freeFrames(), uint64(commitReserve/4096); free > keep {
		avail = free - keep
	}
	return rootFS.Allocate(ino, off, n, keep, avail, now).Ret0()
}
