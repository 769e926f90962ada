package ext4

import "encoding/binary"

// Hash tree directories (directory.rst "Hash Tree Directories"). Block 0
// of an indexed directory is the dx_root: a "." entry (rec_len 12), a
// ".." entry spanning the rest of the block, then dx_root_info
// (reserved_zero, hash_version, info_length = 8, indirect_levels,
// unused_flags) at offset 24, then the dx_entry array at offset 32.
// Interior nodes (dx_node) start with an empty entry spanning the block,
// then the array at offset 8. The array starts with limit and count in
// place of the first entry's hash; each entry is a hash and a logical
// block (low 28 bits). With metadata_csum the array's capacity leaves
// room for dx_tail (dt_reserved, dt_checksum) after limit entries.
const (
	dxRootCountOff = 32
	dxNodeCountOff = 8
	dxEntrySize    = 8
	dxTailSize     = 8
	dxBlockMask    = 0x0fffffff
	// dxMaxLevels is indirect_levels+1 at most without large_dir
	// (which this package refuses): a root and one level of nodes.
	dxMaxLevels = 2
)

// checkDx checks the dx_entry array at countOff in data: its limit must
// be what the block holds, its count within it, and with metadata_csum
// the dx_tail checksum must match (checksums.rst: crc32c(inode seed, the
// block up to the last used entry, then the dx_tail with dt_checksum
// zeroed)).
func (f *FS) checkDx(in *inode, data []byte, countOff int, what string) (limit, count int, err error) {
	le := binary.LittleEndian
	bs := f.sb.blockSize
	tail := 0
	if f.sb.metadataCsum() {
		tail = dxTailSize
	}
	limit = int(le.Uint16(data[countOff:]))
	count = int(le.Uint16(data[countOff+2:]))
	if want := (bs - countOff - tail) / dxEntrySize; limit != want {
		return 0, 0, corrupt("%s: htree node limit %d, want %d", what, limit, want)
	}
	if count == 0 || count > limit {
		return 0, 0, corrupt("%s: htree node count %d of limit %d", what, count, limit)
	}
	if tail != 0 {
		t := countOff + limit*dxEntrySize
		c := crc32c(in.csumSeed, data[:countOff+count*dxEntrySize])
		c = crc32c(c, data[t:t+4])
		c = crc32c(c, []byte{0, 0, 0, 0}) // dt_checksum itself, as zero
		if stored := le.Uint32(data[t+4:]); c != stored {
			return 0, 0, badCsum(what, stored, c)
		}
	}
	return limit, count, nil
}

// checkDxRoot checks block 0 of an htree directory.
func (f *FS) checkDxRoot(in *inode, data []byte, what string) error {
	le := binary.LittleEndian
	bs := f.sb.blockSize
	if le.Uint16(data[4:]) != 12 || data[6] != 1 || data[8] != '.' ||
		recLen(le.Uint16(data[16:]), bs) != bs-12 || data[18] != 2 || data[20] != '.' || data[21] != '.' {
		return corrupt("%s: htree root does not start with \".\" and \"..\"", what)
	}
	if le.Uint32(data[24:]) != 0 || data[29] != 8 {
		return corrupt("%s: htree root info (reserved %#x, length %d)", what, le.Uint32(data[24:]), data[29])
	}
	if v := data[28]; v > hashTea {
		return corrupt("%s: htree hash version %d", what, v)
	}
	if levels := data[30]; int(levels) >= dxMaxLevels {
		return corrupt("%s: htree with %d indirect levels", what, levels)
	}
	_, _, err := f.checkDx(in, data, dxRootCountOff, what)
	return err
}

// dxFrame is one level of an htree walk: a checked index block and the
// entry taken in it.
type dxFrame struct {
	data     []byte
	countOff int
	count    int
	at       int
}

func (fr *dxFrame) hash(i int) uint32 {
	return binary.LittleEndian.Uint32(fr.data[fr.countOff+i*dxEntrySize:])
}

func (fr *dxFrame) block(i int) uint64 {
	return uint64(binary.LittleEndian.Uint32(fr.data[fr.countOff+i*dxEntrySize+4:]) & dxBlockMask)
}

// dxLookup finds name in htree directory in: it hashes the name with the
// root's hash version (made unsigned when s_flags says so) and the
// superblock's seed, walks the index to the leaf whose hash range holds
// it, and searches that leaf, then the following leaves while their
// first hash equals the name's (a collision run that spans leaves; the
// low bit of such an index hash is set).
func (f *FS) dxLookup(in *inode, name []byte) (ino uint32, found bool, err error) {
	root, err := f.readDirBlock(in, 0)
	if err != nil {
		return 0, false, err
	}
	if root.kind != dirDxRoot {
		return 0, false, corrupt("inode %d: htree directory without a root block", in.ino)
	}
	v := int(root.data[28])
	if f.sb.flags&flagUnsignedHash != 0 {
		v += hashLegacyUnsigned
	}
	hash, ok := dirHash(name, v, f.sb.hashSeed)
	if !ok {
		return 0, false, corrupt("inode %d: htree hash version %d", in.ino, v)
	}
	levels := int(root.data[30]) + 1
	frames := make([]dxFrame, 0, levels)
	fr := dxFrame{data: root.data, countOff: dxRootCountOff, count: int(binary.LittleEndian.Uint16(root.data[dxRootCountOff+2:]))}
	// descend fills frames from fr down to a leaf. With search it takes
	// in each level the last entry whose hash is <= hash (entry 0 covers
	// the rest); without, fr's entry and then the first of each level.
	descend := func(fr dxFrame, search bool) (dirBlock, error) {
		for {
			if search {
				lo, hi := 1, fr.count-1
				for lo <= hi {
					mid := (lo + hi) / 2
					if fr.hash(mid) > hash {
						hi = mid - 1
					} else {
						lo = mid + 1
					}
				}
				fr.at = lo - 1
			}
			frames = append(frames, fr)
			blk := fr.block(fr.at)
			if blk >= f.dirBlocks(in) {
				return dirBlock{}, corrupt("inode %d: htree entry points to block %d of %d", in.ino, blk, f.dirBlocks(in))
			}
			b, err := f.readDirBlock(in, blk)
			if err != nil {
				return dirBlock{}, err
			}
			if len(frames) == levels {
				if b.kind != dirLeaf {
					return dirBlock{}, corrupt("inode %d: htree leaf block %d is not a leaf", in.ino, blk)
				}
				return b, nil
			}
			if b.kind != dirDxNode {
				return dirBlock{}, corrupt("inode %d: htree node block %d is not an index node", in.ino, blk)
			}
			fr = dxFrame{data: b.data, countOff: dxNodeCountOff, count: int(binary.LittleEndian.Uint16(b.data[dxNodeCountOff+2:]))}
		}
	}
	leaf, err := descend(fr, true)
	for err == nil {
		if ino, found = leaf.find(f.sb.blockSize, name); found {
			return ino, true, nil
		}
		// The next leaf in hash order: advance the deepest frame that
		// has entries left, and continue only if that entry's hash (bit
		// 0 cleared) is still this name's.
		i := len(frames) - 1
		for i >= 0 && frames[i].at+1 >= frames[i].count {
			i--
		}
		if i < 0 {
			return 0, false, nil
		}
		frames[i].at++
		if frames[i].hash(frames[i].at)&^1 != hash {
			return 0, false, nil
		}
		next := frames[i]
		frames = frames[:i]
		// Below the advanced entry, every level's first entry.
		leaf, err = descend(next, false)
	}
	return 0, false, err
}
