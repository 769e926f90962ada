package ext4

import (
	"container/list"
	"sync"
)

// blockCache holds recently read file system blocks, metadata only: the
// block groups' tables, inode table blocks, extent tree nodes and
// directory blocks. File data goes straight from the device to the
// caller. A cached block is never changed in place, so a slice handed out
// stays valid after eviction; the write side will add dirty and pinned
// states here.
type blockCache struct {
	dev       Device
	blockSize int
	max       int // most blocks held

	mu     sync.Mutex
	blocks map[uint64]*list.Element // of *cachedBlock
	lru    list.List                // front: most recently used
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
	return &blockCache{dev: dev, blockSize: blockSize, max: max, blocks: make(map[uint64]*list.Element)}
}

// get returns block nr, reading it from the device if it is not cached.
// The caller must not change the returned block's data.
func (c *blockCache) get(nr uint64) (*cachedBlock, error) {
	c.mu.Lock()
	if e, ok := c.blocks[nr]; ok {
		c.lru.MoveToFront(e)
		b := e.Value.(*cachedBlock)
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
	if e, ok := c.blocks[nr]; ok { // another reader was quicker
		c.lru.MoveToFront(e)
		return e.Value.(*cachedBlock), nil
	}
	c.blocks[nr] = c.lru.PushFront(b)
	for c.lru.Len() > c.max {
		old := c.lru.Back()
		c.lru.Remove(old)
		delete(c.blocks, old.Value.(*cachedBlock).nr)
	}
	return b, nil
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
