package jbd2

import (
	"fmt"
	"sort"
)

// Device is the block device under the file system: byte-addressed
// reads and writes, and Flush, which returns once every write before it
// is on stable storage (a virtio-blk FLUSH, fsync(2) on a host file).
// Writes between two Flush calls may reach the disk in any order, or
// not at all if the machine stops.
type Device interface {
	ReadAt(p []byte, off int64) (int, error)
	WriteAt(p []byte, off int64) (int, error)
	Flush() error
}

// An Extent maps Len journal blocks from journal block Logical onward to
// device blocks from Physical onward: one extent of the journal inode.
type Extent struct {
	Logical  uint32
	Physical uint64
	Len      uint32
}

// blockMap turns journal block numbers into device block numbers.
type blockMap []Extent

// newBlockMap sorts the extents and checks that they cover journal
// blocks [0, n) without holes or overlaps.
func newBlockMap(extents []Extent, n uint32) (blockMap, error) {
	m := append(blockMap(nil), extents...)
	sort.Slice(m, func(i, j int) bool { return m[i].Logical < m[j].Logical })
	next := uint32(0)
	for _, e := range m {
		if e.Logical != next || e.Len == 0 {
			return nil, fmt.Errorf("jbd2: journal extents do not cover block %d", next)
		}
		next += e.Len
		if next >= n {
			return m, nil
		}
	}
	if next < n {
		return nil, fmt.Errorf("jbd2: journal extents cover %d blocks, the journal has %d", next, n)
	}
	return m, nil
}

// device returns the device block of journal block jb.
func (m blockMap) device(jb uint32) uint64 {
	i := sort.Search(len(m), func(i int) bool { return m[i].Logical+m[i].Len > jb })
	if i == len(m) || jb < m[i].Logical {
		panic(fmt.Sprintf("jbd2: journal block %d is not mapped", jb))
	}
	return m[i].Physical + uint64(jb-m[i].Logical)
}
