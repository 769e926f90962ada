package tmpfs

import "github.com/coracle-os/coracle/kernel/abi/linux"

// A regular file's data is a radix tree of pages: with height 0 the root
// is the one data page; each level above holds 512 page addresses. A
// zero address is a hole, read as zeros. The tree grows in height as the
// file grows and shrinks only when the file is emptied.

const (
	fanout    = PageSize / 8
	maxHeight = 3
	// MaxFileSize is the largest file: a tree of maxHeight levels.
	MaxFileSize = PageSize * fanout * fanout * fanout
)

// capacity is the bytes a tree of height h addresses.
func capacity(h uint32) int64 {
	c := int64(PageSize)
	for range h {
		c *= fanout
	}
	return c
}

// dataPage returns the data page holding byte off of n, 0 for a hole;
// with alloc it makes the page (and the tree above it) if missing.
func (fs *FS) dataPage(n *inode, off int64, alloc bool) (uint64, linux.Errno) {
	for capacity(n.height) <= off {
		if !alloc {
			return 0, 0
		}
		if n.data == 0 {
			n.height++ // an empty tree grows for free
			continue
		}
		root, ok := fs.pages.Alloc()
		if !ok {
			return 0, linux.ENOSPC
		}
		words(fs.pages.Page(root))[0] = n.data
		n.data = root
		n.height++
	}
	slot := &n.data
	for h := n.height; ; h-- {
		if *slot == 0 {
			if !alloc {
				return 0, 0
			}
			pa, ok := fs.pages.Alloc()
			if !ok {
				return 0, linux.ENOSPC
			}
			*slot = pa
			if h == 0 {
				n.pages++
			}
		}
		if h == 0 {
			return *slot, 0
		}
		i := off / capacity(h-1) % fanout
		slot = &words(fs.pages.Page(*slot))[i]
	}
}

// readData copies n's bytes at off into b, up to the end of the file.
func (fs *FS) readData(n *inode, off int64, b []byte) int {
	if off >= n.size {
		return 0
	}
	b = b[:min(int64(len(b)), n.size-off)]
	done := 0
	for done < len(b) {
		at := off + int64(done)
		in := int(at % PageSize)
		chunk := min(len(b)-done, PageSize-in)
		pa, _ := fs.dataPage(n, at, false)
		if pa == 0 {
			clear(b[done : done+chunk])
		} else {
			copy(b[done:done+chunk], fs.pages.Page(pa)[in:])
		}
		done += chunk
	}
	return done
}

// writeData copies b into n at off, growing the file. It returns how
// much it wrote: all of b, or what fitted before the pages ran out (then
// ENOSPC if that was nothing).
func (fs *FS) writeData(n *inode, off int64, b []byte) (int, linux.Errno) {
	if off < 0 || off+int64(len(b)) > MaxFileSize {
		return 0, linux.EFBIG
	}
	done := 0
	for done < len(b) {
		at := off + int64(done)
		in := int(at % PageSize)
		chunk := min(len(b)-done, PageSize-in)
		pa, e := fs.dataPage(n, at, true)
		if e != 0 {
			if done == 0 {
				return 0, e
			}
			break
		}
		copy(fs.pages.Page(pa)[in:], b[done:done+chunk])
		done += chunk
	}
	n.size = max(n.size, off+int64(done))
	return done, 0
}

// truncateData sets n's size, freeing the pages wholly past it (those
// fallocate kept past the old size too) and zeroing the rest of the
// last page, so that growing the file again reads zeros.
func (fs *FS) truncateData(n *inode, size int64) {
	if size < n.size && size%PageSize != 0 {
		if pa, _ := fs.dataPage(n, size, false); pa != 0 {
			clear(fs.pages.Page(pa)[size%PageSize:])
		}
	}
	keep := (size + PageSize - 1) / PageSize // data pages kept
	if n.data != 0 && fs.cut(n, n.data, n.height, 0, keep, MaxFileSize/PageSize) {
		n.data, n.height = 0, 0
	}
	n.size = size
}

// cut frees the data pages with index in [lo, hi) below the node at pa,
// of height h, whose first data page has index first. It reports
// whether the node is now empty, and frees it then.
func (fs *FS) cut(n *inode, pa uint64, h uint32, first, lo, hi int64) bool {
	if h == 0 {
		if first >= lo && first < hi {
			fs.pages.Free(pa)
			n.pages--
			return true
		}
		return false
	}
	span := capacity(h-1) / PageSize
	w := words(fs.pages.Page(pa))
	empty := true
	for i := range int64(fanout) {
		if w[i] == 0 {
			continue
		}
		start := first + i*span
		if start+span > lo && start < hi && fs.cut(n, w[i], h-1, start, lo, hi) {
			w[i] = 0
			continue
		}
		empty = false
	}
	if empty {
		fs.pages.Free(pa)
	}
	return empty
}
