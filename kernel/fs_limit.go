package kernel

import (
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/tmpfs"
)

// RLIMIT_FSIZE, as Linux applies it to regular files: a write starting
// at or past the soft limit fails with EFBIG and raises SIGXFSZ, one
// that starts below it is cut short at it (generic_write_check_limits);
// growing a file past it by truncate or fallocate fails the same way
// (inode_newsize_ok). The signal is sent as Linux's send_sig does
// (SI_USER): its default action ends the program, while the Go runtime
// catches it and, unless os/signal asked for it, ignores it, so a Go
// program just sees EFBIG.

// fsizeAllow is how many of n bytes may be written at off.
func fsizeAllow(off int64, n int) (int, linux.Errno) {
	lim := fsizeLimit[0]
	if lim == linux.RLIM_INFINITY || n == 0 {
		return n, 0
	}
	if uint64(off) >= lim {
		raiseSIGXFSZ(cur())
		return 0, linux.EFBIG
	}
	return int(min(uint64(n), lim-uint64(off))), 0
}

// fsizeGrow checks that regular file ino may grow to size.
func fsizeGrow(ino tmpfs.Ino, size int64) linux.Errno {
	lim := fsizeLimit[0]
	if lim == linux.RLIM_INFINITY || size <= rootFS.Getattr(ino).Size || uint64(size) <= lim {
		return 0
	}
	raiseSIGXFSZ(cur())
	return linux.EFBIG
}

// truncateFile is truncate and ftruncate on a file of the root: EINVAL
// for a negative length, RLIMIT_FSIZE, then tmpfs's rules.
func truncateFile(ino tmpfs.Ino, size int64) linux.Errno {
	if size < 0 {
		return linux.EINVAL
	}
	if a := rootFS.Getattr(ino); a.Mode&linux.S_IFMT == linux.S_IFREG {
		if e := fsizeGrow(ino, size); e != 0 {
			return e
		}
	}
	return rootFS.Truncate(ino, size, walltime())
}
