package ext4

import "encoding/binary"

// Group descriptor fields the write side changes (group_descr.rst
// "Block Group Descriptors"); the _hi halves exist only in 64-byte
// descriptors.
const (
	gdBlockBitmapCsumLo = 0x18
	gdInodeBitmapCsumLo = 0x1A
	gdFreeBlocksLo      = 0x0C
	gdFreeInodesLo      = 0x0E
	gdUsedDirsLo        = 0x10
	gdFlags             = 0x12
	gdItableUnusedLo    = 0x1C
	gdChecksum          = 0x1E
	gdFreeBlocksHi      = 0x2C
	gdFreeInodesHi      = 0x2E
	gdUsedDirsHi        = 0x30
	gdItableUnusedHi    = 0x32
	gdBlockBitmapCsumHi = 0x38
	gdInodeBitmapCsumHi = 0x3A
)

// bg_flags bits (group_descr.rst).
const (
	bgBlockUninit = 0x2 // block bitmap not initialised
	bgInodeZeroed = 0x4 // inode table zeroed
)

// desc is one group descriptor in its (transaction-owned) table block.
type desc struct {
	f *FS
	g uint32
	d []byte
}

// groupDesc returns group g's descriptor in the running transaction.
// The caller changes it through desc's methods and calls done.
func (t *tx) desc(g uint32) (desc, error) {
	f := t.f
	bs := uint64(f.sb.blockSize)
	off := uint64(g) * uint64(f.sb.descSize)
	b, err := t.modify(uint64(f.sb.firstDataBlock) + 1 + off/bs)
	if err != nil {
		return desc{}, err
	}
	return desc{f: f, g: g, d: b[off%bs : off%bs+uint64(f.sb.descSize)]}, nil
}

// readDesc returns group g's descriptor bytes without making its block
// part of the transaction; the caller must not change them.
func (f *FS) readDesc(g uint32) ([]byte, error) {
	bs := uint64(f.sb.blockSize)
	off := uint64(g) * uint64(f.sb.descSize)
	b, err := f.cache.get(uint64(f.sb.firstDataBlock) + 1 + off/bs)
	if err != nil {
		return nil, err
	}
	return b.data[off%bs : off%bs+uint64(f.sb.descSize)], nil
}

func (d desc) wide() bool { return len(d.d) >= 64 }

// get32 reads a field split into a 16-bit low half at lo and, in
// 64-byte descriptors, a high half at hi.
func (d desc) get32(lo, hi int) uint32 {
	le := binary.LittleEndian
	v := uint32(le.Uint16(d.d[lo:]))
	if d.wide() {
		v |= uint32(le.Uint16(d.d[hi:])) << 16
	}
	return v
}

func (d desc) put32(lo, hi int, v uint32) {
	le := binary.LittleEndian
	le.PutUint16(d.d[lo:], uint16(v))
	if d.wide() {
		le.PutUint16(d.d[hi:], uint16(v>>16))
	}
}

func (d desc) freeBlocks() uint32 { return descFreeBlocks(d.d) }

// descFreeBlocks reads bg_free_blocks_count of descriptor bytes d.
func descFreeBlocks(d []byte) uint32 { return desc{d: d}.get32(gdFreeBlocksLo, gdFreeBlocksHi) }

// descFreeInodes reads bg_free_inodes_count of descriptor bytes d.
func descFreeInodes(d []byte) uint32 { return desc{d: d}.get32(gdFreeInodesLo, gdFreeInodesHi) }

func (d desc) flags() uint16 { return binary.LittleEndian.Uint16(d.d[gdFlags:]) }

func (d desc) setFlags(v uint16) { binary.LittleEndian.PutUint16(d.d[gdFlags:], v) }

// addFreeBlocks, addFreeInodes and addUsedDirs change the group's
// counters by delta.
func (d desc) addFreeBlocks(delta int64) {
	d.put32(gdFreeBlocksLo, gdFreeBlocksHi, uint32(int64(d.get32(gdFreeBlocksLo, gdFreeBlocksHi))+delta))
}

func (d desc) addFreeInodes(delta int64) {
	d.put32(gdFreeInodesLo, gdFreeInodesHi, uint32(int64(d.get32(gdFreeInodesLo, gdFreeInodesHi))+delta))
}

func (d desc) addUsedDirs(delta int64) {
	d.put32(gdUsedDirsLo, gdUsedDirsHi, uint32(int64(d.get32(gdUsedDirsLo, gdUsedDirsHi))+delta))
}

func (d desc) itableUnused() uint32 { return d.get32(gdItableUnusedLo, gdItableUnusedHi) }

func (d desc) setItableUnused(v uint32) { d.put32(gdItableUnusedLo, gdItableUnusedHi, v) }

// setBlockBitmapCsum and setInodeBitmapCsum store a bitmap's checksum
// (checksums.rst: crc32c(seed, the bitmap's bytes: blocks per group / 8
// or inodes per group / 8); the high half only in 64-byte descriptors).
func (d desc) setBlockBitmapCsum(bitmap []byte) {
	if d.f.sb.metadataCsum() {
		d.put32(gdBlockBitmapCsumLo, gdBlockBitmapCsumHi, crc32c(d.f.sb.csumSeed(), bitmap[:d.f.sb.blocksPerGroup/8]))
	}
}

func (d desc) setInodeBitmapCsum(bitmap []byte) {
	if d.f.sb.metadataCsum() {
		d.put32(gdInodeBitmapCsumLo, gdInodeBitmapCsumHi, crc32c(d.f.sb.csumSeed(), bitmap[:d.f.sb.inodesPerGroup/8]))
	}
}

// done recomputes the descriptor's checksum and refreshes the FS's
// decoded copy, which the read side uses.
func (d desc) done() {
	if sum, ok := descChecksum(d.f.sb, d.g, d.d); ok {
		binary.LittleEndian.PutUint16(d.d[gdChecksum:], sum)
	}
	gd := &d.f.groups[d.g]
	gd.flags = d.flags()
	gd.itableUnused = d.itableUnused()
}

// uninit reports whether flags has bit set and the file system honours
// the uninit flags: only with uninit_bg or metadata_csum, which make
// descriptors checksummed (blockgroup.rst "Lazy Block Group
// Initialization"); without them Linux and e2fsck ignore the flags.
func (f *FS) uninit(flags uint16, bit uint16) bool {
	return flags&bit != 0 && f.sb.features.ROCompat&(roGdtCsum|roMetadataCsum) != 0
}
