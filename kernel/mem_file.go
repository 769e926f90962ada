package kernel

import (
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/mm"
	"github.com/coracle-os/coracle/kernel/pagecache"
	"github.com/coracle-os/coracle/kernel/tmpfs"
)

// File mappings: mmap of a regular file of the root. An area of
// kernel/mm names the file by its inode; a fault maps the file's own
// tmpfs page (tmpfs.MapPage), read-only and copied on the first write
// in a private mapping, with the area's rights in a shared one, so
// writes through a shared mapping are the file's contents at once and
// a private mapping shows the file's later writes until it copies a
// page, as on Linux. The address space holds each mapped file open
// (tmpfs.Open), so an unlinked or closed file lives while mapped, and
// tmpfs tells fileMapper before it frees pages a truncation or a hole
// removes, which then leave every mapping first.

// maxMappedFiles bounds the distinct files mapped at once; mmap answers
// ENOMEM past it.
const maxMappedFiles = 64

// fileMapper is mm.Files and tmpfs.Mapper for the root file system.
type fileMapper struct{}

// FilePage implements mm.Files.
//
// Trap context: the page-fault handler.
func (*fileMapper) FilePage(file uint32, off uint64) (uint64, bool) {
	if file >= pcFileBase {
		return cacheFilePage(pagecache.ID(file-pcFileBase), off)
	}
	if off > tmpfs.MaxFileSize {
		return 0, false
	}
	pa, e := rootFS.MapPage(tmpfs.Ino(file), int64(off))
	return pa, e == 0
}

// Unmap implements tmpfs.Mapper: the pages of ino in [from, to) leave
// every area that maps them. A truncation removes private copies too
// (later accesses past the end raise SIGBUS), a hole only the file's
// pages, as Linux's unmap_mapping_range does for each.
//
// Trap context: truncate, ftruncate, open with O_TRUNC, fallocate.
func (*fileMapper) Unmap(ino tmpfs.Ino, from, to int64, truncate bool) {
	if mappedCount == 0 {
		return
	}
	for _, a := range vmas.Areas() {
		if a.File != ino {
			continue
		}
		lo := max(uint64(from), a.Off)
		hi := min(uint64(to), a.FileOffset(a.End))
		if lo >= hi {
			continue
		}
		start, end := a.Start+(lo-a.Off), a.Start+(hi-a.Off)
		var n int
		if truncate {
			n = mm.Discard(&space, start, end)
		} else {
			n = mm.DropFilePages(&space, start, end)
		}
		if n > 0 {
			flushTLB(start, end)
		}
	}
}

// holdFile makes the address space an opener of ino if it is not yet:
// false if maxMappedFiles are held already.
//
// Trap context: mmap.
func holdFile(ino tmpfs.Ino) bool {
	for _, m := range mappedFiles[:mappedCount] {
		if m == ino {
			return true
		}
	}
	if mappedCount == len(mappedFiles) {
		return false
	}
	if ino >= pcFileBase {
		pcache.Map(pagecache.ID(ino - pcFileBase)) // its pages stay while mapped
	} else {
		rootFS.Open(ino)
	}
	mappedFiles[mappedCount] = ino
	mappedCount++
	return true
}

// releaseUnmappedFiles closes the files no area maps any more, after
// munmap or an mmap that replaced or failed.
//
// Trap context: mmap, munmap.
func releaseUnmappedFiles() {
	for i := 0; i < mappedCount; {
		ino := mappedFiles[i]
		if vmas.Maps(ino) {
			i++
			continue
		}
		mappedCount--
		mappedFiles[i] = mappedFiles[mappedCount]
		if ino >= pcFileBase {
			id := pagecache.ID(ino - pcFileBase)
			pcache.Unmap(id)
			cacheIdle(id)
			continue
		}
		rootFS.Close(ino)
	}
}

// fileAreaReadable reports whether [addr, end) of file area a lies in
// pages of its file, which the kernel may then touch: a page wholly past
// the end of the file would raise SIGBUS, and the call answers EFAULT
// instead.
//
// Trap context: checks of user buffers.
func fileAreaReadable(a *mm.Area, addr, end uint64) bool {
	var size uint64
	if a.File >= pcFileBase {
		size = uint64(pcache.Size(pagecache.ID(a.File - pcFileBase)))
	} else {
		size = uint64(rootFS.Getattr(a.File).Size)
	}
	last := a.FileOffset(min(end, a.End) - 1)
	return last < (size+4095)&^4095
}

// fileBacking checks an mmap of descriptor fd with flags and prot at
// file offset off and returns the mapping's backing, or anon=true for
// /dev/zero, whose mappings are anonymous memory as on Linux. Errors,
// in Linux's order: EBADF for no descriptor (or O_PATH), EINVAL for a
// mapping neither shared nor private, EACCES for a descriptor not open
// for reading, or a shared writable mapping of one not open for
// writing (O_APPEND does not matter, as on Linux), ENODEV for anything but a regular file of
// the root or of a disk (pipes, sockets, directories, devices, shared host files).
//
// Trap context: mmap.
func fileBacking(fd int32, flags, prot, off uint64) (b mm.Backing, anon bool, e linux.Errno) {
	d := lookupFD(uint64(uint32(fd)))
	if fd < 0 || d == nil || d.Flags&linux.O_PATH != 0 {
		return b, false, linux.EBADF
	}
	switch flags & linux.MAP_TYPE {
	case linux.MAP_SHARED, linux.MAP_SHARED_VALIDATE:
		b.Shared = true
	case linux.MAP_PRIVATE:
	default:
		return b, false, linux.EINVAL
	}
	switch {
	case !canRead(d):
		return b, false, linux.EACCES
	case b.Shared && prot&linux.PROT_WRITE != 0 && !canWrite(d):
		return b, false, linux.EACCES
	case d.Kind == fdShare && cacheID(d) != 0:
		b.File, b.Off = pcFileBase+uint32(cacheID(d)), off
		return b, false, 0
	case d.Kind != fdFile:
		return b, false, linux.ENODEV
	}
	ino := fileIno(d)
	switch a := rootFS.Getattr(ino); {
	case a.Mode&linux.S_IFMT == linux.S_IFCHR && a.Rdev == devZero:
		return b, true, 0
	case a.Mode&linux.S_IFMT != linux.S_IFREG:
		return b, false, linux.ENODEV
	}
	b.File, b.Off = ino, off
	return b, false, 0
}
