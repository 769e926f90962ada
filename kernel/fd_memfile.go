package kernel

import (
	"unsafe"

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

func freeMemFile(m *memFile) {
	for p := int64(0); p*4096 < m.size; p++ {
		frames.Free(m.frames[p])
	}
}

// fileRead serves read(2) on an open memory file.
func fileRead(d *openFile, b []byte) uint64 {
	n := memFileRead(int(d.Obj), d.Off, b)
	d.Off += int64(n)
	return uint64(n)
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
		m := &memFiles[d.Obj]
		st.ino = uint64(d.Obj) + 1
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
	case fdPipe:
		st.mode = linux.S_IFIFO | 0o600
		id, _ := pipeOf(d)
		st.ino = uint64(id) + 1 // both ends: one pipe, one inode
	default:
		st.mode = 0o600 // anonymous inodes: eventfd, epoll, interrupts
	}
}

func writeStat(addr uint64, d *openFile) uint64 {
	b, ok := userBytes(addr, uint64(unsafe.Sizeof(stat{})), true)
	if !ok || addr%8 != 0 {
		return linux.EFAULT.Ret()
	}
	fillStat((*stat)(unsafe.Pointer(&b[0])), d)
	return 0
}
