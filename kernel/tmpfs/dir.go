package tmpfs

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// A directory is a chain of pages. Each page starts with the address of
// the next (0: the last) and holds variable-length entries from byte 8:
//
//	ino  uint32  the inode; 0: a removed entry whose room can be reused
//	size uint16  the entry's bytes, header included, a multiple of 8; 0: no more entries in this page
//	len  uint8   the name's length
//	_    uint8
//	name [len]byte
//
// Entries never move, so a position (the page's place in the chain and
// the entry's offset) stays valid for readdir while entries come and go.
// "." and ".." are not stored: the file layer adds them.

const (
	dirHeader   = 8
	entryHeader = 8
)

func entrySize(nameLen int) int { return (entryHeader + nameLen + 7) &^ 7 }

// dirEntry reads the entry at off of page p.
func dirEntry(p *[PageSize]byte, off int) (ino Ino, size int, name []byte) {
	if off+entryHeader > PageSize {
		return 0, 0, nil
	}
	ino = binary.LittleEndian.Uint32(p[off:])
	size = int(binary.LittleEndian.Uint16(p[off+4:]))
	n := int(p[off+6])
	return ino, size, p[off+entryHeader : off+entryHeader+n]
}

func putEntry(p *[PageSize]byte, off int, ino Ino, size int, name []byte) {
	binary.LittleEndian.PutUint32(p[off:], ino)
	binary.LittleEndian.PutUint16(p[off+4:], uint16(size))
	p[off+6] = byte(len(name))
	copy(p[off+entryHeader:], name)
}

func nextPage(p *[PageSize]byte) uint64 { return binary.LittleEndian.Uint64(p[:]) }

// dirFind returns the page and offset of name's entry in directory n.
func (fs *FS) dirFind(n *inode, name []byte) (pa uint64, off int, ino Ino) {
	for pa = n.data; pa != 0; pa = nextPage(fs.pages.Page(pa)) {
		p := fs.pages.Page(pa)
		for off = dirHeader; ; {
			e, size, en := dirEntry(p, off)
			if size == 0 {
				break
			}
			if e != 0 && string(en) == string(name) {
				return pa, off, e
			}
			off += size
		}
	}
	return 0, 0, 0
}

// dirLookup returns the inode name names in n, or 0.
func (fs *FS) dirLookup(n *inode, name []byte) Ino {
	_, _, ino := fs.dirFind(n, name)
	return ino
}

// dirInsert adds name → ino to n (name must not be there): in the first
// removed entry with room, else at the end of a page with room, else in
// a new page.
func (fs *FS) dirInsert(n *inode, name []byte, ino Ino) linux.Errno {
	need := entrySize(len(name))
	last := uint64(0)
	for pa := n.data; pa != 0; pa = nextPage(fs.pages.Page(pa)) {
		p := fs.pages.Page(pa)
		off := dirHeader
		for {
			e, size, _ := dirEntry(p, off)
			if size == 0 {
				break
			}
			if e == 0 && size >= need {
				putEntry(p, off, ino, size, name)
				n.size += direntSize
				return 0
			}
			off += size
		}
		if off+need <= PageSize {
			putEntry(p, off, ino, need, name)
			n.size += direntSize
			return 0
		}
		last = pa
	}
	pa, ok := fs.pages.Alloc()
	if !ok {
		return linux.ENOSPC
	}
	putEntry(fs.pages.Page(pa), dirHeader, ino, need, name)
	n.size += direntSize
	if last == 0 {
		n.data = pa
	} else {
		binary.LittleEndian.PutUint64(fs.pages.Page(last)[:], pa)
	}
	return 0
}

// direntSize is what each entry adds to a directory's size, as Linux's
// tmpfs counts it (BOGO_DIRENT_SIZE in mm/shmem.c); an empty directory
// has two, for "." and "..".
const direntSize = 20

// dirRemove clears the entry at (pa, off) of directory n.
func (fs *FS) dirRemove(n *inode, pa uint64, off int) {
	fs.dirSet(pa, off, 0)
	n.size -= direntSize
}

// dirSet points the entry at (pa, off) at ino: rename over an entry.
func (fs *FS) dirSet(pa uint64, off int, ino Ino) {
	binary.LittleEndian.PutUint32(fs.pages.Page(pa)[off:], ino)
}

// dirEmpty reports whether n holds no entries.
func (fs *FS) dirEmpty(n *inode) bool {
	empty := true
	fs.dirEach(n, 0, func(Ino, []byte, uint64) bool {
		empty = false
		return false
	})
	return empty
}

// dirEach calls fn for each entry of n from position pos on (0: the
// start), with the position of the entry after it, until fn returns
// false. A position is the page's place in the chain times PageSize plus
// the entry's offset.
func (fs *FS) dirEach(n *inode, pos uint64, fn func(ino Ino, name []byte, next uint64) bool) {
	index := uint64(0)
	for pa := n.data; pa != 0; pa, index = nextPage(fs.pages.Page(pa)), index+1 {
		if (index+1)*PageSize <= pos {
			continue
		}
		p := fs.pages.Page(pa)
		off := dirHeader
		if index == pos/PageSize && int(pos%PageSize) > off {
			off = int(pos % PageSize)
		}
		for {
			e, size, name := dirEntry(p, off)
			if size == 0 {
				break
			}
			off += size
			if e != 0 && !fn(e, name, index*PageSize+uint64(off)) {
				return
			}
		}
	}
}

// freeDirPages frees n's pages.
func (fs *FS) freeDirPages(n *inode) {
	for pa := n.data; pa != 0; {
		next := nextPage(fs.pages.Page(pa))
		fs.pages.Free(pa)
		pa = next
	}
	n.data = 0
}
