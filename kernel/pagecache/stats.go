package pagecache

// Counts the kernel needs to decide when to write back, evict or wait.

// Busy returns the number of a file's pages in flight (filling or
// being written): fsync waits for them before it asks the service to
// sync, and a truncation before it cuts.
func (c *Cache) Busy(id ID) int { return int(c.files[id].busy) }

// Live reports whether a file is open or mapped.
func (c *Cache) Live(id ID) bool { return c.files[id].live() }

// Mapped reports whether a mapping holds the file.
func (c *Cache) Mapped(id ID) bool { return c.files[id].maps > 0 }

// DirtyPages returns the dirty pages of every file.
func (c *Cache) DirtyPages() int {
	n := 0
	for i := 1; i <= MaxFiles; i++ {
		n += int(c.files[i].dirty)
	}
	return n
}

// Evictable returns how many pages Evict could free now: the clean
// pages not in flight of files no mapping holds. The kernel counts them
// as free memory when it decides whether a commit fits.
func (c *Cache) Evictable() int {
	n := 0
	for i := 1; i <= MaxFiles; i++ {
		if f := &c.files[i]; f.maps == 0 {
			n += int(f.pages - f.dirty - f.busy)
		}
	}
	return n
}

// NextDirty returns a file with dirty pages not in flight to write back
// first when memory runs short (the least recently opened), or 0.
func (c *Cache) NextDirty() ID {
	var best ID
	for i := 1; i <= MaxFiles; i++ {
		if f := &c.files[i]; f.dirty > 0 && (best == 0 || f.used < c.files[best].used) {
			best = ID(i)
		}
	}
	return best
}
