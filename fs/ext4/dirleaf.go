package ext4

import (
	"encoding/binary"
	"sort"
)

// Changing directory leaf blocks (directory.rst "Linear (Classic)
// Directories"). These functions work on a block's bytes alone, so that
// they can be tested without a file system: the caller gets the block
// from the running transaction and, with metadata_csum, seals it with
// sealLeaf afterwards. end is where the entries end: the block size, or
// the block size less the 12-byte ext4_dir_entry_tail with
// metadata_csum.

// File types of ext4_dir_entry_2.file_type (directory.rst, "file_type").
const (
	ftUnknown = 0
	ftReg     = 1
	ftDir     = 2
	ftChr     = 3
	ftBlk     = 4
	ftFifo    = 5
	ftSock    = 6
	ftSymlink = 7
)

// fileType is the directory entry file type of an inode of mode.
func fileType(mode uint32) uint8 {
	switch mode & sIFMT {
	case sIFREG:
		return ftReg
	case sIFDIR:
		return ftDir
	case sIFCHR:
		return ftChr
	case sIFBLK:
		return ftBlk
	case sIFIFO:
		return ftFifo
	case sIFSOCK:
		return ftSock
	case sIFLNK:
		return ftSymlink
	}
	return ftUnknown
}

// direntLen is the smallest record that holds a name of n bytes: the
// 8-byte header and the name, rounded up to 4 bytes (directory.rst:
// "the length of a directory entry must be a multiple of 4").
func direntLen(n int) int { return (direntHdr + n + 3) &^ 3 }

// encodeRecLen is the on-disk rec_len of a record of rl bytes: 65536
// does not fit and is stored as 65535 (directory.rst, rec_len).
func encodeRecLen(rl int) uint16 {
	if rl >= 65536 {
		return 65535
	}
	return uint16(rl)
}

// putDirent writes an entry at off spanning rl bytes.
func putDirent(b []byte, off, rl int, ino uint32, ftype uint8, name []byte) {
	le := binary.LittleEndian
	le.PutUint32(b[off:], ino)
	le.PutUint16(b[off+4:], encodeRecLen(rl))
	b[off+6] = uint8(len(name))
	b[off+7] = ftype
	copy(b[off+direntHdr:], name)
}

// leafEnd is where the entries of a leaf end in a block of bs bytes.
func leafEnd(bs int, csum bool) int {
	if csum {
		return bs - dirTailSize
	}
	return bs
}

// initLeaf makes b an empty leaf: one unused entry spanning it (and the
// tail with metadata_csum, whose checksum sealLeaf sets).
func initLeaf(b []byte, csum bool) {
	clear(b)
	end := leafEnd(len(b), csum)
	putDirent(b, 0, end, 0, 0, nil)
	if csum {
		putDirent(b, end, dirTailSize, 0, dirTailType, nil)
	}
}

// sealLeaf sets the checksum in a leaf's ext4_dir_entry_tail
// (checksums.rst: crc32c(inode seed, the block up to the tail)).
func sealLeaf(b []byte, seed uint32) {
	end := len(b) - dirTailSize
	putDirent(b, end, dirTailSize, 0, dirTailType, nil)
	binary.LittleEndian.PutUint32(b[end+8:], crc32c(seed, b[:end]))
}

// leafRecord is one record of a leaf chain, used or not.
type leafRecord struct {
	off, rl int
	ino     uint32
	nameLen int
}

// leafRecords returns the record chain of a checked leaf.
func leafRecords(b []byte, end int) []leafRecord {
	le := binary.LittleEndian
	var recs []leafRecord
	for off := 0; off < end; {
		rl := recLen(le.Uint16(b[off+4:]), len(b))
		if rl < minDirentLen || off+rl > end { // checked leaves never do this
			break
		}
		recs = append(recs, leafRecord{off: off, rl: rl, ino: le.Uint32(b[off:]), nameLen: int(b[off+6])})
		off += rl
	}
	return recs
}

// used is how many bytes of a record its entry needs (0 if unused).
func (r leafRecord) used() int {
	if r.ino == 0 {
		return 0
	}
	return direntLen(r.nameLen)
}

// leafInsert adds an entry for name to leaf b, in the first record whose
// slack (what its own entry does not need) holds it, as Linux does
// (ext4_find_dest_de): an unused record is taken whole, a used one is cut
// to its entry's size and the new entry gets the rest. It reports
// whether the name fitted.
func leafInsert(b []byte, end int, ino uint32, ftype uint8, name []byte) bool {
	need := direntLen(len(name))
	for _, r := range leafRecords(b, end) {
		used := r.used()
		if r.rl-used < need {
			continue
		}
		if used == 0 {
			putDirent(b, r.off, r.rl, ino, ftype, name)
			return true
		}
		binary.LittleEndian.PutUint16(b[r.off+4:], encodeRecLen(used))
		putDirent(b, r.off+used, r.rl-used, ino, ftype, name)
		return true
	}
	return false
}

// leafHasRoom reports whether leafInsert would fit a name of n bytes.
// It is the inner loop of adding to a linear directory, so it walks the
// records without collecting them.
func leafHasRoom(b []byte, end, n int) bool {
	le := binary.LittleEndian
	need := direntLen(n)
	for off := 0; off < end; {
		rl := recLen(le.Uint16(b[off+4:]), len(b))
		if rl < minDirentLen || off+rl > end {
			return false
		}
		used := 0
		if le.Uint32(b[off:]) != 0 {
			used = direntLen(int(b[off+6]))
		}
		if rl-used >= need {
			return true
		}
		off += rl
	}
	return false
}

// leafDelete removes the entry at off, whose predecessor in the chain is
// at prev (-1 for the first entry): the predecessor's record grows over
// it; the first entry of a block has no predecessor and becomes unused
// (inode 0), keeping its record length and name length, as Linux does
// (ext4_generic_delete_entry). The kept name length tells an emptied
// leaf of an htree from an index node, whose fake entry has none.
func leafDelete(b []byte, off, prev int) {
	le := binary.LittleEndian
	if prev < 0 {
		le.PutUint32(b[off:], 0)
		return
	}
	rl := recLen(le.Uint16(b[prev+4:]), len(b)) + recLen(le.Uint16(b[off+4:]), len(b))
	le.PutUint16(b[prev+4:], encodeRecLen(rl))
}

// leafEntry is a used entry of a leaf, with its hash for splits.
type leafEntry struct {
	ino   uint32
	ftype uint8
	name  []byte
	hash  uint32
}

// leafEntries returns the used entries of leaf b (names copied).
func leafEntries(b []byte, end int) []leafEntry {
	var out []leafEntry
	for _, r := range leafRecords(b, end) {
		if r.ino == 0 {
			continue
		}
		name := append([]byte(nil), b[r.off+direntHdr:r.off+direntHdr+r.nameLen]...)
		out = append(out, leafEntry{ino: r.ino, ftype: b[r.off+7], name: name})
	}
	return out
}

// fillLeaf writes entries into b, packed from the start, the last record
// spanning to end; b must be an initialised leaf of that end.
func fillLeaf(b []byte, end int, entries []leafEntry) {
	clear(b[:end])
	if len(entries) == 0 {
		putDirent(b, 0, end, 0, 0, nil)
		return
	}
	off := 0
	for i, e := range entries {
		rl := direntLen(len(e.name))
		if i == len(entries)-1 {
			rl = end - off
		}
		putDirent(b, off, rl, e.ino, e.ftype, e.name)
		off += rl
	}
}

// splitLeaf moves the upper part, in hash order, of the entries of leaf
// src into dst, so that each holds about half, and packs both
// (directory.rst "Hash Tree Directories": a leaf holds one range of
// hashes). hash gives a name's hash. It returns the hash at which dst's
// range starts, with bit 0 set when the entry before the split has the
// same hash: the run of equal hashes continues into dst, and lookups must
// read on (the "collision" bit of the dx_entry hash). Both blocks must be
// leaves with the same end; dst's old contents are lost.
func splitLeaf(src, dst []byte, end int, hash func([]byte) uint32) uint32 {
	entries := leafEntries(src, end)
	for i := range entries {
		entries[i].hash = hash(entries[i].name)
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].hash < entries[j].hash })
	// Move entries from the top while more than half of the next one
	// would still be in the upper half of the block.
	split, size := len(entries), 0
	for split > 0 {
		n := direntLen(len(entries[split-1].name))
		if size+n/2 > end/2 {
			break
		}
		size += n
		split--
	}
	if split <= 0 || split >= len(entries) {
		split = len(entries) / 2
	}
	h := entries[split].hash
	if split > 0 && entries[split-1].hash == h {
		h |= 1
	}
	fillLeaf(src, end, entries[:split])
	fillLeaf(dst, end, entries[split:])
	return h
}

// leafFind returns the offset of the entry for name in leaf b and of the
// record before it (-1 if it is the first).
func leafFind(b []byte, end int, name []byte) (off, prev int, ok bool) {
	prev = -1
	for _, r := range leafRecords(b, end) {
		if r.ino != 0 && r.nameLen == len(name) && string(b[r.off+direntHdr:r.off+direntHdr+r.nameLen]) == string(name) {
			return r.off, prev, true
		}
		prev = r.off
	}
	return 0, 0, false
}

// leafEmpty reports whether leaf b has no used entries.
func leafEmpty(b []byte, end int) bool {
	for _, r := range leafRecords(b, end) {
		if r.ino != 0 {
			return false
		}
	}
	return true
}
