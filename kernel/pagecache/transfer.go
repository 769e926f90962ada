package pagecache

import "github.com/coracle-os/coracle/kernel/abi/linux"

// StartFill takes the run of absent pages from the page holding off on,
// at most len(frames), that lie before the home size, for a fetch: it
// gives each a zeroed frame, in frames, and marks it filling. It
// returns the run's length: 0 with errno 0 if the first page is cached
// already (read it), EAGAIN if it is filling (wait for that fetch),
// ENOMEM if no frame is left (evict, then try again).
func (c *Cache) StartFill(id ID, off int64, frames []uint64) (int, linux.Errno) {
	f := &c.files[id]
	first := off / PageSize
	n := 0
	for ; n < len(frames); n++ {
		idx := first + int64(n)
		if idx*PageSize >= f.home {
			break
		}
		e, en := c.entry(f, idx, true)
		if en != 0 {
			if n == 0 {
				return 0, en
			}
			break
		}
		if *e != 0 {
			if n == 0 && *e&stateFilling != 0 {
				return 0, linux.EAGAIN
			}
			break
		}
		pa, ok := c.pages.Alloc()
		if !ok {
			if n == 0 {
				return 0, linux.ENOMEM
			}
			break
		}
		*e = pa | stateFilling
		frames[n] = pa
		f.pages++
		f.busy++
		c.held++
	}
	return n, 0
}

// EndFill ends a fetch StartFill began at off with frames: with ok, the
// pages hold the file's bytes (zeros past its home size) and become
// clean; without, they leave the cache. Frames whose pages left the
// file meanwhile (a truncation) are freed.
func (c *Cache) EndFill(id ID, off int64, frames []uint64, ok bool) {
	f := &c.files[id]
	first := off / PageSize
	for i, pa := range frames {
		idx := first + int64(i)
		e, _ := c.entry(f, idx, false)
		if e == nil || *e != pa|stateFilling {
			c.pages.Free(pa)
			c.held--
			continue
		}
		f.busy--
		if !ok {
			*e = 0
			f.pages--
			c.pages.Free(pa)
			c.held--
			continue
		}
		*e = pa
		// A truncation during the fetch may have cut the page short.
		if end := f.size - idx*PageSize; end < PageSize {
			clear(c.pages.Page(pa)[max(end, 0):])
		}
	}
}

// StartWriteback takes the first run of dirty pages at or after byte
// from, at most len(frames), that are not being written already, marks
// them writing and clean, and returns the run's offset and length with
// their frames; n is 0 when there is none (Dirty tells whether pages
// being written are dirty again: wait for their EndWriteback, then call
// again). The caller writes the run home with the file's size at most
// Size.
func (c *Cache) StartWriteback(id ID, from int64, frames []uint64) (off int64, n int) {
	f := &c.files[id]
	if f.dirty == 0 || len(frames) == 0 {
		return -1, 0
	}
	idx, e := c.next(f, from/PageSize)
	for ; e != nil; idx, e = c.next(f, idx+1) {
		if *e&stateDirty != 0 && *e&stateBusy == 0 {
			break
		}
	}
	if e == nil {
		return -1, 0
	}
	off = idx * PageSize
	for n < len(frames) {
		frames[n] = *e &^ stateMask
		*e = frames[n] | stateWriting
		f.dirty--
		f.busy++
		n++
		e, _ = c.entry(f, idx+int64(n), false)
		if e == nil || *e&stateDirty == 0 || *e&stateBusy != 0 {
			break
		}
	}
	return off, n
}

// EndWriteback ends a write-back StartWriteback began at off: with ok
// the bytes are home, and the home size grows to cover them; without,
// the pages are dirty again. Frames whose pages left the file meanwhile
// are freed.
func (c *Cache) EndWriteback(id ID, off int64, frames []uint64, ok bool) {
	f := &c.files[id]
	first := off / PageSize
	for i, pa := range frames {
		e, _ := c.entry(f, first+int64(i), false)
		if e == nil || *e&^stateMask != pa || *e&stateWriting == 0 {
			c.pages.Free(pa)
			c.held--
			continue
		}
		*e &^= stateWriting
		f.busy--
		if !ok {
			c.setDirty(f, e)
		}
	}
	if ok {
		f.home = max(f.home, min(f.size, off+int64(len(frames))*PageSize))
	}
}

// Evict frees up to want clean pages that no transfer and no mapping
// holds, from the least recently opened files first, and returns how
// many it freed.
func (c *Cache) Evict(want int) int {
	budget := want
	for budget > 0 {
		var victim *file
		for i := 1; i <= MaxFiles; i++ {
			f := &c.files[i]
			if f.maps == 0 && f.pages > f.dirty+f.busy && (victim == nil || f.used < victim.used) {
				victim = f
			}
		}
		if victim == nil {
			break
		}
		if victim.root != 0 && c.prune(victim, victim.root, victim.height, 0, 0, maxPages, true, &budget) {
			c.pages.Free(victim.root)
			victim.root, victim.height = 0, 0
		}
	}
	return want - budget
}
