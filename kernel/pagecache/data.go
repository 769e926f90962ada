package pagecache

import "github.com/coracle-os/coracle/kernel/abi/linux"

// Read copies the file's bytes at off into dst, up to the end of the
// file, and returns how many it copied. It stops at the first page that
// must be fetched first (absent before the home size, or filling) and
// returns that page's offset as miss; miss is -1 when it copied all it
// could.
func (c *Cache) Read(id ID, off int64, dst []byte) (n int, miss int64) {
	f := &c.files[id]
	if off < 0 || off >= f.size {
		return 0, -1
	}
	dst = dst[:min(int64(len(dst)), f.size-off)]
	for n < len(dst) {
		at := off + int64(n)
		in := int(at % PageSize)
		chunk := min(len(dst)-n, PageSize-in)
		e, _ := c.entry(f, at/PageSize, false)
		switch {
		case e == nil || *e == 0:
			if at-int64(in) < f.home {
				return n, at - int64(in)
			}
			clear(dst[n : n+chunk])
		case *e&stateFilling != 0:
			return n, at - int64(in)
		default:
			copy(dst[n:n+chunk], c.pages.Page(*e &^ stateMask)[in:])
		}
		n += chunk
	}
	return n, -1
}

// Write copies src into the file at off, growing it, and returns how
// much it wrote. It stops at the first page that must be fetched first
// (absent before the home size and not wholly overwritten, or filling)
// and returns its offset as miss (else -1); or when no page is left,
// with ENOMEM if it wrote nothing: the caller evicts and tries again.
// Pages written are dirty.
func (c *Cache) Write(id ID, off int64, src []byte) (n int, miss int64, errno linux.Errno) {
	f := &c.files[id]
	if off < 0 || off+int64(len(src)) > MaxFileSize {
		return 0, -1, linux.EFBIG
	}
	miss = -1
	for n < len(src) {
		at := off + int64(n)
		in := int(at % PageSize)
		chunk := min(len(src)-n, PageSize-in)
		page := at - int64(in)
		e, en := c.entry(f, at/PageSize, true)
		if en != 0 {
			errno = en
			break
		}
		if *e == 0 {
			if page < f.home && chunk < PageSize {
				miss = page
				break
			}
			pa, ok := c.pages.Alloc()
			if !ok {
				errno = linux.ENOMEM
				break
			}
			*e = pa
			f.pages++
			c.held++
		}
		if *e&stateFilling != 0 {
			miss = page
			break
		}
		copy(c.pages.Page(*e &^ stateMask)[in:], src[n:n+chunk])
		c.setDirty(f, e)
		n += chunk
	}
	f.size = max(f.size, off+int64(n))
	if n > 0 {
		errno = 0
	}
	return n, miss, errno
}

// setDirty marks leaf entry e of f dirty.
func (c *Cache) setDirty(f *file, e *uint64) {
	if *e&stateDirty == 0 {
		*e |= stateDirty
		f.dirty++
	}
}

// Truncate sets the file's size: pages wholly past it leave the cache,
// the rest of the last page reads as zeros, and bytes past it are no
// longer fetched from home (the caller truncates the home copy too).
func (c *Cache) Truncate(id ID, size int64) linux.Errno {
	f := &c.files[id]
	if size < 0 || size > MaxFileSize {
		return linux.EFBIG
	}
	if size < f.size && size%PageSize != 0 {
		if e, _ := c.entry(f, size/PageSize, false); e != nil && *e != 0 && *e&stateFilling == 0 {
			clear(c.pages.Page(*e &^ stateMask)[size%PageSize:])
		}
	}
	c.cut(f, (size+PageSize-1)/PageSize, maxPages)
	f.size = size
	f.home = min(f.home, size)
	return 0
}

// MapPage returns the page of the file holding byte off, for a mapping:
// a cached page (marked dirty when write says the mapping will change
// it), or a new zero page past the home size. Past the end of the file
// it is EFAULT (the mapping raises SIGBUS); before the home size, a page
// not yet fetched (or filling) is EAGAIN: the caller fetches it first,
// in a system call, since a fault cannot wait for the service. ENOMEM
// when no page is left.
func (c *Cache) MapPage(id ID, off int64, write bool) (uint64, linux.Errno) {
	f := &c.files[id]
	if off < 0 || off >= f.size {
		return 0, linux.EFAULT
	}
	page := off &^ (PageSize - 1)
	e, en := c.entry(f, off/PageSize, page >= f.home)
	if en != 0 {
		return 0, en
	}
	if e == nil || *e == 0 {
		if page < f.home {
			return 0, linux.EAGAIN
		}
		pa, ok := c.pages.Alloc()
		if !ok {
			return 0, linux.ENOMEM
		}
		*e = pa
		f.pages++
		c.held++
	}
	if *e&stateFilling != 0 {
		return 0, linux.EAGAIN
	}
	if write {
		c.setDirty(f, e)
	}
	return *e &^ stateMask, 0
}

// MarkDirty marks the cached page holding byte off dirty: a mapping
// may have changed it.
func (c *Cache) MarkDirty(id ID, off int64) {
	f := &c.files[id]
	if e, _ := c.entry(f, off/PageSize, false); e != nil && *e != 0 && *e&stateFilling == 0 {
		c.setDirty(f, e)
	}
}

// Missing returns the offset of the first page in [off, off+n) that a
// mapping of the file would have to fetch first, or -1.
func (c *Cache) Missing(id ID, off, n int64) int64 {
	f := &c.files[id]
	end := min(off+n, f.home)
	for page := off &^ (PageSize - 1); page < end; page += PageSize {
		if e, _ := c.entry(f, page/PageSize, false); e == nil || *e == 0 || *e&stateFilling != 0 {
			return page
		}
	}
	return -1
}
