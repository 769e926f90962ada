package ext4

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// Changing extent trees (ifork.rst "Extent Tree"): inserting extents,
// merging them with their neighbours, splitting full nodes, growing the
// tree's depth, and removing everything from a logical block on.

// enode is one extent tree node: the root in i_block (nr 0) or a block.
type enode struct {
	nr uint64
	b  []byte
}

func (n enode) entries() int     { return int(binary.LittleEndian.Uint16(n.b[2:])) }
func (n enode) max() int         { return int(binary.LittleEndian.Uint16(n.b[4:])) }
func (n enode) depth() int       { return int(binary.LittleEndian.Uint16(n.b[6:])) }
func (n enode) setEntries(v int) { binary.LittleEndian.PutUint16(n.b[2:], uint16(v)) }
func (n enode) entry(i int) []byte {
	return n.b[extentHdrSize+extentSize*i : extentHdrSize+extentSize*(i+1)]
}
func (n enode) key(i int) uint32 { return binary.LittleEndian.Uint32(n.entry(i)) }

// leafExt is a decoded leaf entry: len counts blocks, unwritten apart.
type leafExt struct {
	lblk      uint32
	len       uint32
	phys      uint64
	unwritten bool
}

func decodeLeaf(e []byte) leafExt {
	le := binary.LittleEndian
	x := leafExt{lblk: le.Uint32(e[0:]), len: uint32(le.Uint16(e[4:])),
		phys: uint64(le.Uint16(e[6:]))<<32 | uint64(le.Uint32(e[8:]))}
	if x.len > initMaxLen {
		x.len -= initMaxLen
		x.unwritten = true
	}
	return x
}

func encodeLeaf(e []byte, x leafExt) {
	le := binary.LittleEndian
	n := x.len
	if x.unwritten {
		n += initMaxLen
	}
	le.PutUint32(e[0:], x.lblk)
	le.PutUint16(e[4:], uint16(n))
	le.PutUint16(e[6:], uint16(x.phys>>32))
	le.PutUint32(e[8:], uint32(x.phys))
}

func encodeIndex(e []byte, lblk uint32, child uint64) {
	le := binary.LittleEndian
	le.PutUint32(e[0:], lblk)
	le.PutUint32(e[4:], uint32(child))
	le.PutUint16(e[8:], uint16(child>>32))
	le.PutUint16(e[10:], 0)
}

func indexChild(e []byte) uint64 {
	le := binary.LittleEndian
	return uint64(le.Uint16(e[8:]))<<32 | uint64(le.Uint32(e[4:]))
}

// initNode writes the header of an empty node of depth in b, which is a
// tree block (its tail holds the checksum).
func initNode(b []byte, depth int) {
	le := binary.LittleEndian
	le.PutUint16(b[0:], extentMagic)
	le.PutUint16(b[2:], 0)
	le.PutUint16(b[4:], uint16((len(b)-extentHdrSize-4)/extentSize))
	le.PutUint16(b[6:], uint16(depth))
}

// pathElem is a node on the way from the root to a leaf, and the entry
// taken in it: the last one whose key is at most the block looked for,
// or -1 in a leaf where every key is larger (0 in an index node).
type pathElem struct {
	n enode
	i int
}

// extentOp is one change of in's extent tree: the nodes it changed get
// new checksums at the end.
type extentOp struct {
	t       *tx
	in      *inode
	touched map[uint64][]byte
	// pool holds the blocks allocated up front for the nodes an
	// insertion creates, so that it cannot fail half way.
	pool []uint64
}

func (t *tx) extentOp(in *inode) *extentOp {
	return &extentOp{t: t, in: in, touched: map[uint64][]byte{}}
}

// node returns tree block nr, checked, in the running transaction.
func (op *extentOp) node(nr uint64, depth int) (enode, error) {
	if _, _, err := op.t.f.extentBlock(op.in, nr, uint16(depth)); err != nil {
		return enode{}, err
	}
	b, err := op.t.modify(nr)
	if err != nil {
		return enode{}, err
	}
	op.touched[nr] = b
	return enode{nr: nr, b: b}, nil
}

// finish stores the checksums of the changed blocks (checksums.rst,
// extent tree: crc32c(inode seed, the node up to the tail)).
func (op *extentOp) finish() {
	f := op.t.f
	if !f.sb.metadataCsum() {
		return
	}
	for _, b := range op.touched {
		n := enode{b: b}
		tail := extentHdrSize + extentSize*n.max()
		binary.LittleEndian.PutUint32(b[tail:], crc32c(op.in.csumSeed, b[:tail]))
	}
}

// root returns the inode's root node after checking its header.
func (op *extentOp) root() (enode, error) {
	n := enode{b: op.in.iblock[:]}
	if _, err := parseExtentHeader(n.b, "extent tree of inode"); err != nil {
		return enode{}, err
	}
	return n, nil
}

// path walks from the root to the leaf for lblk, taking every block on
// the way into the transaction.
func (op *extentOp) path(lblk uint32) ([]pathElem, error) {
	n, err := op.root()
	if err != nil {
		return nil, err
	}
	var path []pathElem
	for {
		i := n.entries() - 1
		for i >= 0 && n.key(i) > lblk {
			i--
		}
		if n.depth() == 0 {
			return append(path, pathElem{n, i}), nil
		}
		if i < 0 {
			i = 0
		}
		if n.entries() == 0 {
			return nil, corrupt("inode %d: empty extent index node %d", op.in.ino, n.nr)
		}
		path = append(path, pathElem{n, i})
		if n, err = op.node(indexChild(n.entry(i)), n.depth()-1); err != nil {
			return nil, err
		}
	}
}

// newNode allocates a tree block near goal as an empty node of depth.
func (op *extentOp) newNode(goal uint64, depth int) (enode, error) {
	if len(op.pool) == 0 {
		return enode{}, errorf(linux.EIO, "inode %d: extent tree node needed beyond the reservation", op.in.ino)
	}
	nr := op.pool[0]
	op.pool = op.pool[1:]
	op.in.blocks += uint64(op.t.f.sb.blockSize / 512)
	b := op.t.zeroBlock(nr)
	initNode(b, depth)
	op.touched[nr] = b
	return enode{nr: nr, b: b}, nil
}

// fixKeys makes the index entries above path[lvl] start at its node's
// first key, as far up as the node is its parent's first child.
func fixKeys(path []pathElem, lvl int) {
	for l := lvl; l > 0; l-- {
		n, parent := path[l].n, path[l-1]
		if n.entries() == 0 {
			return
		}
		binary.LittleEndian.PutUint32(parent.n.entry(parent.i), n.key(0))
		if parent.i != 0 {
			return
		}
	}
}

// insertAt inserts the 12-byte entry e at pos in path[lvl]'s node,
// splitting it (and its ancestors) or growing the tree when it is full.
func (op *extentOp) insertAt(path []pathElem, lvl, pos int, e []byte) error {
	n := path[lvl].n
	if cnt := n.entries(); cnt < n.max() {
		copy(n.b[extentHdrSize+extentSize*(pos+1):], n.b[extentHdrSize+extentSize*pos:extentHdrSize+extentSize*cnt])
		copy(n.entry(pos), e)
		n.setEntries(cnt + 1)
		if pos == 0 {
			fixKeys(path, lvl)
		}
		return nil
	}
	if lvl == 0 {
		grown, err := op.grow(path)
		if err != nil {
			return err
		}
		return op.insertAt(grown, 1, pos, e)
	}
	if n.depth() >= maxExtentDepth {
		return errorf(linux.EFBIG, "inode %d: extent tree too deep", op.in.ino)
	}
	// Split: an append starts a new, empty node (sequential writes
	// fill nodes); anything else moves the upper half across.
	nn, err := op.newNode(n.nr, n.depth())
	if err != nil {
		return err
	}
	cnt := n.entries()
	mid := cnt
	if pos < cnt {
		mid = cnt / 2
	}
	copy(nn.b[extentHdrSize:], n.b[extentHdrSize+extentSize*mid:extentHdrSize+extentSize*cnt])
	nn.setEntries(cnt - mid)
	n.setEntries(mid)
	target, tpos := n, pos
	if pos > mid || (pos == mid && pos == cnt) {
		target, tpos = nn, pos-mid
	}
	tc := target.entries()
	copy(target.b[extentHdrSize+extentSize*(tpos+1):], target.b[extentHdrSize+extentSize*tpos:extentHdrSize+extentSize*tc])
	copy(target.entry(tpos), e)
	target.setEntries(tc + 1)
	if target.nr == n.nr && tpos == 0 {
		fixKeys(path, lvl)
	}
	idx := make([]byte, extentSize)
	encodeIndex(idx, nn.key(0), nn.nr)
	return op.insertAt(path, lvl-1, path[lvl-1].i+1, idx)
}

// grow moves the root's entries into a new block and makes the root an
// index node of one entry above it (the tree grows one level); it
// returns the path through the new level.
func (op *extentOp) grow(path []pathElem) ([]pathElem, error) {
	root := path[0].n
	if root.depth() >= maxExtentDepth {
		return nil, errorf(linux.EFBIG, "inode %d: extent tree too deep", op.in.ino)
	}
	f := op.t.f
	goal := f.groupStart((op.in.ino - 1) / f.sb.inodesPerGroup)
	nn, err := op.newNode(goal, root.depth())
	if err != nil {
		return nil, err
	}
	cnt := root.entries()
	copy(nn.b[extentHdrSize:], root.b[extentHdrSize:extentHdrSize+extentSize*cnt])
	nn.setEntries(cnt)
	le := binary.LittleEndian
	le.PutUint16(root.b[6:], uint16(root.depth()+1))
	root.setEntries(1)
	key := uint32(0)
	if cnt > 0 {
		key = nn.key(0)
	}
	encodeIndex(root.entry(0), key, nn.nr)
	grown := append([]pathElem{{root, 0}, {nn, path[0].i}}, path[1:]...)
	return grown, nil
}

// insertExtent maps cnt blocks from lblk to phys (initialized) in the
// tree, extending a neighbouring extent when they are contiguous.
func (op *extentOp) insertExtent(lblk uint32, phys uint64, cnt uint32) error {
	path, err := op.path(lblk)
	if err != nil {
		return err
	}
	lvl := len(path) - 1
	leaf := path[lvl]
	if leaf.i >= 0 {
		prev := decodeLeaf(leaf.n.entry(leaf.i))
		if !prev.unwritten && prev.lblk+prev.len == lblk && prev.phys+uint64(prev.len) == phys && prev.len+cnt <= initMaxLen {
			prev.len += cnt
			encodeLeaf(leaf.n.entry(leaf.i), prev)
			return nil
		}
	}
	pos := leaf.i + 1
	if pos < leaf.n.entries() {
		next := decodeLeaf(leaf.n.entry(pos))
		if !next.unwritten && lblk+cnt == next.lblk && phys+uint64(cnt) == next.phys && next.len+cnt <= initMaxLen {
			next.lblk, next.phys, next.len = lblk, phys, next.len+cnt
			encodeLeaf(leaf.n.entry(pos), next)
			if pos == 0 {
				path[lvl].i = 0
				fixKeys(path, lvl)
			}
			return nil
		}
	}
	// Every full node from the leaf up splits (the root grows): one
	// new block each, reserved before anything changes.
	need := 0
	for l := lvl; l >= 0 && path[l].n.entries() == path[l].n.max(); l-- {
		need++
	}
	goal := op.t.f.groupStart((op.in.ino - 1) / op.t.f.sb.inodesPerGroup)
	if leaf.n.nr != 0 {
		goal = leaf.n.nr
	}
	for range need {
		nr, _, err := op.t.allocBlocks(goal, 1)
		if err != nil {
			for _, b := range op.pool {
				op.t.freeBlocks(b, 1)
			}
			op.pool = nil
			return err
		}
		op.pool = append(op.pool, nr)
	}
	e := make([]byte, extentSize)
	encodeLeaf(e, leafExt{lblk: lblk, len: cnt, phys: phys})
	return op.insertAt(path, lvl, pos, e)
}

// goal returns where to look for blocks for lblk: after the physical
// block that the extent before lblk maps to lblk, or the start of the
// inode's group (Linux's ext4_ext_find_goal).
func (f *FS) goal(in *inode, lblk uint32) uint64 {
	if lblk > 0 {
		if run, err := f.mapBlock(in, lblk-1); err == nil && run.kind == runData {
			return run.phys + 1
		}
	}
	return f.groupStart((in.ino - 1) / f.sb.inodesPerGroup)
}

// mapBlocks maps logical block lblk of in and up to n blocks after it to
// one physical run. Without allocate a hole or an unwritten extent
// gives pblk 0. With allocate a hole is filled with newly allocated
// (not zeroed) blocks and an unwritten extent is zeroed on the device
// and marked written; the inode (i_blocks, i_block) is written into the
// transaction. got may be less than n.
func (t *tx) mapBlocks(in *inode, lblk uint32, n int, allocate bool) (uint64, int, error) {
	f := t.f
	if n <= 0 {
		return 0, 0, errorf(linux.EINVAL, "mapping %d blocks", n)
	}
	if in.flags&flagExtents == 0 {
		if !allocate && in.size == 0 {
			return 0, n, nil
		}
		return 0, 0, errorf(linux.EOPNOTSUPP, "inode %d is block-mapped (no extents): not supported", in.ino)
	}
	run, err := f.mapBlock(in, lblk)
	if err != nil {
		return 0, 0, err
	}
	got := int(min(uint64(n), run.n))
	switch {
	case run.kind == runData:
		return run.phys, got, nil
	case !allocate:
		return 0, got, nil
	case run.kind == runUnwritten:
		if err := t.writeUnwritten(in, lblk); err != nil {
			return 0, 0, err
		}
		return run.phys, got, nil
	}
	if uint64(lblk)+uint64(got) > 1<<32-1 {
		return 0, 0, errorf(linux.EFBIG, "inode %d: logical block %d past the extent limit", in.ino, lblk)
	}
	got = min(got, initMaxLen)
	phys, got, err := t.allocBlocks(f.goal(in, lblk), got)
	if err != nil {
		return 0, 0, err
	}
	op := t.extentOp(in)
	saved := in.iblock
	savedBlocks := in.blocks
	if err := op.insertExtent(lblk, phys, uint32(got)); err != nil {
		// The tree could not take the extent (no block for a new
		// node): give the data blocks back.
		op.finish()
		in.iblock, in.blocks = saved, savedBlocks
		t.freeBlocks(phys, got)
		return 0, 0, err
	}
	op.finish()
	in.blocks += uint64(got) * uint64(f.sb.blockSize/512)
	if err := t.writeInode(in); err != nil {
		return 0, 0, err
	}
	return phys, got, nil
}

// writeUnwritten turns the unwritten extent that holds lblk into a
// written one, after zeroing its blocks on the device (they read as
// zeros before; a partial write must not expose what they held).
func (t *tx) writeUnwritten(in *inode, lblk uint32) error {
	f := t.f
	op := t.extentOp(in)
	path, err := op.path(lblk)
	if err != nil {
		return err
	}
	leaf := path[len(path)-1]
	if leaf.i < 0 {
		return corrupt("inode %d: no extent for block %d", in.ino, lblk)
	}
	x := decodeLeaf(leaf.n.entry(leaf.i))
	if !x.unwritten {
		return nil
	}
	if err := f.zeroData(x.phys, uint64(x.len)); err != nil {
		return err
	}
	x.unwritten = false
	encodeLeaf(leaf.n.entry(leaf.i), x)
	op.finish()
	return t.writeInode(in)
}

// zeroData writes n zero blocks from block phys to the device.
func (f *FS) zeroData(phys, n uint64) error {
	bs := uint64(f.sb.blockSize)
	zeros := make([]byte, min(n, 256)*bs)
	for n > 0 {
		k := min(n, 256)
		if _, err := f.dev.WriteAt(zeros[:k*bs], int64(phys*bs)); err != nil {
			return ioError(err, "zeroing block %d", phys)
		}
		phys += k
		n -= k
	}
	return nil
}

// truncateBlocks frees every block of in from logical block from on:
// extents past it are removed, the one across it is shortened, and
// tree nodes that become empty are freed. An empty tree becomes an empty
// root again. The inode is written into the transaction.
func (t *tx) truncateBlocks(in *inode, from uint32) error {
	if in.flags&flagExtents == 0 {
		if in.blocks == 0 {
			return nil
		}
		return errorf(linux.EOPNOTSUPP, "inode %d is block-mapped (no extents): not supported", in.ino)
	}
	op := t.extentOp(in)
	root, err := op.root()
	if err != nil {
		return err
	}
	empty, err := op.truncNode(root, from)
	op.finish()
	if err != nil {
		t.writeInode(in)
		return err
	}
	if empty && root.depth() > 0 {
		initExtentRoot(in.iblock[:])
	}
	return t.writeInode(in)
}

// truncNode removes what node n maps from from on and reports whether
// n is left empty.
func (op *extentOp) truncNode(n enode, from uint32) (bool, error) {
	t := op.t
	sectors := uint64(t.f.sb.blockSize / 512)
	if n.depth() == 0 {
		for i := n.entries() - 1; i >= 0; i-- {
			x := decodeLeaf(n.entry(i))
			if x.lblk+x.len <= from {
				break
			}
			keep := uint32(0)
			if x.lblk < from {
				keep = from - x.lblk
			}
			if err := t.freeBlocks(x.phys+uint64(keep), int(x.len-keep)); err != nil {
				return false, err
			}
			op.in.blocks -= uint64(x.len-keep) * sectors
			if keep > 0 {
				x.len = keep
				encodeLeaf(n.entry(i), x)
				break
			}
			n.setEntries(i)
		}
		return n.entries() == 0, nil
	}
	for i := n.entries() - 1; i >= 0; i-- {
		child := indexChild(n.entry(i))
		if n.key(i) >= from {
			// All of the subtree goes: it is read, not journalled.
			if err := op.freeSubtree(child, n.depth()-1); err != nil {
				return false, err
			}
			n.setEntries(i)
			continue
		}
		c, err := op.node(child, n.depth()-1)
		if err != nil {
			return false, err
		}
		empty, err := op.truncNode(c, from)
		if err != nil {
			return false, err
		}
		if !empty {
			break
		}
		delete(op.touched, child)
		if err := t.freeBlocks(child, 1); err != nil {
			return false, err
		}
		op.in.blocks -= sectors
		n.setEntries(i)
		// This child's key is before from: the ones before it hold
		// nothing from from on.
		break
	}
	return n.entries() == 0, nil
}

// freeSubtree frees every block that tree block nr (a node at depth)
// maps, its descendants, and nr itself.
func (op *extentOp) freeSubtree(nr uint64, depth int) error {
	t := op.t
	sectors := uint64(t.f.sb.blockSize / 512)
	data, h, err := t.f.extentBlock(op.in, nr, uint16(depth))
	if err != nil {
		return err
	}
	n := enode{nr: nr, b: data}
	for i := range int(h.entries) {
		if depth == 0 {
			x := decodeLeaf(n.entry(i))
			if err := t.freeBlocks(x.phys, int(x.len)); err != nil {
				return err
			}
			op.in.blocks -= uint64(x.len) * sectors
		} else if err := op.freeSubtree(indexChild(n.entry(i)), depth-1); err != nil {
			return err
		}
	}
	if err := t.freeBlocks(nr, 1); err != nil {
		return err
	}
	op.in.blocks -= sectors
	return nil
}
