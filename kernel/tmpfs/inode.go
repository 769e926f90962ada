package tmpfs

import (
	"unsafe"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// Ino numbers an inode; 0 is none, RootIno the root directory.
type Ino = uint32

const (
	RootIno = 1
	// MaxInodes bounds the inode table: files, directories and links
	// together (ENOSPC past it).
	MaxInodes = 1 << 16

	inodeSize     = 128
	inodesPerPage = PageSize / inodeSize
)

// inode is one file's metadata, 128 bytes in an inode page; the tail is
// room for what stat may yet report.
type inode struct {
	mode   uint32 // S_IFMT type | permission bits; 0: free
	nlink  uint32
	size   int64
	data   uint64 // regular: radix root (0: empty); dir: first entry page; symlink: target page; char device: rdev; free: next free ino
	parent Ino    // directories: the directory holding it; regular: nonzero while an unnamed file may be linked (CreateUnnamed)
	opens  uint32 // open descriptions (Open/Close): an unlinked file lives while >0
	height uint32 // regular: levels of the radix tree above the data pages
	pages  uint32 // regular: data pages held (st_blocks)
	atime  int64
	mtime  int64
	ctime  int64
	uid    uint32 // owner (Chown)
	gid    uint32
	_      [inodeSize - 72]byte
}

var _ [inodeSize - unsafe.Sizeof(inode{})]struct{} // inode is exactly inodeSize bytes
var _ [unsafe.Sizeof(inode{}) - inodeSize]struct{}

// inode returns inode ino (which must be allocated or on the free list).
func (fs *FS) inode(ino Ino) *inode {
	pa := fs.inodePages[ino/inodesPerPage]
	return &(*[inodesPerPage]inode)(unsafe.Pointer(fs.pages.Page(pa)))[ino%inodesPerPage]
}

// valid reports whether ino names a live inode.
func (fs *FS) valid(ino Ino) bool {
	return ino != 0 && ino < MaxInodes && fs.inodePages[ino/inodesPerPage] != 0 && fs.inode(ino).mode != 0
}

// newInode takes a free inode for a file of mode, with one link.
func (fs *FS) newInode(mode uint32, now int64) (Ino, linux.Errno) {
	if fs.free == 0 {
		if e := fs.growInodes(); e != 0 {
			return 0, e
		}
	}
	ino := fs.free
	n := fs.inode(ino)
	fs.free = Ino(n.data)
	*n = inode{mode: mode, nlink: 1, atime: now, mtime: now, ctime: now}
	fs.inodes++
	return ino, 0
}

// growInodes adds a page of free inodes.
func (fs *FS) growInodes() linux.Errno {
	page := Ino(0)
	for page < MaxInodes/inodesPerPage && fs.inodePages[page] != 0 {
		page++
	}
	if page == MaxInodes/inodesPerPage {
		return linux.ENOSPC
	}
	pa, ok := fs.pages.Alloc()
	if !ok {
		return linux.ENOSPC
	}
	fs.inodePages[page] = pa
	first := page * inodesPerPage
	if first == 0 {
		first = 1 // ino 0 means none
	}
	for ino := page*inodesPerPage + inodesPerPage - 1; ino >= first; ino-- {
		fs.inode(ino).data = uint64(fs.free)
		fs.free = ino
	}
	return 0
}

// freeInode returns ino and its data to the free pages.
func (fs *FS) freeInode(ino Ino) {
	n := fs.inode(ino)
	switch n.mode & linux.S_IFMT {
	case linux.S_IFREG:
		fs.unmap(ino, 0, MaxFileSize, true) // nothing maps it: a mapper holds it open
		fs.truncateData(n, 0)
	case linux.S_IFDIR:
		fs.freeDirPages(n)
	case linux.S_IFLNK:
		if n.data != 0 {
			fs.pages.Free(n.data)
		}
	}
	*n = inode{data: uint64(fs.free)}
	fs.free = ino
	fs.inodes--
}

// drop removes one link to ino, freeing it when no link and no opener
// remain.
func (fs *FS) drop(ino Ino, now int64) {
	n := fs.inode(ino)
	n.nlink--
	n.ctime = now
	if n.nlink == 0 && n.opens == 0 {
		fs.freeInode(ino)
	}
}
