package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/vfs"
)

// mknod(2) in the root tmpfs: a regular file (S_IFREG, or type 0) or a
// FIFO (S_IFIFO; mkfifo(3) is mknodat with it, fd_fifo.go opens it),
// with the mode less the umask. Device nodes (S_IFCHR, S_IFBLK) answer
// EPERM, as Linux does for a caller without CAP_MKNOD: the kernel has
// drivers only behind the nodes of /dev it makes itself, so a node of
// another number could never be opened. S_IFSOCK answers EPERM too:
// the root keeps no socket files. A directory's type answers EPERM and
// any other EINVAL, before the path is looked at, as on Linux; a name
// that is taken answers EEXIST (a link there is not followed). Shared
// host directories and disks make no special files and, for want of
// the call in their services, no files through mknod: EPERM.

// mknodat(dirfd, path, mode, dev)
func sysMknodat(t *Thread, f *amd64.TrapFrame) uint64 {
	return mknodPath(f.RDI, f.RSI, uint32(f.RDX))
}

// mknod(path, mode, dev)
func sysMknod(t *Thread, f *amd64.TrapFrame) uint64 {
	return mknodPath(atFDCWD, f.RDI, uint32(f.RSI))
}

func mknodPath(dirfd, addr uint64, mode uint32) uint64 {
	typ := mode & linux.S_IFMT
	switch typ {
	case 0, linux.S_IFREG, linux.S_IFIFO, linux.S_IFCHR, linux.S_IFBLK, linux.S_IFSOCK:
	case linux.S_IFDIR:
		return linux.EPERM.Ret()
	default:
		return linux.EINVAL.Ret()
	}
	if _, ok := sharePath(0, dirfd, addr, false); ok {
		return linux.EPERM.Ret()
	}
	r, e := resolveAt(0, dirfd, addr, vfs.Parent)
	switch {
	case e != 0:
		return e.Ret()
	case r.Last != vfs.LastName:
		return linux.EEXIST.Ret()
	}
	if _, e := rootFS.Lookup(r.Node, r.Name); e == 0 {
		return linux.EEXIST.Ret()
	}
	if r.Slash {
		return linux.ENOENT.Ret()
	}
	perm := mode &^ umask & 0o7777
	now := walltime()
	switch typ {
	case 0, linux.S_IFREG:
		_, e = rootFS.Create(r.Node.Ino, r.Name, perm, now)
	case linux.S_IFIFO:
		_, e = rootFS.Mkfifo(r.Node.Ino, r.Name, perm, now)
	default:
		e = linux.EPERM
	}
	return e.Ret0()
}
