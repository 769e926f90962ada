package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/tmpfs"
	"github.com/coracle-os/coracle/kernel/vfs"
)

// Owners: chown, fchown, lchown and fchownat. The program runs as root,
// which may give a file to any user and group, so nothing is refused
// for want of permission; tmpfs keeps the IDs in the inode (stat reports
// them) and clears the set-ID bits as Linux's chown does. The IDs are
// C uid_t and gid_t, 32 bits: the upper half of each register is
// ignored; -1 keeps a value. Files of shared host directories keep the
// host's owners: the file service has no call to change them, so chown
// there answers EOPNOTSUPP.

// chown(path, owner, group)
func sysChown(t *Thread, f *amd64.TrapFrame) uint64 {
	return chownPath(atFDCWD, f.RDI, uint32(f.RSI), uint32(f.RDX), 0)
}

// lchown(path, owner, group)
func sysLchown(t *Thread, f *amd64.TrapFrame) uint64 {
	return chownPath(atFDCWD, f.RDI, uint32(f.RSI), uint32(f.RDX), linux.AT_SYMLINK_NOFOLLOW)
}

// fchownat(dirfd, path, owner, group, flags)
func sysFchownat(t *Thread, f *amd64.TrapFrame) uint64 {
	return chownPath(f.RDI, f.RSI, uint32(f.RDX), uint32(f.R10), uint32(f.R8))
}

// fchown(fd, owner, group): EBADF for an O_PATH descriptor, as Linux
// answers. Pipes, sockets and the rest keep no owner: it answers 0 and
// fstat goes on reporting root.
func sysFchown(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(fdArg(f.RDI))
	switch {
	case d == nil, d.Flags&linux.O_PATH != 0:
		return linux.EBADF.Ret()
	case d.Kind == fdShare:
		return linux.EOPNOTSUPP.Ret()
	case d.Kind != fdFile:
		return 0
	}
	rootFS.Chown(fileIno(d), uint32(f.RSI), uint32(f.RDX), walltime())
	return 0
}

// chownPath changes the owner of the file at the path: with
// AT_SYMLINK_NOFOLLOW a symbolic link itself, with AT_EMPTY_PATH and an
// empty path the file dirfd is open on (an O_PATH descriptor too, as on
// Linux), or the working directory for AT_FDCWD.
func chownPath(dirfd, addr uint64, uid, gid, flags uint32) uint64 {
	if flags&^(linux.AT_SYMLINK_NOFOLLOW|linux.AT_EMPTY_PATH) != 0 {
		return linux.EINVAL.Ret()
	}
	path, e := userPath(addr)
	if e != 0 {
		return e.Ret()
	}
	var ino tmpfs.Ino
	if len(path) == 0 && flags&linux.AT_EMPTY_PATH != 0 {
		if int32(dirfd) == linux.AT_FDCWD {
			ino = cwd
		} else {
			d := lookupFD(fdArg(dirfd))
			switch {
			case d == nil:
				return linux.EBADF.Ret()
			case d.Kind == fdShare:
				return linux.EOPNOTSUPP.Ret()
			case d.Kind != fdFile:
				return 0 // pipes, sockets, ...: no owner kept
			}
			ino = fileIno(d)
		}
	} else {
		if _, ok := sharePath(0, dirfd, addr, flags&linux.AT_SYMLINK_NOFOLLOW == 0); ok {
			return linux.EOPNOTSUPP.Ret()
		}
		walk := vfs.Flags(0)
		if flags&linux.AT_SYMLINK_NOFOLLOW != 0 {
			walk = vfs.NoFollow
		}
		r, e := resolve(0, dirfd, path, walk)
		if e != 0 {
			return e.Ret()
		}
		ino = r.Node.Ino
	}
	rootFS.Chown(ino, uid, gid, walltime())
	return 0
}
