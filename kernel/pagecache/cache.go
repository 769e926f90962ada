package pagecache

import "github.com/coracle-os/coracle/kernel/abi/linux"

// PageSize is the size of a cached page.
const PageSize = 4096

// MaxFiles bounds the files cached at once (open, mapped, or holding
// pages after their last close).
const MaxFiles = 256

// Pages is where the cache gets its memory: the kernel's frame
// allocator and its direct map (a fake one in host tests).
//
// Trap context: all methods.
type Pages interface {
	// Alloc returns a zeroed page, or ok=false when none is left.
	Alloc() (pa uint64, ok bool)
	// Free gives a page back.
	Free(pa uint64)
	// Page returns the page at pa.
	Page(pa uint64) *[PageSize]byte
}

// Key names a file: the mount it is on and its inode number there.
type Key struct {
	Mount uint32
	Ino   uint64
}

// ID names a cached file; 0 is none.
type ID uint16

// file is one cached file.
type file struct {
	key   Key
	opens int32 // Open calls not yet Closed
	maps  int32 // Map calls not yet Unmapped: while >0 no page is evicted
	size  int64 // the file's size as the program sees it
	home  int64 // bytes at home: pages from here on are made, not fetched
	root  uint64
	// height is the levels of the radix tree above the leaf entries.
	height uint32
	pages  int32 // pages held, in every state
	dirty  int32 // dirty pages
	busy   int32 // filling or writing pages
	used   uint64
}

func (f *file) live() bool { return f.opens > 0 || f.maps > 0 }

// Cache is the page cache. Its zero value is unusable: call Init.
type Cache struct {
	pages Pages
	files [MaxFiles + 1]file // [0] unused
	clock uint64             // counts Opens: a file's used is the clock at its last
	held  int                // pages held in all files
}

// Init makes an empty cache that takes its pages from pages.
//
// Boot path: stores the Pages interface, which has pointers; trap
// context only reads it.
func (c *Cache) Init(pages Pages) {
	*c = Cache{pages: pages}
}

// Pages returns the pages the cache holds.
func (c *Cache) Pages() int { return c.held }

// Lookup returns the cached file k, or 0.
func (c *Cache) Lookup(k Key) ID {
	for i := 1; i <= MaxFiles; i++ {
		if f := &c.files[i]; f.key == k && (f.live() || f.pages > 0) {
			return ID(i)
		}
	}
	return 0
}

// Open takes a reference to file k and returns its ID. If k is not
// cached, homeSize is its size on the disk; if it is, the cache's own
// size stands (it may have writes the disk has not seen). ENFILE when
// MaxFiles are live and none can be dropped.
func (c *Cache) Open(k Key, homeSize int64) (ID, linux.Errno) {
	c.clock++
	if id := c.Lookup(k); id != 0 {
		f := &c.files[id]
		f.opens++
		f.used = c.clock
		return id, 0
	}
	id := c.freeSlot()
	if id == 0 {
		return 0, linux.ENFILE
	}
	c.files[id] = file{key: k, opens: 1, size: homeSize, home: homeSize, used: c.clock}
	return id, 0
}

// freeSlot returns an unused slot, dropping the clean pages of the
// least recently opened idle file if every slot is taken.
func (c *Cache) freeSlot() ID {
	var victim ID
	for i := 1; i <= MaxFiles; i++ {
		f := &c.files[i]
		if !f.live() && f.pages == 0 {
			return ID(i)
		}
		if !f.live() && f.dirty == 0 && f.busy == 0 && (victim == 0 || f.used < c.files[victim].used) {
			victim = ID(i)
		}
	}
	if victim != 0 {
		c.drop(victim)
	}
	return victim
}

// Close gives back a reference Open took. The file's pages stay cached
// (dirty ones until they are written home) until Evict or Forget.
func (c *Cache) Close(id ID) {
	if f := &c.files[id]; f.opens > 0 {
		f.opens--
	}
}

// Map and Unmap count the mappings of a file: while one exists, its
// pages stay, so that a fault always finds a page it was promised.
func (c *Cache) Map(id ID)   { c.files[id].maps++ }
func (c *Cache) Unmap(id ID) { c.files[id].maps-- }

// Size returns the file's size.
func (c *Cache) Size(id ID) int64 { return c.files[id].size }

// Key returns the file's key.
func (c *Cache) Key(id ID) Key { return c.files[id].key }

// Dirty returns the number of dirty pages of a file.
func (c *Cache) Dirty(id ID) int { return int(c.files[id].dirty) }

// Held returns the number of pages a file holds.
func (c *Cache) Held(id ID) int { return int(c.files[id].pages) }

// Forget drops every page of an idle file whose pages are all clean and
// none in flight (after its last close, or when the disk's copy changed
// behind the cache), and frees its slot; false if it cannot.
func (c *Cache) Forget(id ID) bool {
	f := &c.files[id]
	if f.live() || f.dirty > 0 || f.busy > 0 {
		return false
	}
	c.drop(id)
	return true
}

// drop frees all of a file's pages (none may be in flight) and its slot.
func (c *Cache) drop(id ID) {
	f := &c.files[id]
	if f.root != 0 {
		c.cut(f, 0, maxPages)
	}
	*f = file{}
}
