package kernel

import (
	"encoding/binary"
	"unsafe"

	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/tmpfs"
)

// Open files of the root file system (fs_root.go): a description of kind
// fdFile names its inode in Obj and holds the access mode and status
// flags openat gave it (O_PATH included) and the offset, which for a
// directory is getdents64's position: 0 and 1 are "." and "..", 2 the
// first entry, and past that a tmpfs position (entries never move in a
// tmpfs directory, so a position survives removals). Each description
// counts as an opener of its inode (tmpfs Open, Close), so a file
// unlinked while open lives until its last description is closed.
// Regular files are always ready, as on Linux.

// fileIno is the inode description d is open on.
func fileIno(d *openFile) tmpfs.Ino { return tmpfs.Ino(d.Obj) }

// canRead and canWrite check d's access mode: EBADF otherwise, and for
// every O_PATH descriptor.
func canRead(d *openFile) bool {
	return d.Flags&linux.O_PATH == 0 && d.Flags&linux.O_ACCMODE != linux.O_WRONLY
}

func canWrite(d *openFile) bool {
	acc := d.Flags & linux.O_ACCMODE
	return d.Flags&linux.O_PATH == 0 && (acc == linux.O_WRONLY || acc == linux.O_RDWR)
}

// fileRead serves read(2) at the offset, which it advances.
func fileRead(d *openFile, b []byte) uint64 {
	n, e := filePread(d, b, d.Off)
	if e != 0 {
		return e.Ret()
	}
	d.Off += int64(n)
	return uint64(n)
}

// filePread reads at off: EBADF unless open for reading, EISDIR on a
// directory.
func filePread(d *openFile, b []byte, off int64) (int, linux.Errno) {
	if !canRead(d) {
		return 0, linux.EBADF
	}
	if rdev, ok := fileDev(d); ok {
		return devRead(rdev, b)
	}
	return rootFS.Read(fileIno(d), off, b)
}

// fileWrite serves write(2) at the offset (the end, with O_APPEND),
// which it advances past what was written.
func fileWrite(d *openFile, b []byte) uint64 {
	off := d.Off
	if d.Flags&linux.O_APPEND != 0 {
		off = rootFS.Getattr(fileIno(d)).Size
	}
	n, e := filePwrite(d, b, off)
	if e != 0 {
		return e.Ret()
	}
	d.Off = off + int64(n)
	return uint64(n)
}

// filePwrite writes at off (the end, with O_APPEND, as Linux's pwrite
// does): EBADF unless open for writing; cut short at RLIMIT_FSIZE
// (fs_limit.go); what fitted when the pages run out, ENOSPC if nothing
// did.
func filePwrite(d *openFile, b []byte, off int64) (int, linux.Errno) {
	if !canWrite(d) {
		return 0, linux.EBADF
	}
	if rdev, ok := fileDev(d); ok {
		return devWrite(rdev, b)
	}
	if len(b) == 0 {
		return 0, 0
	}
	k, e := fsizeAllow(off, len(b))
	if e != 0 {
		return 0, e
	}
	b = b[:k]
	if off+int64(len(b)) > tmpfs.MaxFileSize || off+int64(len(b)) < off {
		return 0, linux.EFBIG
	}
	n, e := rootFS.Write(fileIno(d), off, b, walltime())
	if n > 0 {
		return n, 0
	}
	return 0, e
}

// fileSeek is lseek on a file of the root. A directory takes SEEK_SET
// and SEEK_CUR to a position getdents64 gave (0 rewinds); other
// positions answer EINVAL, since a tmpfs position must fall on an entry.
// A device stays at 0 whatever is asked, as Linux's null, zero, full
// and random devices do.
func fileSeek(d *openFile, off int64, whence uint64) (int64, linux.Errno) {
	a := rootFS.Getattr(fileIno(d))
	if a.Mode&linux.S_IFMT == linux.S_IFCHR {
		d.Off = 0
		return 0, 0
	}
	dir := a.Mode&linux.S_IFMT == linux.S_IFDIR
	switch whence {
	case linux.SEEK_SET:
	case linux.SEEK_CUR:
		off += d.Off
	case linux.SEEK_END:
		if dir {
			return 0, linux.EINVAL
		}
		off += a.Size
	default:
		return 0, linux.EINVAL
	}
	if off < 0 || dir && !dirPosValid(fileIno(d), off) {
		return 0, linux.EINVAL
	}
	d.Off = off
	return off, 0
}

// dirPosValid reports whether pos is a position in directory ino:
// ".", "..", the first entry or one after an entry.
func dirPosValid(ino tmpfs.Ino, pos int64) bool {
	if pos <= 2 {
		return true
	}
	ok := false
	rootFS.ReadDir(ino, 0, func(_ tmpfs.Ino, _ []byte, _ uint32, next uint64) bool {
		ok = int64(next) == pos
		return !ok
	})
	return ok
}

// dirent64Header is the size of struct linux_dirent64 before d_name.
const dirent64Header = 19

// getdents fills b with the entries of directory d from its position,
// as struct linux_dirent64 records, and returns the bytes filled: EINVAL
// if the first does not fit. A removed directory has no entries, not
// even "." and "..", as on Linux.
func getdents(d *openFile, b []byte) (int, linux.Errno) {
	ino := fileIno(d)
	a := rootFS.Getattr(ino)
	if a.Mode&linux.S_IFMT != linux.S_IFDIR {
		return 0, linux.ENOTDIR
	}
	if a.Nlink == 0 {
		return 0, 0
	}
	if d.Off == 0 && ino == procFDDir {
		procListFDs() // a listing of /proc/1/fd starts: the open descriptors now
	}
	n := 0
	full := false
	put := func(child tmpfs.Ino, name []byte, mode uint32, next int64) bool {
		size := (dirent64Header + len(name) + 1 + 7) &^ 7
		if n+size > len(b) {
			full = true
			return false
		}
		r := b[n : n+size]
		binary.LittleEndian.PutUint64(r, uint64(child))
		binary.LittleEndian.PutUint64(r[8:], uint64(next))
		binary.LittleEndian.PutUint16(r[16:], uint16(size))
		r[18] = direntType(mode)
		copy(r[dirent64Header:], name)
		clear(r[dirent64Header+len(name):])
		n += size
		d.Off = next
		return true
	}
	if d.Off == 0 && !put(ino, []byte("."), linux.S_IFDIR, 1) {
		return 0, linux.EINVAL
	}
	if d.Off == 1 && !put(rootFS.Parent(inoNode(ino)).Ino, []byte(".."), linux.S_IFDIR, 2) {
		if n == 0 {
			return 0, linux.EINVAL
		}
		return n, 0
	}
	pos := uint64(d.Off)
	if pos == 2 {
		pos = 0
	}
	rootFS.ReadDir(ino, pos, func(child tmpfs.Ino, name []byte, mode uint32, next uint64) bool {
		return put(child, name, mode, int64(next))
	})
	if n == 0 && full {
		return 0, linux.EINVAL
	}
	return n, 0
}

// direntType is d_type for a file of mode.
func direntType(mode uint32) uint8 {
	switch mode & linux.S_IFMT {
	case linux.S_IFDIR:
		return linux.DT_DIR
	case linux.S_IFLNK:
		return linux.DT_LNK
	case linux.S_IFCHR:
		return linux.DT_CHR
	case linux.S_IFIFO:
		return linux.DT_FIFO
	case linux.S_IFSOCK:
		return linux.DT_SOCK
	}
	return linux.DT_REG
}

// stat is Linux's x86-64 struct stat.
type stat struct {
	dev, ino, nlink     uint64
	mode, uid, gid, _   uint32
	rdev                uint64
	size, blksize, blks int64
	atime, mtime, ctime timespec
	_                   [3]int64
}

// fillStat describes descriptor d in st.
func fillStat(st *stat, d *openFile) {
	*st = stat{nlink: 1, blksize: 4096}
	switch d.Kind {
	case fdFile:
		statIno(st, fileIno(d))
	case fdConsole:
		st.mode = linux.S_IFCHR | 0o620
		st.rdev = 4<<8 | 64 // ttyS0
	case fdSocket:
		st.mode = linux.S_IFSOCK | 0o777
		st.ino = uint64(d.Obj) + 1 // socket:[N] in /proc/self/fd
	case fdUnix:
		st.mode = linux.S_IFSOCK | 0o777
		st.ino = unixIno(d)
	case fdNetlink:
		st.mode = linux.S_IFSOCK | 0o777
		st.ino = netlinkIno(d)
	case fdPipe:
		if ino := fifoIno(d); ino != 0 {
			statIno(st, ino) // a FIFO's descriptions describe its inode
			return
		}
		st.mode = linux.S_IFIFO | 0o600
		id, _ := pipeOf(d)
		st.ino = uint64(id) + 1 // both ends: one pipe, one inode
	default:
		st.mode = 0o600 // anonymous inodes: eventfd, epoll, interrupts
	}
}

// statIno describes root inode ino in st.
func statIno(st *stat, ino tmpfs.Ino) {
	a := rootFS.Getattr(ino)
	*st = stat{dev: rootFSDev, ino: uint64(ino), nlink: uint64(a.Nlink), mode: a.Mode, uid: a.Uid, gid: a.Gid, rdev: a.Rdev,
		size: a.Size, blksize: 4096, blks: a.Blocks,
		atime: nsTimespec(a.Atime), mtime: nsTimespec(a.Mtime), ctime: nsTimespec(a.Ctime)}
	statProcSize(st, ino)
}

func nsTimespec(ns int64) timespec { return timespec{ns / 1e9, ns % 1e9} }

// writeStat stores descriptor d's stat at addr.
func writeStat(addr uint64, d *openFile) uint64 {
	st, ok := userStat(addr)
	if !ok {
		return linux.EFAULT.Ret()
	}
	fillStat(st, d)
	return 0
}

// userStat is the struct stat at addr.
func userStat(addr uint64) (*stat, bool) {
	b, ok := userBytes(addr, uint64(unsafe.Sizeof(stat{})), true)
	if !ok || addr%8 != 0 {
		return nil, false
	}
	return (*stat)(unsafe.Pointer(&b[0])), true
}

// statfs is Linux's x86-64 struct statfs.
type statfs struct {
	typ, bsize                          int64
	blocks, bfree, bavail, files, ffree uint64
	fsid                                [2]int32
	namelen, frsize, flags              int64
	_                                   [4]int64
}

// fillStatfs describes the file system of descriptor d (nil: the root).
// The root's sizes are the frame allocator's: every frame, and those
// free beyond what files must leave (fileReserve).
func fillStatfs(st *statfs, d *openFile) {
	*st = statfs{bsize: 4096, frsize: 4096, namelen: 255, flags: linux.ST_VALID}
	kind := fdFile
	if d != nil && (d.Kind != fdPipe || fifoIno(d) == 0) {
		kind = d.Kind // a FIFO is a file of the root
	}
	switch kind {
	case fdFile, fdConsole:
		st.typ = linux.TMPFS_MAGIC
		st.blocks = frames.TotalCount()
		if free, keep := freeFrames(), uint64(fileReserve/4096); free > keep {
			st.bfree = free - keep
		}
		st.bavail = st.bfree
		st.files = tmpfs.MaxInodes
		st.ffree = tmpfs.MaxInodes - uint64(rootFS.Inodes())
		st.fsid = [2]int32{rootFSDev, 0}
	case fdPipe:
		st.typ = linux.PIPEFS_MAGIC
	case fdSocket, fdUnix, fdNetlink:
		st.typ = linux.SOCKFS_MAGIC
	default:
		st.typ = linux.ANON_INODE_FS_MAGIC
	}
}

// writeStatfs stores d's statfs at addr.
func writeStatfs(addr uint64, d *openFile) uint64 {
	b, ok := userBytes(addr, uint64(unsafe.Sizeof(statfs{})), true)
	if !ok || addr%8 != 0 {
		return linux.EFAULT.Ret()
	}
	fillStatfs((*statfs)(unsafe.Pointer(&b[0])), d)
	return 0
}
