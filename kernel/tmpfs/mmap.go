package tmpfs

import "github.com/coracle-os/coracle/kernel/abi/linux"

// Memory-mapped files. A mapping of a regular file maps the file's own
// data pages (MapPage), so the mapper must stop using a page before
// tmpfs gives it back: tmpfs tells it through its Mapper before
// Truncate or PunchHole frees data pages. A file is never freed while
// mapped: the mapper holds it open (Open, Close) for as long as any
// mapping of it lasts.

// A Mapper maps files' data pages into an address space.
//
// Trap context: all methods.
type Mapper interface {
	// Unmap is called before the data pages of file ino that lie
	// in [from, to) (page aligned) are freed; truncate says that the
	// file is being cut short there (truncate, O_TRUNC), not holed.
	Unmap(ino Ino, from, to int64, truncate bool)
}

// SetMapper makes m the file system's Mapper.
//
// Boot path: stores an interface, which has pointers; trap context only
// reads it.
func (fs *FS) SetMapper(m Mapper) { fs.mapper = m }

// unmap tells the Mapper, if any, that ino's pages in [from, to) are
// about to go.
func (fs *FS) unmap(ino Ino, from, to int64, truncate bool) {
	if fs.mapper != nil && from < to {
		fs.mapper.Unmap(ino, from, to, truncate)
	}
}

// MapPage returns the data page at off (page aligned) of regular file
// ino, making it if the file has a hole there, as Linux's tmpfs does
// for a fault: EINVAL if the file is not regular or off is not a page
// offset, ENXIO if the page lies wholly past the end of the file,
// ENOSPC if no page is left to fill a hole. The page stays the file's.
func (fs *FS) MapPage(ino Ino, off int64) (uint64, linux.Errno) {
	n := fs.inode(ino)
	switch {
	case n.mode&linux.S_IFMT != linux.S_IFREG, off < 0, off%PageSize != 0:
		return 0, linux.EINVAL
	case off >= n.size:
		return 0, linux.ENXIO
	}
	return fs.dataPage(n, off, true)
}
