package ext4

import "encoding/binary"

// Changing htree index blocks (directory.rst "Hash Tree Directories":
// dx_root, dx_node, dx_entry, dx_tail). Like dirleaf.go these work on a
// block's bytes alone. countOff is where the entry array starts: 32 in
// the root, 8 in a node; its first slot holds limit and count instead of
// a hash, then the logical block of entry 0.

// dxLimit is the number of dx_entry slots of an index block: the block
// after countOff, less the dx_tail with metadata_csum.
func dxLimit(bs, countOff int, csum bool) int {
	tail := 0
	if csum {
		tail = dxTailSize
	}
	return (bs - countOff - tail) / dxEntrySize
}

// dxArray is the dx_entry array of one index block.
type dxArray struct {
	data     []byte
	countOff int
}

func (a dxArray) limit() int { return int(binary.LittleEndian.Uint16(a.data[a.countOff:])) }
func (a dxArray) count() int { return int(binary.LittleEndian.Uint16(a.data[a.countOff+2:])) }
func (a dxArray) setCount(n int) {
	binary.LittleEndian.PutUint16(a.data[a.countOff+2:], uint16(n))
}

// hash is entry i's hash; entry 0 has none (it covers all below entry 1).
func (a dxArray) hash(i int) uint32 {
	if i == 0 {
		return 0
	}
	return binary.LittleEndian.Uint32(a.data[a.countOff+i*dxEntrySize:])
}

func (a dxArray) block(i int) uint32 {
	return binary.LittleEndian.Uint32(a.data[a.countOff+i*dxEntrySize+4:]) & dxBlockMask
}

// set writes entry i (entry 0 keeps limit and count in its hash slot).
func (a dxArray) set(i int, hash, blk uint32) {
	p := a.data[a.countOff+i*dxEntrySize:]
	if i != 0 {
		binary.LittleEndian.PutUint32(p, hash)
	}
	binary.LittleEndian.PutUint32(p[4:], blk)
}

// init makes the array empty but for entry 0, pointing to blk.
func (a dxArray) init(limit int, blk uint32) {
	binary.LittleEndian.PutUint16(a.data[a.countOff:], uint16(limit))
	a.setCount(1)
	a.set(0, 0, blk)
}

// insertAfter puts (hash, blk) at position at+1, moving the entries
// after it up; the array must not be full.
func (a dxArray) insertAfter(at int, hash, blk uint32) {
	n := a.count()
	p := a.countOff + (at+1)*dxEntrySize
	copy(a.data[p+dxEntrySize:a.countOff+(n+1)*dxEntrySize], a.data[p:a.countOff+n*dxEntrySize])
	a.setCount(n + 1)
	a.set(at+1, hash, blk)
}

// moveUpper moves entries from..count-1 into dst, an initialised array
// (whose entry 0 takes entry from's block), and returns the hash of
// entry from: the key under which dst goes into the parent.
func (a dxArray) moveUpper(from int, dst dxArray) uint32 {
	n := a.count()
	h := a.hash(from)
	limit := dst.limit()
	copy(dst.data[dst.countOff:dst.countOff+(n-from)*dxEntrySize], a.data[a.countOff+from*dxEntrySize:a.countOff+n*dxEntrySize])
	// Slot 0 of dst holds limit and count, not a hash.
	binary.LittleEndian.PutUint16(dst.data[dst.countOff:], uint16(limit))
	dst.setCount(n - from)
	a.setCount(from)
	return h
}

// sealDx sets the dx_tail checksum of an index block (checksums.rst:
// crc32c(inode seed, the block up to the last used entry, then the
// dx_tail with dt_checksum zero)).
func sealDx(data []byte, countOff int, seed uint32) {
	a := dxArray{data, countOff}
	t := countOff + a.limit()*dxEntrySize
	binary.LittleEndian.PutUint32(data[t:], 0)
	c := crc32c(seed, data[:countOff+a.count()*dxEntrySize])
	c = crc32c(c, data[t:t+4])
	c = crc32c(c, []byte{0, 0, 0, 0})
	binary.LittleEndian.PutUint32(data[t+4:], c)
}

// initDxNode makes b an empty interior node (a fake entry with inode 0
// spanning the block, no name) whose array holds only entry 0 -> blk.
func initDxNode(b []byte, csum bool, blk uint32) dxArray {
	clear(b)
	putDirent(b, 0, len(b), 0, 0, nil)
	a := dxArray{b, dxNodeCountOff}
	a.init(dxLimit(len(b), dxNodeCountOff, csum), blk)
	return a
}

// initDxRoot makes b the root of an htree directory: "." (ino) and
// ".." (parent), both of file type ft, dx_root_info with hash version v
// and no indirect levels, and one entry, for every hash, pointing to
// block blk.
func initDxRoot(b []byte, csum bool, ino, parent uint32, ft, v uint8, blk uint32) dxArray {
	clear(b)
	putDirent(b, 0, 12, ino, ft, []byte("."))
	putDirent(b, 12, len(b)-12, parent, ft, []byte(".."))
	b[28] = v // hash_version
	b[29] = 8 // info_length
	a := dxArray{b, dxRootCountOff}
	a.init(dxLimit(len(b), dxRootCountOff, csum), blk)
	return a
}

// dxSearch returns the index of the last entry of a whose hash is <=
// hash (entry 0 when none is): the subtree that holds hash.
func dxSearch(a dxArray, hash uint32) int {
	lo, hi := 1, a.count()-1
	for lo <= hi {
		mid := (lo + hi) / 2
		if a.hash(mid) > hash {
			hi = mid - 1
		} else {
			lo = mid + 1
		}
	}
	return lo - 1
}
