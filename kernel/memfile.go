package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// Read-only files kept in kernel memory: the few files the standard
// library reads that coracle itself produces, such as /etc/resolv.conf
// and /etc/hosts, which the network service publishes with
// devcall.SetFile. The kernel copies each file's contents into frames of
// its own, so the table holds no pointer into the Go heap. Every other
// path answers ENOENT: there is no file system.

const (
	maxMemFiles  = 16
	maxPathLen   = 128
	maxFilePages = 16 // 64 KiB per file
)

type memFile struct {
	path    [maxPathLen]byte
	pathLen int
	frames  [maxFilePages]uint64 // the contents, a page per frame
	size    int64
	mtime   int64 // CLOCK_REALTIME of the last SetFile, in nanoseconds
}

var memFiles [maxMemFiles]memFile

// lookupMemFile returns the index of the file at path (absolute, or
// relative to the working directory, which is always /), or -1.
func lookupMemFile(path []byte) int {
	for len(path) > 0 && path[0] == '/' {
		path = path[1:]
	}
	for i := range memFiles {
		m := &memFiles[i]
		if m.pathLen > 0 && string(m.path[1:m.pathLen]) == string(path) {
			return i
		}
	}
	return -1
}

// userPath reads the NUL-terminated path at addr.
func userPath(addr uint64) ([]byte, linux.Errno) {
	for n := uint64(0); n < maxPathLen; n++ {
		b, ok := userBytes(addr+n, 1, false)
		if !ok {
			return nil, linux.EFAULT
		}
		if b[0] == 0 {
			p, _ := userBytes(addr, n, false)
			return p, 0
		}
	}
	return nil, linux.ENAMETOOLONG // longer than any file here: none of ours
}

// memFileRead copies from file i at off into b.
func memFileRead(i int, off int64, b []byte) int {
	m := &memFiles[i]
	n := 0
	for n < len(b) && off < m.size {
		page := physMem.Page(m.frames[off/4096])
		k := copy(b[n:min(len(b), n+int(m.size-off))], page[off%4096:])
		n += k
		off += int64(k)
	}
	return n
}

// sysSetFile (devcall.SetFile): publish (path, contents), replacing any
// file at path.
func sysSetFile(t *Thread, f *amd64.TrapFrame) uint64 {
	path, ok := userBytes(f.RDI, f.RSI, false)
	if !ok {
		return linux.EFAULT.Ret()
	}
	data, ok := userBytes(f.RDX, f.R10, false)
	if !ok {
		return linux.EFAULT.Ret()
	}
	if len(path) < 2 || len(path) > maxPathLen || path[0] != '/' {
		return linux.EINVAL.Ret()
	}
	if len(data) > maxFilePages*4096 {
		return linux.EFBIG.Ret()
	}
	slot := lookupMemFile(path)
	if slot < 0 {
		for i := range memFiles {
			if memFiles[i].pathLen == 0 {
				slot = i
				break
			}
		}
		if slot < 0 {
			return linux.ENOSPC.Ret()
		}
	}
	var nf memFile
	for p := 0; p*4096 < len(data); p++ {
		pa, ok := frames.Alloc()
		if !ok {
			freeMemFile(&nf)
			return linux.ENOMEM.Ret()
		}
		nf.frames[p] = pa
		copy(physMem.Page(pa)[:], data[p*4096:])
	}
	nf.pathLen = copy(nf.path[:], path)
	nf.size = int64(len(data))
	nf.mtime = walltime()
	freeMemFile(&memFiles[slot])
	memFiles[slot] = nf
	return 0
}

func freeMemFile(m *memFile) {
	for p := int64(0); p*4096 < m.size; p++ {
		frames.Free(m.frames[p])
	}
}

// openat(dirfd, path, flags, mode)
func sysOpenat(t *Thread, f *amd64.TrapFrame) uint64 {
	path, e := userPath(f.RSI)
	if e != 0 {
		return e.Ret()
	}
	if len(path) > 0 && path[0] != '/' && int32(f.RDI) != linux.AT_FDCWD {
		return linux.ENOENT.Ret() // no directory can be open
	}
	i := lookupMemFile(path)
	if i < 0 {
		if f.RDX&linux.O_CREAT != 0 {
			return linux.EROFS.Ret()
		}
		return linux.ENOENT.Ret()
	}
	switch flags := f.RDX; {
	case flags&linux.O_ACCMODE != linux.O_RDONLY || flags&(linux.O_CREAT|linux.O_TRUNC) != 0:
		return linux.EROFS.Ret()
	case flags&linux.O_DIRECTORY != 0:
		return linux.ENOTDIR.Ret()
	}
	fd := allocFD(fdFile, i, linux.O_RDONLY|uint32(f.RDX)&linux.O_NONBLOCK, f.RDX&linux.O_CLOEXEC != 0)
	if fd < 0 {
		return linux.EMFILE.Ret()
	}
	return uint64(fd)
}

// fileRead serves read(2) on an open memory file.
func fileRead(d *fileDesc, b []byte) uint64 {
	n := memFileRead(d.obj, d.off, b)
	d.off += int64(n)
	return uint64(n)
}

// pread64(fd, buf, count, offset)
func sysPread64(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(f.RDI)
	if d == nil {
		return linux.EBADF.Ret()
	}
	if d.kind != fdFile {
		return linux.ESPIPE.Ret()
	}
	if int64(f.R10) < 0 {
		return linux.EINVAL.Ret()
	}
	b, ok := userBytes(f.RSI, f.RDX, true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	return uint64(memFileRead(d.obj, int64(f.R10), b))
}

// lseek(fd, offset, whence)
func sysLseek(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(f.RDI)
	if d == nil {
		return linux.EBADF.Ret()
	}
	if d.kind != fdFile {
		return linux.ESPIPE.Ret()
	}
	off := int64(f.RSI)
	switch f.RDX {
	case linux.SEEK_SET:
	case linux.SEEK_CUR:
		off += d.off
	case linux.SEEK_END:
		off += memFiles[d.obj].size
	default:
		return linux.EINVAL.Ret()
	}
	if off < 0 {
		return linux.EINVAL.Ret()
	}
	d.off = off
	return uint64(off)
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
func fillStat(st *stat, d *fileDesc) {
	*st = stat{nlink: 1, blksize: 4096}
	switch d.kind {
	case fdFile:
		m := &memFiles[d.obj]
		st.ino = uint64(d.obj) + 1
		st.mode = linux.S_IFREG | 0o444
		st.size = m.size
		st.blks = (m.size + 511) / 512
		t := timespec{m.mtime / 1e9, m.mtime % 1e9}
		st.atime, st.mtime, st.ctime = t, t, t
	case fdConsole:
		st.mode = linux.S_IFCHR | 0o620
		st.rdev = 4<<8 | 64 // ttyS0
	case fdSocket:
		st.mode = linux.S_IFSOCK | 0o777
	default:
		st.mode = 0o600 // anonymous inodes: eventfd, epoll, interrupts
	}
}

// fstat(fd, statbuf)
func sysFstat(t *Thread, f *amd64.TrapFrame) uint64 {
	d := lookupFD(f.RDI)
	if d == nil {
		return linux.EBADF.Ret()
	}
	return writeStat(f.RSI, d)
}

// newfstatat(dirfd, path, statbuf, flags)
func sysNewfstatat(t *Thread, f *amd64.TrapFrame) uint64 {
	path, e := userPath(f.RSI)
	if e != 0 {
		return e.Ret()
	}
	if len(path) == 0 {
		if f.R10&linux.AT_EMPTY_PATH == 0 {
			return linux.ENOENT.Ret()
		}
		d := lookupFD(f.RDI)
		if d == nil {
			return linux.EBADF.Ret()
		}
		return writeStat(f.RDX, d)
	}
	if path[0] != '/' && int32(f.RDI) != linux.AT_FDCWD {
		return linux.ENOENT.Ret()
	}
	i := lookupMemFile(path)
	if i < 0 {
		return linux.ENOENT.Ret()
	}
	return writeStat(f.RDX, &fileDesc{kind: fdFile, obj: i})
}

func writeStat(addr uint64, d *fileDesc) uint64 {
	b, ok := userBytes(addr, uint64(unsafe.Sizeof(stat{})), true)
	if !ok || addr%8 != 0 {
		return linux.EFAULT.Ret()
	}
	fillStat((*stat)(unsafe.Pointer(&b[0])), d)
	return 0
}
