package tmpfs

import "github.com/coracle-os/coracle/kernel/abi/linux"

// fallocate(2) on a regular file: Allocate backs a range with zeroed
// pages and PunchHole gives a range's pages back, as Linux's tmpfs
// (shmem_fallocate) does. Pages past the size that Allocate made with
// keepSize count in st_blocks and go when the file is truncated or
// removed.

// Allocate makes sure every page of [off, off+n) of regular file ino is
// held, and, unless keepSize, grows the file to off+n. It takes nothing
// unless all the pages it may need are there (ENOSPC), so a refused
// call leaves the file as it was; avail is how many pages the source
// can still give.
func (fs *FS) Allocate(ino Ino, off, n int64, keepSize bool, avail uint64, now int64) linux.Errno {
	node := fs.inode(ino)
	if e := regular(node); e != 0 {
		return e
	}
	end := off + n
	if off < 0 || n <= 0 || end < off {
		return linux.EINVAL
	}
	if end > MaxFileSize {
		return linux.EFBIG
	}
	first, last := off/PageSize, (end-1)/PageSize
	missing := uint64(last-first+1) - fs.heldIn(node, first, last+1)
	if missing > 0 {
		// Data pages, the radix nodes above them (one per 512 at
		// each level, plus the partial ends) and the tree's growth.
		need := missing + 2*(missing/fanout+2) + maxHeight
		if need > avail {
			return linux.ENOSPC
		}
		for i := first; i <= last; i++ {
			if _, e := fs.dataPage(node, i*PageSize, true); e != 0 {
				return e // cannot happen after the check above
			}
		}
	}
	if !keepSize && end > node.size {
		node.size = end
		node.mtime = now
	}
	node.ctime = now
	return 0
}

// PunchHole zeroes [off, off+n) of regular file ino, giving back the
// pages wholly inside it; the size stays (FALLOC_FL_PUNCH_HOLE is only
// valid with FALLOC_FL_KEEP_SIZE).
func (fs *FS) PunchHole(ino Ino, off, n int64, now int64) linux.Errno {
	node := fs.inode(ino)
	if e := regular(node); e != 0 {
		return e
	}
	end := off + n
	if off < 0 || n <= 0 || end < off {
		return linux.EINVAL
	}
	end = min(end, MaxFileSize)
	fs.zeroIn(node, off, min(end, (off+PageSize-1)/PageSize*PageSize))
	if lo, hi := (off+PageSize-1)/PageSize, end/PageSize; lo < hi && node.data != 0 {
		fs.unmap(ino, lo*PageSize, hi*PageSize, false)
		if fs.cut(node, node.data, node.height, 0, lo, hi) {
			node.data, node.height = 0, 0
		}
	}
	if end%PageSize != 0 && end/PageSize >= (off+PageSize-1)/PageSize {
		fs.zeroIn(node, end/PageSize*PageSize, end)
	}
	node.mtime, node.ctime = now, now
	return 0
}

// zeroIn clears bytes [from, to) of n, which lie in one page, if that
// page is held.
func (fs *FS) zeroIn(n *inode, from, to int64) {
	if from >= to {
		return
	}
	if pa, _ := fs.dataPage(n, from, false); pa != 0 {
		clear(fs.pages.Page(pa)[from%PageSize : from%PageSize+(to-from)])
	}
}

// heldIn counts n's data pages with index in [lo, hi), walking only the
// radix nodes that exist.
func (fs *FS) heldIn(n *inode, lo, hi int64) uint64 {
	if n.data == 0 {
		return 0
	}
	return fs.countHeld(n.data, n.height, 0, lo, hi)
}

func (fs *FS) countHeld(pa uint64, h uint32, first, lo, hi int64) uint64 {
	if h == 0 {
		if first >= lo && first < hi {
			return 1
		}
		return 0
	}
	span := capacity(h-1) / PageSize
	w := words(fs.pages.Page(pa))
	var c uint64
	for i := range int64(fanout) {
		start := first + i*span
		if w[i] == 0 || start+span <= lo || start >= hi {
			continue
		}
		c += fs.countHeld(w[i], h-1, start, lo, hi)
	}
	return c
}
