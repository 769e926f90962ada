package ext4

import (
	"encoding/binary"
	"fmt"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// The extent tree (ifork.rst "Extent Tree"): a 12-byte header
// (eh_magic, eh_entries, eh_max, eh_depth, eh_generation), then eh_max
// 12-byte entries: index entries (ei_block, ei_leaf_lo, ei_leaf_hi) above
// depth 0, extents (ee_block, ee_len, ee_start_hi, ee_start_lo) at depth
// 0. A node in its own block ends with a 4-byte crc32c tail.
const (
	extentMagic    = 0xF30A
	extentHdrSize  = 12
	extentSize     = 12
	maxExtentDepth = 5 // EXT4_MAX_EXTENT_DEPTH: more would not fit 2^32 blocks
	// initMaxLen is the longest initialized extent; a longer ee_len
	// marks an unwritten extent of ee_len-initMaxLen blocks.
	initMaxLen = 32768
)

// runKind says what a run of logical blocks holds.
type runKind int

const (
	runHole      runKind = iota // no blocks: reads as zeros
	runData                     // mapped, initialized blocks
	runUnwritten                // allocated but unwritten: reads as zeros
)

// blockRun is a run of logical blocks with the same kind; for runData,
// phys is the physical block of the first.
type blockRun struct {
	kind runKind
	phys uint64
	n    uint64
}

// extentHeader is a checked node header.
type extentHeader struct{ entries, max, depth uint16 }

// parseExtentHeader checks the header of node (the inode's i_block, or a
// tree block without its tail) and that its entries fit.
func parseExtentHeader(node []byte, what string) (extentHeader, error) {
	le := binary.LittleEndian
	h := extentHeader{entries: le.Uint16(node[2:]), max: le.Uint16(node[4:]), depth: le.Uint16(node[6:])}
	switch {
	case le.Uint16(node[0:]) != extentMagic:
		return h, corrupt("%s: extent header magic %#x", what, le.Uint16(node[0:]))
	case h.max == 0 || extentHdrSize+extentSize*int(h.max) > len(node):
		return h, corrupt("%s: extent node holds %d entries in %d bytes", what, h.max, len(node))
	case h.entries > h.max:
		return h, corrupt("%s: extent node has %d of at most %d entries", what, h.entries, h.max)
	case h.depth > maxExtentDepth:
		return h, corrupt("%s: extent tree depth %d", what, h.depth)
	}
	return h, nil
}

// mapBlock finds what logical block lblk of in holds, and how many blocks
// from lblk on hold the same kind of thing, up to the end of the logical
// space (2^32 blocks).
func (f *FS) mapBlock(in *inode, lblk uint32) (blockRun, error) {
	if in.flags&flagExtents == 0 {
		if in.size == 0 {
			return blockRun{kind: runHole, n: 1 << 32}, nil
		}
		return blockRun{}, errorf(linux.EOPNOTSUPP, "inode %d is block-mapped (no extents); only extent-mapped files are supported", in.ino)
	}
	le := binary.LittleEndian
	node := in.iblock[:]
	what := fmt.Sprintf("extent tree of inode %d", in.ino)
	h, err := parseExtentHeader(node, what)
	if err != nil {
		return blockRun{}, err
	}
	end := uint64(1) << 32 // the first logical block past this subtree
	for {
		// Find the last entry whose first block is <= lblk.
		i := int(h.entries) - 1
		for i >= 0 && le.Uint32(node[extentHdrSize+extentSize*i:]) > lblk {
			i--
		}
		if i+1 < int(h.entries) {
			next := uint64(le.Uint32(node[extentHdrSize+extentSize*(i+1):]))
			if next < end {
				end = next
			}
		}
		if h.depth == 0 {
			if i < 0 {
				return blockRun{kind: runHole, n: end - uint64(lblk)}, nil
			}
			e := node[extentHdrSize+extentSize*i:]
			first := le.Uint32(e[0:])
			n := uint32(le.Uint16(e[4:]))
			kind := runData
			if n > initMaxLen {
				kind, n = runUnwritten, n-initMaxLen
			}
			start := uint64(le.Uint16(e[6:]))<<32 | uint64(le.Uint32(e[8:]))
			if n == 0 || uint64(first)+uint64(n) > end || start < uint64(f.sb.firstDataBlock) || start+uint64(n) > f.sb.blocksCount {
				return blockRun{}, corrupt("%s: extent of %d blocks at %d maps to block %d", what, n, first, start)
			}
			if uint64(lblk) >= uint64(first)+uint64(n) {
				return blockRun{kind: runHole, n: end - uint64(lblk)}, nil
			}
			off := uint64(lblk - first)
			return blockRun{kind: kind, phys: start + off, n: uint64(n) - off}, nil
		}
		if i < 0 {
			// Below the first index entry: Linux's trees never leave
			// such a gap, but it reads as a hole.
			return blockRun{kind: runHole, n: end - uint64(lblk)}, nil
		}
		e := node[extentHdrSize+extentSize*i:]
		child := uint64(le.Uint16(e[8:]))<<32 | uint64(le.Uint32(e[4:]))
		node, h, err = f.extentBlock(in, child, h.depth-1)
		if err != nil {
			return blockRun{}, err
		}
	}
}

// extentBlock reads and checks the extent tree block nr of in, which must
// be a node at depth.
func (f *FS) extentBlock(in *inode, nr uint64, depth uint16) ([]byte, extentHeader, error) {
	what := fmt.Sprintf("extent block %d of inode %d", nr, in.ino)
	if nr < uint64(f.sb.firstDataBlock) || nr >= f.sb.blocksCount {
		return nil, extentHeader{}, corrupt("%s: outside the file system", what)
	}
	b, err := f.cache.get(nr)
	if err != nil {
		return nil, extentHeader{}, err
	}
	key := keyFor(kindExtent, in.ino)
	h, err := parseExtentHeader(b.data[:len(b.data)-4], what)
	if err != nil {
		return nil, h, err
	}
	if h.depth != depth {
		return nil, h, corrupt("%s: depth %d, want %d", what, h.depth, depth)
	}
	if !f.cache.isVerified(b, key) {
		if err := f.checkExtentNode(in, b.data, h, what); err != nil {
			return nil, h, err
		}
		f.cache.markVerified(b, key)
	}
	return b.data, h, nil
}

// checkExtentNode verifies a tree block's checksum tail (checksums.rst,
// "extent tree": crc32c(inode seed, the header and all eh_max entries))
// and that its entries are in increasing order.
func (f *FS) checkExtentNode(in *inode, data []byte, h extentHeader, what string) error {
	le := binary.LittleEndian
	if f.sb.metadataCsum() {
		tail := extentHdrSize + extentSize*int(h.max)
		stored := le.Uint32(data[tail:])
		if c := crc32c(in.csumSeed, data[:tail]); c != stored {
			return badCsum(what, stored, c)
		}
	}
	for i := 1; i < int(h.entries); i++ {
		if le.Uint32(data[extentHdrSize+extentSize*i:]) <= le.Uint32(data[extentHdrSize+extentSize*(i-1):]) {
			return corrupt("%s: entries %d and %d are out of order", what, i-1, i)
		}
	}
	return nil
}
