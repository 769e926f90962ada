package ext4

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// Adding and removing directory entries, over linear directories and
// htrees (directory.rst "Linear (Classic) Directories", "Hash Tree
// Directories"). The algorithms see a directory only through dirBlocks,
// so the host tests can run them on blocks in memory; the file system
// gives them the blocks of the running transaction (namei.go).

// dirBlocks is a directory's blocks, as the algorithms below use them.
type dirBlocks interface {
	// count is the number of blocks (i_size / block size).
	count() uint32
	// read returns block lblk to look at (nil for a hole).
	read(lblk uint32) ([]byte, error)
	// write returns block lblk to change; the caller seals it.
	write(lblk uint32) ([]byte, error)
	// grow adds a block at the end and returns it, zeroed.
	grow() (uint32, []byte, error)
	// indexed says whether the directory is an htree
	// (EXT4_INDEX_FL); setIndexed makes it one.
	indexed() bool
	setIndexed()
}

// dirFormat is what the algorithms need to know of the file system and
// the directory's inode.
type dirFormat struct {
	bs       int
	csum     bool      // metadata_csum: leaf tails and dx tails
	seed     uint32    // the inode's checksum seed
	dirIndex bool      // dir_index: a directory that outgrows a block becomes an htree
	defHash  uint8     // s_def_hash_version, for new htrees
	unsigned bool      // s_flags: unsigned hash variants
	hashSeed [4]uint32 // s_hash_seed
	ino      uint32    // the directory's inode number
}

// dirEditor changes one directory.
type dirEditor struct {
	fm dirFormat
	d  dirBlocks
}

func (e *dirEditor) end() int { return leafEnd(e.fm.bs, e.fm.csum) }

func (e *dirEditor) sealLeaf(b []byte) {
	if e.fm.csum {
		sealLeaf(b, e.fm.seed)
	}
}

func (e *dirEditor) sealDx(a dxArray) {
	if e.fm.csum {
		sealDx(a.data, a.countOff, e.fm.seed)
	}
}

// isDxNode reports whether block b (not block 0) of an htree is an
// interior node: its first entry is unused, spans the block and has no
// name (an emptied leaf keeps its first entry's name length).
func isDxNode(b []byte) bool {
	le := binary.LittleEndian
	return le.Uint32(b) == 0 && recLen(le.Uint16(b[4:]), len(b)) == len(b) && b[6] == 0
}

// hasher returns the hash function of the htree whose root is root.
func (e *dirEditor) hasher(root []byte) func([]byte) uint32 {
	v := int(root[28])
	if e.fm.unsigned && v <= hashTea {
		v += hashLegacyUnsigned
	}
	return func(name []byte) uint32 {
		h, _ := dirHash(name, v, e.fm.hashSeed)
		return h
	}
}

// add inserts an entry name -> ino of type ft. The caller has checked
// that the name is not there.
func (e *dirEditor) add(name []byte, ino uint32, ft uint8) error {
	if e.d.indexed() {
		return e.dxAdd(name, ino, ft)
	}
	end := e.end()
	n := e.d.count()
	for lblk := uint32(0); lblk < n; lblk++ {
		b, err := e.d.read(lblk)
		if err != nil {
			return err
		}
		if b == nil || !leafHasRoom(b, end, len(name)) {
			continue
		}
		if b, err = e.d.write(lblk); err != nil {
			return err
		}
		leafInsert(b, end, ino, ft, name)
		e.sealLeaf(b)
		return nil
	}
	// Linux turns a full one-block directory into an htree
	// (make_indexed_dir) and grows bigger linear ones by a block.
	if n == 1 && e.fm.dirIndex {
		if err := e.makeIndexed(); err != nil {
			return err
		}
		return e.dxAdd(name, ino, ft)
	}
	_, b, err := e.d.grow()
	if err != nil {
		return err
	}
	initLeaf(b, e.fm.csum)
	leafInsert(b, end, ino, ft, name)
	e.sealLeaf(b)
	return nil
}

// makeIndexed turns a one-block linear directory into an htree: its
// entries but "." and ".." move to a new block 1, the only leaf, and
// block 0 becomes the dx_root pointing to it.
func (e *dirEditor) makeIndexed() error {
	b0, err := e.d.write(0)
	if err != nil {
		return err
	}
	end := e.end()
	entries := leafEntries(b0, end)
	if len(entries) < 2 || string(entries[0].name) != "." || string(entries[1].name) != ".." {
		return corrupt("directory inode %d: block 0 does not start with \".\" and \"..\"", e.fm.ino)
	}
	lblk, b1, err := e.d.grow()
	if err != nil {
		return err
	}
	initLeaf(b1, e.fm.csum)
	fillLeaf(b1, end, entries[2:])
	e.sealLeaf(b1)
	v := e.fm.defHash
	if v > hashTea {
		v = hashHalfMD4
	}
	e.sealDx(initDxRoot(b0, e.fm.csum, entries[0].ino, entries[1].ino, entries[0].ftype, v, lblk))
	e.d.setIndexed()
	return nil
}

// dxLevel is one index block on the path to a leaf.
type dxLevel struct {
	lblk uint32
	a    dxArray
	at   int
}

// dxProbe hashes name as the htree does and walks from the root to the
// leaf whose range holds the hash. The blocks in the path are the read
// copies.
func (e *dirEditor) dxProbe(name []byte) (path []dxLevel, hash uint32, hf func([]byte) uint32, err error) {
	root, err := e.d.read(0)
	if err != nil {
		return nil, 0, nil, err
	}
	if root == nil {
		return nil, 0, nil, corrupt("htree directory inode %d has no root block", e.fm.ino)
	}
	hf = e.hasher(root)
	hash = hf(name)
	levels := int(root[30]) + 1
	if levels > dxMaxLevels {
		return nil, 0, nil, corrupt("htree directory inode %d has %d indirect levels", e.fm.ino, levels-1)
	}
	path = []dxLevel{{lblk: 0, a: dxArray{root, dxRootCountOff}}}
	for {
		l := &path[len(path)-1]
		l.at = dxSearch(l.a, hash)
		if len(path) == levels {
			return path, hash, hf, nil
		}
		blk := l.a.block(l.at)
		b, err := e.d.read(blk)
		if err != nil {
			return nil, 0, nil, err
		}
		if b == nil || blk == 0 || blk >= e.d.count() || !isDxNode(b) {
			return nil, 0, nil, corrupt("htree directory inode %d: block %d is not an index node", e.fm.ino, blk)
		}
		path = append(path, dxLevel{lblk: blk, a: dxArray{b, dxNodeCountOff}})
	}
}

// leafOf is the leaf block the deepest level of path points to.
func leafOf(path []dxLevel) uint32 {
	l := path[len(path)-1]
	return l.a.block(l.at)
}

// writeLevel makes level l of path writable.
func (e *dirEditor) writeLevel(l *dxLevel) error {
	b, err := e.d.write(l.lblk)
	if err != nil {
		return err
	}
	l.a.data = b
	return nil
}

// dxAdd inserts into the leaf of the name's hash, splitting the leaf when
// it is full, and the index node above it when that is full too (Linux's
// ext4_dx_add_entry). With one level of nodes under a full root the
// directory cannot grow: that needs large_dir (a third level), which
// this package does not do, so it is ENOSPC, as in Linux without it.
func (e *dirEditor) dxAdd(name []byte, ino uint32, ft uint8) error {
	path, hash, hf, err := e.dxProbe(name)
	if err != nil {
		return err
	}
	end := e.end()
	lblk := leafOf(path)
	if lblk == 0 || lblk >= e.d.count() {
		return corrupt("htree directory inode %d: index points to block %d of %d", e.fm.ino, lblk, e.d.count())
	}
	leaf, err := e.d.read(lblk)
	if err != nil {
		return err
	}
	if leaf == nil || isDxNode(leaf) {
		return corrupt("htree directory inode %d: block %d is not a leaf", e.fm.ino, lblk)
	}
	if leafHasRoom(leaf, end, len(name)) {
		if leaf, err = e.d.write(lblk); err != nil {
			return err
		}
		leafInsert(leaf, end, ino, ft, name)
		e.sealLeaf(leaf)
		return nil
	}
	// The leaf splits: its parent needs a free slot for the new leaf.
	if path, err = e.makeRoom(path); err != nil {
		return err
	}
	for i := range path {
		if err := e.writeLevel(&path[i]); err != nil {
			return err
		}
	}
	if leaf, err = e.d.write(lblk); err != nil {
		return err
	}
	newBlk, nb, err := e.d.grow()
	if err != nil {
		return err
	}
	initLeaf(nb, e.fm.csum)
	split := splitLeaf(leaf, nb, end, hf)
	l := &path[len(path)-1]
	l.a.insertAfter(l.at, split, newBlk)
	e.sealDx(l.a)
	dst := leaf
	if hash >= split&^1 {
		dst = nb
	}
	ok := leafInsert(dst, end, ino, ft, name)
	e.sealLeaf(leaf)
	e.sealLeaf(nb)
	if !ok {
		return corrupt("htree directory inode %d: no room for a %d-byte name after a split", e.fm.ino, len(name))
	}
	return nil
}

// makeRoom makes sure the deepest index block of path has a free slot:
// a full root without nodes moves its entries into a new node under it
// (indirect_levels 0 -> 1); a full node splits in two halves, the upper
// half under a new entry in the root. It returns the path to the same
// leaf.
func (e *dirEditor) makeRoom(path []dxLevel) ([]dxLevel, error) {
	last := &path[len(path)-1]
	if last.a.count() < last.a.limit() {
		return path, nil
	}
	if len(path) == 1 {
		if err := e.writeLevel(last); err != nil {
			return nil, err
		}
		blk, nb, err := e.d.grow()
		if err != nil {
			return nil, err
		}
		node := initDxNode(nb, e.fm.csum, 0)
		last.a.moveUpper(0, node)
		last.a.setCount(1)
		last.a.set(0, 0, blk)
		last.a.data[30] = 1 // indirect_levels
		at := last.at
		last.at = 0
		e.sealDx(last.a)
		e.sealDx(node)
		return append(path, dxLevel{lblk: blk, a: node, at: at}), nil
	}
	parent := &path[len(path)-2]
	if parent.a.count() >= parent.a.limit() {
		return nil, errorf(linux.ENOSPC, "htree directory inode %d is full: a third index level needs the large_dir feature", e.fm.ino)
	}
	if err := e.writeLevel(parent); err != nil {
		return nil, err
	}
	if err := e.writeLevel(last); err != nil {
		return nil, err
	}
	blk, nb, err := e.d.grow()
	if err != nil {
		return nil, err
	}
	old := last.a
	node := initDxNode(nb, e.fm.csum, 0)
	half := old.count() / 2
	key := old.moveUpper(half, node)
	parent.a.insertAfter(parent.at, key, blk)
	e.sealDx(parent.a)
	e.sealDx(old)
	e.sealDx(node)
	if last.at >= half {
		parent.at++
		*last = dxLevel{lblk: blk, a: node, at: last.at - half}
	}
	return path, nil
}

// entryLoc is where an entry is: its block and offset, and the record
// before it in the block (-1 if none).
type entryLoc struct {
	lblk      uint32
	off, prev int
	ino       uint32
	ft        uint8
}

// find locates name: in an htree, in the leaf of its hash and the leaves
// after it while the run of its hash continues; in a linear directory,
// in every block.
func (e *dirEditor) find(name []byte) (entryLoc, bool, error) {
	end := e.end()
	look := func(lblk uint32) (entryLoc, bool, error) {
		b, err := e.d.read(lblk)
		if err != nil || b == nil {
			return entryLoc{}, false, err
		}
		off, prev, ok := leafFind(b, end, name)
		if !ok {
			return entryLoc{}, false, nil
		}
		return entryLoc{lblk: lblk, off: off, prev: prev, ino: binary.LittleEndian.Uint32(b[off:]), ft: b[off+7]}, true, nil
	}
	if !e.d.indexed() {
		for lblk := uint32(0); lblk < e.d.count(); lblk++ {
			if loc, ok, err := look(lblk); ok || err != nil {
				return loc, ok, err
			}
		}
		return entryLoc{}, false, nil
	}
	path, hash, _, err := e.dxProbe(name)
	if err != nil {
		return entryLoc{}, false, err
	}
	for {
		if loc, ok, err := look(leafOf(path)); ok || err != nil {
			return loc, ok, err
		}
		// The next leaf, if its range starts with this hash (bit 0 set:
		// the run continues).
		i := len(path) - 1
		for i >= 0 && path[i].at+1 >= path[i].a.count() {
			i--
		}
		if i < 0 {
			return entryLoc{}, false, nil
		}
		path[i].at++
		if path[i].a.hash(path[i].at)&^1 != hash {
			return entryLoc{}, false, nil
		}
		for j := i + 1; j < len(path); j++ {
			blk := path[j-1].a.block(path[j-1].at)
			b, err := e.d.read(blk)
			if err != nil {
				return entryLoc{}, false, err
			}
			if b == nil || !isDxNode(b) {
				return entryLoc{}, false, corrupt("htree directory inode %d: block %d is not an index node", e.fm.ino, blk)
			}
			path[j] = dxLevel{lblk: blk, a: dxArray{b, dxNodeCountOff}, at: 0}
		}
	}
}

// remove deletes the entry at loc.
func (e *dirEditor) remove(loc entryLoc) error {
	b, err := e.d.write(loc.lblk)
	if err != nil {
		return err
	}
	leafDelete(b, loc.off, loc.prev)
	e.sealLeaf(b)
	return nil
}

// retarget makes the entry at loc name ino of type ft (rename over an
// existing name, Linux's ext4_setent).
func (e *dirEditor) retarget(loc entryLoc, ino uint32, ft uint8) error {
	b, err := e.d.write(loc.lblk)
	if err != nil {
		return err
	}
	binary.LittleEndian.PutUint32(b[loc.off:], ino)
	b[loc.off+7] = ft
	e.sealLeaf(b)
	return nil
}

// setDotDot makes ".." (the second entry of block 0, in a linear
// directory and in an htree root) name parent.
func (e *dirEditor) setDotDot(parent uint32) error {
	b, err := e.d.write(0)
	if err != nil {
		return err
	}
	if b[20] != '.' || b[21] != '.' || b[18] != 2 {
		return corrupt("directory inode %d: no \"..\" in block 0", e.fm.ino)
	}
	binary.LittleEndian.PutUint32(b[12:], parent)
	if e.d.indexed() {
		e.sealDx(dxArray{b, dxRootCountOff})
	} else {
		e.sealLeaf(b)
	}
	return nil
}

// parent returns the inode that ".." names.
func (e *dirEditor) parent() (uint32, error) {
	b, err := e.d.read(0)
	if err != nil {
		return 0, err
	}
	if b == nil || b[20] != '.' || b[21] != '.' || b[18] != 2 {
		return 0, corrupt("directory inode %d: no \"..\" in block 0", e.fm.ino)
	}
	return binary.LittleEndian.Uint32(b[12:]), nil
}

// empty reports whether the directory has no entries but "." and "..".
func (e *dirEditor) empty() (bool, error) {
	end := e.end()
	for lblk := uint32(0); lblk < e.d.count(); lblk++ {
		b, err := e.d.read(lblk)
		if err != nil {
			return false, err
		}
		if b == nil || e.d.indexed() && (lblk == 0 || isDxNode(b)) {
			continue
		}
		for _, en := range leafEntries(b, end) {
			if n := string(en.name); lblk != 0 || n != "." && n != ".." {
				return false, nil
			}
		}
	}
	return true, nil
}
