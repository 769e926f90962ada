package ext4

import (
	"container/list"
	"sync"
)

// blockCache holds file system blocks, metadata only: the block groups'
// tables, inode table blocks, extent tree nodes and directory blocks.
// File data goes straight between the device and the caller.
//
// A block is either clean, in a least-recently-used list that evicts it
// when the cache is full, or pinned: changed by the running transaction
// (dirty) or committed to the journal but not yet written in place
// (journalling.rst "Overview": checkpointing). A pinned block is never
// evicted, because the device still holds its old contents. Pinned blocks
// are changed in place under the FS's write lock, so every reader sees
// the newest contents.
type blockCache struct {
	dev       Device
	blockSize int
	max       int // most clean blocks held

	mu     sync.Mutex
	blocks map[uint64]*cachedBlock
	lru    list.List // of *cachedBlock, clean only; front: most recently used
}

// cachedBlock is one block and what has been verified about it.
type cachedBlock struct {
	nr   uint64
	data []byte
	// verified records that the block passed the checks (checksum and
	// structure) of one kind of metadata of one inode, so that they run
	// once per read from the device, not once per use; 0 for none. A
	// block reached again as another kind or from another inode is
	// checked again.
	verified verifyKey
	elem     *list.Element // in lru; nil while pinned
	// dirty: part of the running transaction; committed: in the
	// journal, not yet checkpointed. Either pins the block.
	dirty, committed bool
}

// verifyKey is a kind of metadata block and the inode it belongs to.
type verifyKey uint64

// Kinds of verified metadata blocks.
const (
	kindExtent  = 1 // extent tree node
	kindDirLeaf = 2 // directory leaf block
	kindDxNode  = 3 // htree root or interior node
)

func keyFor(kind int, ino uint32) verifyKey { return verifyKey(kind)<<32 | verifyKey(ino) }

func newBlockCache(dev Device, blockSize, max int) *blockCache {
	return &blockCache{dev: dev, blockSize: blockSize, max: max, blocks: make(map[uint64]*cachedBlock)}
}

// get returns block nr, reading it from the device if it is not cached.
// The caller must not change the returned block's data (only tx.modify
// does, under the FS's write lock).
func (c *blockCache) get(nr uint64) (*cachedBlock, error) {
	c.mu.Lock()
	if b, ok := c.blocks[nr]; ok {
		if b.elem != nil {
			c.lru.MoveToFront(b.elem)
		}
		c.mu.Unlock()
		return b, nil
	}
	c.mu.Unlock()

	data := make([]byte, c.blockSize)
	if _, err := c.dev.ReadAt(data, int64(nr)*int64(c.blockSize)); err != nil {
		return nil, ioError(err, "reading block %d", nr)
	}
	b := &cachedBlock{nr: nr, data: data}

	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.blocks[nr]; ok { // another reader was quicker
		if old.elem != nil {
			c.lru.MoveToFront(old.elem)
		}
		return old, nil
	}
	c.blocks[nr] = b
	b.elem = c.lru.PushFront(b)
	c.evict()
	return b, nil
}

// evict drops the least recently used clean blocks beyond max.
func (c *blockCache) evict() {
	for c.lru.Len() > c.max {
		old := c.lru.Back()
		c.lru.Remove(old)
		delete(c.blocks, old.Value.(*cachedBlock).nr)
	}
}

// pin takes b out of the eviction list; the caller then marks it dirty
// or committed.
func (c *blockCache) pin(b *cachedBlock) {
	c.mu.Lock()
	if b.elem != nil {
		c.lru.Remove(b.elem)
		b.elem = nil
	}
	b.verified = 0
	c.mu.Unlock()
}

// install puts data in the cache as block nr, pinned, replacing what was
// cached (a block just allocated, whose old contents do not matter).
func (c *blockCache) install(nr uint64, data []byte) *cachedBlock {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.blocks[nr]; ok && old.elem != nil {
		c.lru.Remove(old.elem)
	}
	b := &cachedBlock{nr: nr, data: data}
	c.blocks[nr] = b
	return b
}

// unpin returns a block that is neither dirty nor committed to the
// eviction list.
func (c *blockCache) unpin(b *cachedBlock) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if b.dirty || b.committed || b.elem != nil || c.blocks[b.nr] != b {
		return
	}
	b.elem = c.lru.PushFront(b)
	c.evict()
}

// forget drops block nr if it is cached and clean (a freed block, whose
// next contents will be written around the cache).
func (c *blockCache) forget(nr uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if b, ok := c.blocks[nr]; ok && b.elem != nil {
		c.lru.Remove(b.elem)
		delete(c.blocks, nr)
	}
}

// markVerified records that b passed the checks that k names.
func (c *blockCache) markVerified(b *cachedBlock, k verifyKey) {
	c.mu.Lock()
	b.verified = k
	c.mu.Unlock()
}

// isVerified reports whether b passed the checks that k names before.
func (c *blockCache) isVerified(b *cachedBlock, k verifyKey) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return b.verified == k
}
