package pagecache

import (
	"unsafe"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// A file's pages hang from a radix tree: the file's root entry names a
// node of height f.height, each node of height h holds fanout entries
// naming nodes of height h-1, and an entry of height 0 is a page: its
// physical address with the page's state in the low bits (pages are
// page-aligned). A zero entry is absent.

const (
	fanout    = PageSize / 8
	maxHeight = 3
	// maxPages is the most pages a file can have: 512 GiB.
	maxPages = fanout * fanout * fanout
	// MaxFileSize is the largest file the cache holds.
	MaxFileSize = maxPages * PageSize
)

// Page states in a leaf entry's low bits; none set is clean.
const (
	stateDirty   = 1 << 0
	stateFilling = 1 << 1
	stateWriting = 1 << 2
	stateMask    = PageSize - 1

	stateBusy = stateFilling | stateWriting
)

// capacity is the pages a subtree of height h holds.
func capacity(h uint32) int64 {
	c := int64(1)
	for range h {
		c *= fanout
	}
	return c
}

// words views a page as the entries of a node.
func words(p *[PageSize]byte) *[fanout]uint64 {
	return (*[fanout]uint64)(unsafe.Pointer(p))
}

// entry returns the leaf entry of page idx of f, nil if its node does
// not exist; with alloc it makes the nodes on the way.
func (c *Cache) entry(f *file, idx int64, alloc bool) (*uint64, linux.Errno) {
	if idx < 0 || idx >= maxPages {
		return nil, linux.EFBIG
	}
	for f.height == 0 || capacity(f.height) <= idx {
		if !alloc {
			return nil, 0
		}
		if f.root == 0 {
			f.height++ // an empty tree grows for free
			continue
		}
		pa, ok := c.pages.Alloc()
		if !ok {
			return nil, linux.ENOMEM
		}
		words(c.pages.Page(pa))[0] = f.root
		f.root = pa
		f.height++
	}
	e := &f.root
	for h := f.height; h > 0; h-- {
		if *e == 0 {
			if !alloc {
				return nil, 0
			}
			pa, ok := c.pages.Alloc()
			if !ok {
				return nil, linux.ENOMEM
			}
			*e = pa
		}
		e = &words(c.pages.Page(*e))[idx/capacity(h-1)%fanout]
	}
	return e, 0
}

// next returns the first page of f at or after index from that the
// tree holds, and its entry; -1 if there is none.
func (c *Cache) next(f *file, from int64) (int64, *uint64) {
	limit := capacity(f.height)
	if f.root == 0 {
		return -1, nil
	}
	for idx := max(from, 0); idx < limit; {
		e := &f.root
		h := f.height
		for ; h > 0 && *e != 0; h-- {
			e = &words(c.pages.Page(*e))[idx/capacity(h-1)%fanout]
		}
		if h == 0 && *e != 0 {
			return idx, e
		}
		span := capacity(h) // *e is an empty subtree of height h
		idx = (idx/span + 1) * span
	}
	return -1, nil
}

// prune removes f's pages with index in [lo, hi) below the node at pa,
// of height h >= 1, whose first page has index first, and frees nodes
// left empty; it reports whether this node is now empty (the caller
// frees it). With evict it removes only clean pages not in flight, at
// most *budget of them, counting them off. Without, it removes every
// page, but leaves the frames of pages in flight to their End call.
func (c *Cache) prune(f *file, pa uint64, h uint32, first, lo, hi int64, evict bool, budget *int) bool {
	w := words(c.pages.Page(pa))
	span := capacity(h - 1)
	empty := true
	for i := range int64(fanout) {
		e := w[i]
		if e == 0 {
			continue
		}
		start := first + i*span
		if start+span <= lo || start >= hi {
			empty = false
			continue
		}
		if h > 1 {
			if c.prune(f, e, h-1, start, lo, hi, evict, budget) {
				c.pages.Free(e)
				w[i] = 0
			} else {
				empty = false
			}
			continue
		}
		if evict {
			if e&(stateDirty|stateBusy) != 0 || *budget == 0 {
				empty = false
				continue
			}
			*budget--
		}
		c.removePage(f, e)
		w[i] = 0
	}
	return empty
}

// removePage accounts for leaf entry e leaving f, and frees its frame
// unless a transfer holds it.
func (c *Cache) removePage(f *file, e uint64) {
	f.pages--
	if e&stateDirty != 0 {
		f.dirty--
	}
	if e&stateBusy != 0 {
		f.busy-- // the End call frees the frame
		return
	}
	c.pages.Free(e &^ stateMask)
	c.held--
}

// cut removes f's pages with index in [lo, hi).
func (c *Cache) cut(f *file, lo, hi int64) {
	if f.root != 0 && c.prune(f, f.root, f.height, 0, lo, hi, false, nil) {
		c.pages.Free(f.root)
		f.root, f.height = 0, 0
	}
}
