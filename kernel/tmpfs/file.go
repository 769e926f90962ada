package tmpfs

import "github.com/coracle-os/coracle/kernel/abi/linux"

// Attr is what stat reports of a file.
type Attr struct {
	Ino                 Ino
	Mode                uint32
	Nlink               uint32
	Size                int64
	Blocks              int64  // 512-byte blocks of data pages held
	Rdev                uint64 // a character device's number (Mknod); 0 otherwise
	Atime, Mtime, Ctime int64
	Uid, Gid            uint32
}

// Getattr returns ino's attributes.
func (fs *FS) Getattr(ino Ino) Attr {
	n := fs.inode(ino)
	a := Attr{Ino: ino, Mode: n.mode, Nlink: n.nlink, Size: n.size, Blocks: int64(n.pages) * (PageSize / 512),
		Atime: n.atime, Mtime: n.mtime, Ctime: n.ctime, Uid: n.uid, Gid: n.gid}
	if n.mode&linux.S_IFMT == linux.S_IFCHR {
		a.Rdev = n.data
	}
	return a
}

// Chmod sets ino's permission bits.
func (fs *FS) Chmod(ino Ino, perm uint32, now int64) {
	n := fs.inode(ino)
	n.mode = n.mode&linux.S_IFMT | perm&0o7777
	n.ctime = now
}

// NoID, as Chown's uid or gid, keeps the value ((uid_t)-1 of chown(2)).
const NoID = ^uint32(0)

// Chown sets ino's owner and group, each unless NoID, as chown(2) does
// for root (who may give a file to anyone): a file that is not a
// directory loses its set-user-ID bit, and its set-group-ID bit if it
// is group-executable (without group execute the bit marks mandatory
// locking and stays), even when neither ID changes. The change time is
// now.
func (fs *FS) Chown(ino Ino, uid, gid uint32, now int64) {
	n := fs.inode(ino)
	if uid != NoID {
		n.uid = uid
	}
	if gid != NoID {
		n.gid = gid
	}
	if n.mode&linux.S_IFMT != linux.S_IFDIR {
		n.mode &^= linux.S_ISUID
		if n.mode&(linux.S_ISGID|linux.S_IXGRP) == linux.S_ISGID|linux.S_IXGRP {
			n.mode &^= linux.S_ISGID
		}
	}
	n.ctime = now
}

// SetTimes sets ino's access and modification times (utimensat).
func (fs *FS) SetTimes(ino Ino, atime, mtime, now int64) {
	n := fs.inode(ino)
	n.atime, n.mtime, n.ctime = atime, mtime, now
}

// Open counts an open description of ino, which keeps it when its last
// link goes.
func (fs *FS) Open(ino Ino) { fs.inode(ino).opens++ }

// Close ends an open description of ino, freeing it if it has no link.
func (fs *FS) Close(ino Ino) {
	n := fs.inode(ino)
	n.opens--
	if n.opens == 0 && n.nlink == 0 {
		fs.freeInode(ino)
	}
}

// regular is what reading, writing or truncating n answers when n is
// not a regular file: EISDIR for a directory, EINVAL for anything else.
func regular(n *inode) linux.Errno {
	switch n.mode & linux.S_IFMT {
	case linux.S_IFREG:
		return 0
	case linux.S_IFDIR:
		return linux.EISDIR
	}
	return linux.EINVAL
}

// Read copies the bytes of regular file ino at off into b and returns
// how many: fewer at the end of the file, 0 past it.
func (fs *FS) Read(ino Ino, off int64, b []byte) (int, linux.Errno) {
	n := fs.inode(ino)
	if e := regular(n); e != 0 {
		return 0, e
	}
	switch {
	case off < 0:
		return 0, linux.EINVAL
	}
	return fs.readData(n, off, b), 0
}

// Write copies b into regular file ino at off and returns how much it
// wrote: all of b, or, when the pages run out, what fitted (ENOSPC if
// nothing did).
func (fs *FS) Write(ino Ino, off int64, b []byte, now int64) (int, linux.Errno) {
	n := fs.inode(ino)
	if e := regular(n); e != 0 {
		return 0, e
	}
	switch {
	case off < 0:
		return 0, linux.EINVAL
	case len(b) == 0:
		return 0, 0
	}
	w, e := fs.writeData(n, off, b)
	if w > 0 {
		n.mtime, n.ctime = now, now
	}
	return w, e
}

// Truncate sets regular file ino's size.
func (fs *FS) Truncate(ino Ino, size int64, now int64) linux.Errno {
	n := fs.inode(ino)
	if e := regular(n); e != 0 {
		return e
	}
	switch {
	case size < 0:
		return linux.EINVAL
	case size > MaxFileSize:
		return linux.EFBIG
	}
	fs.unmap(ino, (size+PageSize-1)/PageSize*PageSize, MaxFileSize, true)
	fs.truncateData(n, size)
	n.mtime, n.ctime = now, now
	return 0
}

// ReadDir calls fn with each entry of directory ino from position pos
// (0: the first), and the position after it, until fn returns false.
func (fs *FS) ReadDir(ino Ino, pos uint64, fn func(ino Ino, name []byte, mode uint32, next uint64) bool) linux.Errno {
	n := fs.inode(ino)
	if n.mode&linux.S_IFMT != linux.S_IFDIR {
		return linux.ENOTDIR
	}
	fs.dirEach(n, pos, func(e Ino, name []byte, next uint64) bool {
		return fn(e, name, fs.inode(e).mode, next)
	})
	return 0
}
