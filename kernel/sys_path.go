package kernel

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/shares"
	"github.com/coracle-os/coracle/kernel/tmpfs"
	"github.com/coracle-os/coracle/kernel/vfs"
)

// The system calls that take a path: each resolves it in the root file
// system (fs_root.go) from the working directory or a directory
// descriptor, then asks tmpfs, with Linux's errors. The old forms
// without a directory (open, mkdir, ...) are their *at forms from
// AT_FDCWD.

const atFDCWD = uint64(0xffffff9c) // AT_FDCWD as a register holds it

// openat(dirfd, path, flags, mode)
func sysOpenat(t *Thread, f *amd64.TrapFrame) uint64 {
	if tg, ok := sharePath(0, f.RDI, f.RSI, f.RDX&linux.O_NOFOLLOW == 0); ok {
		return shareOpen(t, f, tg, uint32(f.RDX), uint32(f.R10))
	}
	return openPath(t, f.RDI, f.RSI, uint32(f.RDX), uint32(f.R10))
}

// open(path, flags, mode)
func sysOpen(t *Thread, f *amd64.TrapFrame) uint64 {
	if tg, ok := sharePath(0, atFDCWD, f.RDI, f.RSI&linux.O_NOFOLLOW == 0); ok {
		return shareOpen(t, f, tg, uint32(f.RSI), uint32(f.RDX))
	}
	return openPath(t, atFDCWD, f.RDI, uint32(f.RSI), uint32(f.RDX))
}

// creat(path, mode)
func sysCreat(t *Thread, f *amd64.TrapFrame) uint64 {
	if tg, ok := sharePath(0, atFDCWD, f.RDI, true); ok {
		return shareOpen(t, f, tg, linux.O_CREAT|linux.O_WRONLY|linux.O_TRUNC, uint32(f.RSI))
	}
	return openPath(t, atFDCWD, f.RDI, linux.O_CREAT|linux.O_WRONLY|linux.O_TRUNC, uint32(f.RSI))
}

// openPath opens (or, with O_CREAT, makes) the file at the path at
// addr for thread t, as open and openat do: O_PATH drops the flags it
// does not take.
func openPath(t *Thread, dirfd, addr uint64, flags, mode uint32) uint64 {
	if flags&linux.O_PATH != 0 {
		flags &= linux.O_PATH | linux.O_DIRECTORY | linux.O_NOFOLLOW | linux.O_CLOEXEC
	}
	return openScoped(t, dirfd, addr, flags, mode, 0)
}

// openScoped opens the file at the path at addr with flags that are
// checked already, resolving it within scope (openat2's resolve flags
// as vfs.Flags). A FIFO's open may park t (fd_fifo.go).
func openScoped(t *Thread, dirfd, addr uint64, flags, mode uint32, scope vfs.Flags) uint64 {
	if flags&linux.O_TMPFILE == linux.O_TMPFILE {
		return openTmpfile(dirfd, addr, flags, mode, scope)
	}
	if flags&linux.O_TMPFILE_BIT != 0 || flags&(linux.O_CREAT|linux.O_DIRECTORY) == linux.O_CREAT|linux.O_DIRECTORY {
		return linux.EINVAL.Ret() // __O_TMPFILE without O_DIRECTORY; O_CREAT|O_DIRECTORY: Linux 6.4 and later
	}
	path, e := userPath(addr)
	if e != 0 {
		return e.Ret()
	}
	walk := scope
	if flags&linux.O_NOFOLLOW != 0 {
		walk |= vfs.NoFollow
	}
	var ino tmpfs.Ino
	switch {
	case flags&linux.O_CREAT != 0 && flags&linux.O_EXCL != 0:
		ino, e = createFile(dirfd, path, mode, scope)
	case flags&linux.O_CREAT != 0:
		r, e1 := resolve(0, dirfd, path, walk)
		ino, e = r.Node.Ino, e1
		if e == linux.ENOENT {
			// Missing, or a dangling link: without O_NOFOLLOW the
			// link's target is made, as Linux does.
			ino, e = createFile(dirfd, path, mode, scope|walk&vfs.NoFollow|vfs.FollowLast)
		} else if e == 0 && rootFS.Kind(r.Node) == vfs.KindDir {
			e = linux.EISDIR
		}
	default:
		r, e1 := resolve(0, dirfd, path, walk)
		ino, e = r.Node.Ino, e1
	}
	if e != 0 {
		return e.Ret()
	}
	a := rootFS.Getattr(ino)
	kind := a.Mode & linux.S_IFMT
	acc := flags & linux.O_ACCMODE
	switch {
	case kind == linux.S_IFLNK && flags&linux.O_PATH == 0:
		return linux.ELOOP.Ret() // O_NOFOLLOW met a link
	case kind != linux.S_IFDIR && flags&linux.O_DIRECTORY != 0:
		return linux.ENOTDIR.Ret()
	case kind == linux.S_IFDIR && flags&linux.O_PATH == 0 && (acc != linux.O_RDONLY || flags&linux.O_CREAT != 0):
		return linux.EISDIR.Ret()
	case kind == linux.S_IFSOCK && flags&linux.O_PATH == 0:
		return linux.ENXIO.Ret() // a socket is connected to, not opened
	}
	if kind == linux.S_IFIFO && flags&linux.O_PATH == 0 {
		return fifoOpen(t, ino, flags)
	}
	if kind == linux.S_IFREG && flags&linux.O_PATH == 0 {
		if e := procRefresh(ino); e != 0 {
			return e.Ret()
		}
	}
	if kind == linux.S_IFREG && flags&(linux.O_TRUNC|linux.O_PATH) == linux.O_TRUNC && a.Size != 0 {
		if e := rootFS.Truncate(ino, 0, walltime()); e != 0 {
			return e.Ret()
		}
	}
	return openIno(ino, flags)
}

// openIno gives a new descriptor on root inode ino with open's flags:
// EMFILE when the table is full.
func openIno(ino tmpfs.Ino, flags uint32) uint64 {
	keep := flags &^ (linux.O_CREAT | linux.O_EXCL | linux.O_NOCTTY | linux.O_TRUNC | linux.O_CLOEXEC)
	if flags&linux.O_PATH == 0 {
		keep |= linux.O_LARGEFILE
	}
	fd := allocFD(fdFile, int(ino), keep, flags&linux.O_CLOEXEC != 0)
	if fd < 0 {
		return linux.EMFILE.Ret()
	}
	rootFS.Open(ino)
	return uint64(fd)
}

// openTmpfile serves O_TMPFILE: an unnamed regular file in the directory
// at the path, open for writing (EINVAL otherwise, and with O_CREAT),
// which linkat with AT_EMPTY_PATH may name unless O_EXCL was given.
func openTmpfile(dirfd, addr uint64, flags, mode uint32, scope vfs.Flags) uint64 {
	if acc := flags & linux.O_ACCMODE; flags&linux.O_CREAT != 0 || acc != linux.O_WRONLY && acc != linux.O_RDWR {
		return linux.EINVAL.Ret()
	}
	r, e := resolveAt(0, dirfd, addr, scope)
	if e != 0 {
		return e.Ret()
	}
	ino, e := rootFS.CreateUnnamed(r.Node.Ino, mode&^umask&0o7777, flags&linux.O_EXCL == 0, walltime())
	if e != 0 {
		return e.Ret()
	}
	fd := openIno(ino, flags)
	if int64(fd) < 0 {
		rootFS.Open(ino)
		rootFS.Close(ino) // frees it: it has no link
	}
	return fd
}

// createFile makes a new regular file at path (EEXIST if anything is
// there), with mode less the umask. A dangling link at path is there
// (O_EXCL) unless scope has vfs.FollowLast, which makes the file where
// the link leads.
func createFile(dirfd uint64, path []byte, mode uint32, scope vfs.Flags) (tmpfs.Ino, linux.Errno) {
	r, e := resolve(0, dirfd, path, vfs.Parent|scope)
	switch {
	case e != 0:
		return 0, e
	case r.Last != vfs.LastName:
		return 0, linux.EISDIR
	}
	if _, e := rootFS.Lookup(r.Node, r.Name); e == 0 {
		return 0, linux.EEXIST
	}
	if r.Slash {
		return 0, linux.EISDIR
	}
	return rootFS.Create(r.Node.Ino, r.Name, mode&^umask&0o7777, walltime())
}

// newfstatat(dirfd, path, statbuf, flags)
func sysNewfstatat(t *Thread, f *amd64.TrapFrame) uint64 {
	if d := lookupFD(fdArg(f.RDI)); d != nil && d.Kind == fdShare && f.R10&linux.AT_EMPTY_PATH != 0 {
		if p, e := userPath(f.RSI); e == 0 && len(p) == 0 {
			return shareFstat(t, f, fdArg(f.RDI), d, f.RDX)
		}
	}
	if tg, ok := sharePath(0, f.RDI, f.RSI, f.R10&linux.AT_SYMLINK_NOFOLLOW == 0); ok {
		return shareStatPath(t, f, tg, f.RDX, uint32(f.R10))
	}
	return statPath(f.RDI, f.RSI, f.RDX, uint32(f.R10))
}

// stat(path, statbuf)
func sysStat(t *Thread, f *amd64.TrapFrame) uint64 {
	if tg, ok := sharePath(0, atFDCWD, f.RDI, true); ok {
		return shareStatPath(t, f, tg, f.RSI, 0)
	}
	return statPath(atFDCWD, f.RDI, f.RSI, 0)
}

// lstat(path, statbuf)
func sysLstat(t *Thread, f *amd64.TrapFrame) uint64 {
	if tg, ok := sharePath(0, atFDCWD, f.RDI, false); ok {
		return shareStatPath(t, f, tg, f.RSI, linux.AT_SYMLINK_NOFOLLOW)
	}
	return statPath(atFDCWD, f.RDI, f.RSI, linux.AT_SYMLINK_NOFOLLOW)
}

// statPath stores the stat of the file at the path at addr.
func statPath(dirfd, addr, buf uint64, flags uint32) uint64 {
	if flags&^(linux.AT_SYMLINK_NOFOLLOW|linux.AT_EMPTY_PATH|linux.AT_NO_AUTOMOUNT) != 0 {
		return linux.EINVAL.Ret()
	}
	path, e := userPath(addr)
	if e != 0 {
		return e.Ret()
	}
	if len(path) == 0 && flags&linux.AT_EMPTY_PATH != 0 {
		if int32(dirfd) == linux.AT_FDCWD {
			return statInoAt(buf, cwd)
		}
		d := lookupFD(fdArg(dirfd))
		if d == nil {
			return linux.EBADF.Ret()
		}
		return writeStat(buf, d)
	}
	walk := vfs.Flags(0)
	if flags&linux.AT_SYMLINK_NOFOLLOW != 0 {
		walk = vfs.NoFollow
	}
	r, e := resolve(0, dirfd, path, walk)
	if e != 0 {
		return e.Ret()
	}
	return statInoAt(buf, r.Node.Ino)
}

func statInoAt(buf uint64, ino tmpfs.Ino) uint64 {
	st, ok := userStat(buf)
	if !ok {
		return linux.EFAULT.Ret()
	}
	statIno(st, ino)
	return 0
}

// readlinkat(dirfd, path, buf, bufsiz)
func sysReadlinkat(t *Thread, f *amd64.TrapFrame) uint64 {
	if tg, ok := sharePath(0, f.RDI, f.RSI, false); ok {
		return shareReadlink(t, f, tg, f.RDX, f.R10)
	}
	return readlinkPath(f.RDI, f.RSI, f.RDX, f.R10)
}

// readlink(path, buf, bufsiz)
func sysReadlink(t *Thread, f *amd64.TrapFrame) uint64 {
	if tg, ok := sharePath(0, atFDCWD, f.RDI, false); ok {
		return shareReadlink(t, f, tg, f.RSI, f.RDX)
	}
	return readlinkPath(atFDCWD, f.RDI, f.RSI, f.RDX)
}

// readlinkPath copies a link's target, cut to bufsiz, without a NUL.
func readlinkPath(dirfd, addr, buf, size uint64) uint64 {
	if int32(size) <= 0 {
		return linux.EINVAL.Ret()
	}
	r, e := resolveAt(0, dirfd, addr, vfs.NoFollow)
	if e != 0 {
		return e.Ret()
	}
	n, e := rootFS.Readlink(r.Node, linkBuf[:])
	if e != 0 {
		return e.Ret()
	}
	n = min(n, int(uint32(size)))
	out, ok := userBytes(buf, uint64(n), true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	copy(out, linkBuf[:n])
	return uint64(n)
}

// getcwd(buf, size): the working directory's path, with its NUL;
// ENOENT once it is removed, ERANGE if size is too small.
func sysGetcwd(t *Thread, f *amd64.TrapFrame) uint64 {
	if cwdShare >= 0 {
		return getcwdInShare(f.RDI, f.RSI)
	}
	at, e := cwdPath(linkBuf[:vfs.PathMax-1])
	if e != 0 {
		return e.Ret()
	}
	n := vfs.PathMax - 1 - at
	if f.RSI < uint64(n+1) {
		return linux.ERANGE.Ret()
	}
	b, ok := userBytes(f.RDI, uint64(n+1), true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	copy(b, linkBuf[at:vfs.PathMax-1])
	b[n] = 0
	return uint64(n + 1)
}

// mkdirat(dirfd, path, mode)
func sysMkdirat(t *Thread, f *amd64.TrapFrame) uint64 {
	if tg, ok := sharePath(0, f.RDI, f.RSI, false); ok {
		return shareSimple(t, f, shares.OpMkdir, tg, 0, uint32(f.RDX)&^umask&0o7777, 0)
	}
	return mkdirPath(f.RDI, f.RSI, uint32(f.RDX))
}

// mkdir(path, mode)
func sysMkdir(t *Thread, f *amd64.TrapFrame) uint64 {
	if tg, ok := sharePath(0, atFDCWD, f.RDI, false); ok {
		return shareSimple(t, f, shares.OpMkdir, tg, 0, uint32(f.RSI)&^umask&0o7777, 0)
	}
	return mkdirPath(atFDCWD, f.RDI, uint32(f.RSI))
}

func mkdirPath(dirfd, addr uint64, mode uint32) uint64 {
	r, e := resolveAt(0, dirfd, addr, vfs.Parent)
	switch {
	case e != 0:
		return e.Ret()
	case r.Last != vfs.LastName:
		return linux.EEXIST.Ret()
	}
	_, e = rootFS.Mkdir(r.Node.Ino, r.Name, mode&^umask&(0o777|linux.S_ISVTX), walltime())
	return e.Ret0()
}

// unlinkat(dirfd, path, flags)
func sysUnlinkat(t *Thread, f *amd64.TrapFrame) uint64 {
	if f.RDX&^linux.AT_REMOVEDIR != 0 {
		return linux.EINVAL.Ret()
	}
	if tg, ok := sharePath(0, f.RDI, f.RSI, false); ok {
		return shareSimple(t, f, shares.OpUnlink, tg, uint32(f.RDX), 0, 0)
	}
	return unlinkPath(f.RDI, f.RSI, f.RDX&linux.AT_REMOVEDIR != 0)
}

// unlink(path)
func sysUnlink(t *Thread, f *amd64.TrapFrame) uint64 {
	if tg, ok := sharePath(0, atFDCWD, f.RDI, false); ok {
		return shareSimple(t, f, shares.OpUnlink, tg, 0, 0, 0)
	}
	return unlinkPath(atFDCWD, f.RDI, false)
}

// rmdir(path)
func sysRmdir(t *Thread, f *amd64.TrapFrame) uint64 {
	if tg, ok := sharePath(0, atFDCWD, f.RDI, false); ok {
		return shareSimple(t, f, shares.OpUnlink, tg, linux.AT_REMOVEDIR, 0, 0)
	}
	return unlinkPath(atFDCWD, f.RDI, true)
}

func unlinkPath(dirfd, addr uint64, dir bool) uint64 {
	r, e := resolveAt(0, dirfd, addr, vfs.Parent)
	if e != 0 {
		return e.Ret()
	}
	now := walltime()
	if dir {
		switch r.Last {
		case vfs.LastDot:
			return linux.EINVAL.Ret()
		case vfs.LastDotDot:
			return linux.ENOTEMPTY.Ret()
		case vfs.LastRoot:
			return linux.EBUSY.Ret()
		}
		return rootFS.Rmdir(r.Node.Ino, r.Name, now).Ret0()
	}
	if r.Last != vfs.LastName {
		return linux.EISDIR.Ret()
	}
	if r.Slash {
		n, e := rootFS.Lookup(r.Node, r.Name)
		switch {
		case e != 0:
			return e.Ret()
		case rootFS.Kind(n) == vfs.KindDir:
			return linux.EISDIR.Ret()
		}
		return linux.ENOTDIR.Ret()
	}
	return rootFS.Unlink(r.Node.Ino, r.Name, now).Ret0()
}

// renameat2(olddirfd, oldpath, newdirfd, newpath, flags)
func sysRenameat2(t *Thread, f *amd64.TrapFrame) uint64 {
	if ret, ok := renameInShares(t, f, f.RDI, f.RSI, f.RDX, f.R10, uint32(f.R8)); ok {
		return ret
	}
	return renamePath(f.RDI, f.RSI, f.RDX, f.R10, uint32(f.R8))
}

// renameat(olddirfd, oldpath, newdirfd, newpath)
func sysRenameat(t *Thread, f *amd64.TrapFrame) uint64 {
	if ret, ok := renameInShares(t, f, f.RDI, f.RSI, f.RDX, f.R10, 0); ok {
		return ret
	}
	return renamePath(f.RDI, f.RSI, f.RDX, f.R10, 0)
}

// rename(oldpath, newpath)
func sysRename(t *Thread, f *amd64.TrapFrame) uint64 {
	if ret, ok := renameInShares(t, f, atFDCWD, f.RDI, atFDCWD, f.RSI, 0); ok {
		return ret
	}
	return renamePath(atFDCWD, f.RDI, atFDCWD, f.RSI, 0)
}

// renamePath renames with renameat2's flags. There is one file system,
// so EXDEV cannot happen yet.
func renamePath(odirfd, oaddr, ndirfd, naddr uint64, flags uint32) uint64 {
	if flags&^(linux.RENAME_NOREPLACE|linux.RENAME_EXCHANGE) != 0 ||
		flags == linux.RENAME_NOREPLACE|linux.RENAME_EXCHANGE {
		return linux.EINVAL.Ret()
	}
	o, e := resolveAt(0, odirfd, oaddr, vfs.Parent)
	if e != 0 {
		return e.Ret()
	}
	n, e := resolveAt(1, ndirfd, naddr, vfs.Parent)
	if e != 0 {
		return e.Ret()
	}
	if o.Last != vfs.LastName {
		return linux.EBUSY.Ret()
	}
	if n.Last != vfs.LastName {
		if flags&linux.RENAME_NOREPLACE != 0 {
			return linux.EEXIST.Ret()
		}
		return linux.EBUSY.Ret()
	}
	if o.Node.FS != n.Node.FS {
		return linux.EXDEV.Ret()
	}
	src, e := rootFS.Lookup(o.Node, o.Name)
	if e != 0 {
		return e.Ret()
	}
	if rootFS.Kind(src) != vfs.KindDir && (o.Slash || n.Slash && flags&linux.RENAME_EXCHANGE == 0) {
		return linux.ENOTDIR.Ret()
	}
	return rootFS.Rename(o.Node.Ino, o.Name, n.Node.Ino, n.Name, flags, walltime()).Ret0()
}

// symlinkat(target, newdirfd, linkpath)
func sysSymlinkat(t *Thread, f *amd64.TrapFrame) uint64 {
	if tg, ok := sharePath(0, f.RSI, f.RDX, false); ok {
		return symlinkInShare(t, f, tg, f.RDI)
	}
	return symlinkPath(f.RDI, f.RSI, f.RDX)
}

// symlink(target, linkpath)
func sysSymlink(t *Thread, f *amd64.TrapFrame) uint64 {
	if tg, ok := sharePath(0, atFDCWD, f.RSI, false); ok {
		return symlinkInShare(t, f, tg, f.RDI)
	}
	return symlinkPath(f.RDI, atFDCWD, f.RSI)
}

func symlinkPath(taddr, dirfd, addr uint64) uint64 {
	target, e := userPath(taddr)
	if e != 0 {
		return e.Ret()
	}
	r, e := newName(0, dirfd, addr)
	if e != 0 {
		return e.Ret()
	}
	_, e = rootFS.Symlink(r.Node.Ino, r.Name, target, walltime())
	return e.Ret0()
}

// linkat(olddirfd, oldpath, newdirfd, newpath, flags)
func sysLinkat(t *Thread, f *amd64.TrapFrame) uint64 {
	if f.R8&^(linux.AT_SYMLINK_FOLLOW|linux.AT_EMPTY_PATH) != 0 {
		return linux.EINVAL.Ret()
	}
	if ret, ok := linkInShares(t, f, f.RDI, f.RSI, f.RDX, f.R10, uint32(f.R8)); ok {
		return ret
	}
	return linkPath(f.RDI, f.RSI, f.RDX, f.R10, uint32(f.R8))
}

// link(oldpath, newpath)
func sysLink(t *Thread, f *amd64.TrapFrame) uint64 {
	if ret, ok := linkInShares(t, f, atFDCWD, f.RDI, atFDCWD, f.RSI, 0); ok {
		return ret
	}
	return linkPath(atFDCWD, f.RDI, atFDCWD, f.RSI, 0)
}

func linkPath(odirfd, oaddr, ndirfd, naddr uint64, flags uint32) uint64 {
	walk := vfs.NoFollow
	if flags&linux.AT_SYMLINK_FOLLOW != 0 {
		walk = 0
	}
	opath, e := userPath(oaddr)
	if e != 0 {
		return e.Ret()
	}
	var o vfs.Result
	if len(opath) == 0 && flags&linux.AT_EMPTY_PATH != 0 {
		// The file olddirfd is open on (an O_TMPFILE file gets its
		// name so): the working directory for AT_FDCWD.
		o.Node = inoNode(cwd)
		if int32(odirfd) != linux.AT_FDCWD {
			d := lookupFD(fdArg(odirfd))
			switch {
			case d == nil:
				return linux.EBADF.Ret()
			case d.Kind != fdFile:
				return linux.EXDEV.Ret() // pipes and sockets live on other file systems
			}
			o.Node = inoNode(fileIno(d))
		}
	} else if o, e = resolve(0, odirfd, opath, walk); e != 0 {
		return e.Ret()
	}
	n, e := newName(1, ndirfd, naddr)
	switch {
	case e != 0:
		return e.Ret()
	case o.Node.FS != n.Node.FS:
		return linux.EXDEV.Ret()
	}
	return rootFS.Link(o.Node.Ino, n.Node.Ino, n.Name, walltime()).Ret0()
}

// truncate(path, length)
func sysTruncate(t *Thread, f *amd64.TrapFrame) uint64 {
	if tg, ok := sharePath(0, atFDCWD, f.RDI, true); ok && int64(f.RSI) >= 0 {
		return shareSimple(t, f, shares.OpTruncate, tg, 0, 0, int64(f.RSI))
	}
	r, e := resolveAt(0, atFDCWD, f.RDI, 0)
	if e != 0 {
		return e.Ret()
	}
	return truncateFile(r.Node.Ino, int64(f.RSI)).Ret0()
}

// fchmodat(dirfd, path, mode)
func sysFchmodat(t *Thread, f *amd64.TrapFrame) uint64 {
	if tg, ok := sharePath(0, f.RDI, f.RSI, true); ok {
		return shareSimple(t, f, shares.OpChmod, tg, 0, uint32(f.RDX)&0o7777, 0)
	}
	return chmodPath(f.RDI, f.RSI, uint32(f.RDX))
}

// chmod(path, mode)
func sysChmod(t *Thread, f *amd64.TrapFrame) uint64 {
	if tg, ok := sharePath(0, atFDCWD, f.RDI, true); ok {
		return shareSimple(t, f, shares.OpChmod, tg, 0, uint32(f.RSI)&0o7777, 0)
	}
	return chmodPath(atFDCWD, f.RDI, uint32(f.RSI))
}

func chmodPath(dirfd, addr uint64, mode uint32) uint64 {
	r, e := resolveAt(0, dirfd, addr, 0)
	if e != 0 {
		return e.Ret()
	}
	rootFS.Chmod(r.Node.Ino, mode&0o7777, walltime())
	return 0
}

// utimensat(dirfd, path, times, flags): a NULL path is the file dirfd
// is open on (futimens); NULL times, or UTIME_NOW, is now; UTIME_OMIT
// leaves a time as it is.
func sysUtimensat(t *Thread, f *amd64.TrapFrame) uint64 {
	flags := uint32(f.R10)
	if flags&^(linux.AT_SYMLINK_NOFOLLOW|linux.AT_EMPTY_PATH) != 0 {
		return linux.EINVAL.Ret()
	}
	now := walltime()
	times := [2]int64{now, now}
	omit := [2]bool{}
	if f.RDX != 0 {
		b, ok := userBytes(f.RDX, 32, false)
		if !ok {
			return linux.EFAULT.Ret()
		}
		for i := range times {
			sec := int64(binary.LittleEndian.Uint64(b[16*i:]))
			nsec := int64(binary.LittleEndian.Uint64(b[16*i+8:]))
			switch {
			case nsec == linux.UTIME_NOW:
			case nsec == linux.UTIME_OMIT:
				omit[i] = true
			case nsec < 0 || nsec >= 1e9:
				return linux.EINVAL.Ret()
			default:
				times[i] = sec*1e9 + nsec
			}
		}
		if omit[0] && omit[1] {
			return 0
		}
	}
	if ret, ok := utimesInShare(t, f, flags, times, omit); ok {
		return ret
	}
	var ino tmpfs.Ino
	if f.RSI == 0 {
		if int32(f.RDI) == linux.AT_FDCWD {
			return linux.EFAULT.Ret()
		}
		d := lookupFD(fdArg(f.RDI))
		switch {
		case d == nil:
			return linux.EBADF.Ret()
		case d.Kind != fdFile:
			return 0 // pipes, sockets, ...: no times kept
		}
		ino = fileIno(d)
	} else {
		walk := vfs.Flags(0)
		if flags&linux.AT_SYMLINK_NOFOLLOW != 0 {
			walk = vfs.NoFollow
		}
		r, e := resolveAt(0, f.RDI, f.RSI, walk)
		if e != 0 {
			return e.Ret()
		}
		ino = r.Node.Ino
	}
	a := rootFS.Getattr(ino)
	if omit[0] {
		times[0] = a.Atime
	}
	if omit[1] {
		times[1] = a.Mtime
	}
	rootFS.SetTimes(ino, times[0], times[1], now)
	return 0
}

// chdir(path)
func sysChdir(t *Thread, f *amd64.TrapFrame) uint64 {
	if tg, ok := sharePath(0, atFDCWD, f.RDI, true); ok {
		return shareChdir(t, f, tg)
	}
	r, e := resolveAt(0, atFDCWD, f.RDI, 0)
	if e != 0 {
		return e.Ret()
	}
	if rootFS.Kind(r.Node) != vfs.KindDir {
		return linux.ENOTDIR.Ret()
	}
	setCwd(r.Node.Ino)
	return 0
}

// umask(mask): sets the mask creation modes lose and returns the old.
func sysUmask(t *Thread, f *amd64.TrapFrame) uint64 {
	old := umask
	umask = uint32(f.RDI) & 0o777
	return uint64(old)
}

// faccessat(dirfd, path, mode)
func sysFaccessat(t *Thread, f *amd64.TrapFrame) uint64 {
	if tg, ok := sharePath(0, f.RDI, f.RSI, true); ok && f.RDX&^7 == 0 {
		return shareAccess(t, f, tg, uint32(f.RDX), 0)
	}
	return accessPath(f.RDI, f.RSI, uint32(f.RDX), 0)
}

// faccessat2(dirfd, path, mode, flags)
func sysFaccessat2(t *Thread, f *amd64.TrapFrame) uint64 {
	if tg, ok := sharePath(0, f.RDI, f.RSI, f.R10&linux.AT_SYMLINK_NOFOLLOW == 0); ok && f.RDX&^7 == 0 {
		return shareAccess(t, f, tg, uint32(f.RDX), uint32(f.R10))
	}
	return accessPath(f.RDI, f.RSI, uint32(f.RDX), uint32(f.R10))
}

// access(path, mode)
func sysAccess(t *Thread, f *amd64.TrapFrame) uint64 {
	if tg, ok := sharePath(0, atFDCWD, f.RDI, true); ok && f.RSI&^7 == 0 {
		return shareAccess(t, f, tg, uint32(f.RSI), 0)
	}
	return accessPath(atFDCWD, f.RDI, uint32(f.RSI), 0)
}

// accessPath checks access as root does: everything is allowed but
// executing a file that is no directory and has no execute bit.
func accessPath(dirfd, addr uint64, mode, flags uint32) uint64 {
	if mode&^(linux.R_OK|linux.W_OK|linux.X_OK) != 0 ||
		flags&^(linux.AT_EACCESS|linux.AT_SYMLINK_NOFOLLOW|linux.AT_EMPTY_PATH) != 0 {
		return linux.EINVAL.Ret()
	}
	walk := vfs.Flags(0)
	if flags&linux.AT_SYMLINK_NOFOLLOW != 0 {
		walk = vfs.NoFollow
	}
	var ino tmpfs.Ino
	path, e := userPath(addr)
	if e != 0 {
		return e.Ret()
	}
	if len(path) == 0 && flags&linux.AT_EMPTY_PATH != 0 {
		n, e := startDir(dirfd, path)
		if e != 0 {
			d := lookupFD(fdArg(dirfd))
			if d == nil || d.Kind != fdFile {
				return e.Ret()
			}
			n.Ino = fileIno(d)
		}
		ino = n.Ino
	} else {
		r, e := resolve(0, dirfd, path, walk)
		if e != 0 {
			return e.Ret()
		}
		ino = r.Node.Ino
	}
	a := rootFS.Getattr(ino)
	if mode&linux.X_OK != 0 && a.Mode&linux.S_IFMT != linux.S_IFDIR && a.Mode&0o111 == 0 {
		return linux.EACCES.Ret()
	}
	return 0
}

// statfs(path, buf)
func sysStatfs(t *Thread, f *amd64.TrapFrame) uint64 {
	if _, e := resolveAt(0, atFDCWD, f.RDI, 0); e != 0 {
		return e.Ret()
	}
	return writeStatfs(f.RSI, nil)
}

// newName resolves the new name symlink and link make (with the
// Walker of slot): its directory and last component. ".", ".." and "/"
// are taken (EEXIST); a name written with a trailing slash can only be a
// directory, which neither makes: EEXIST if the name is taken, else
// ENOENT.
func newName(slot int, dirfd, addr uint64) (vfs.Result, linux.Errno) {
	r, e := resolveAt(slot, dirfd, addr, vfs.Parent)
	switch {
	case e != 0:
		return r, e
	case r.Last != vfs.LastName:
		return r, linux.EEXIST
	case r.Slash:
		if _, e := rootFS.Lookup(r.Node, r.Name); e == 0 {
			return r, linux.EEXIST
		}
		return r, linux.ENOENT
	}
	return r, 0
}
