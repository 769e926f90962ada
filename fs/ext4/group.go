package ext4

import (
	"encoding/binary"
	"strconv"
)

// groupDesc holds the fields of group_descr.rst "Block Group
// Descriptors" that reading needs.
type groupDesc struct {
	blockBitmap  uint64
	inodeBitmap  uint64
	inodeTable   uint64
	flags        uint16
	itableUnused uint32
}

// bg_flags (group_descr.rst).
const bgInodeUninit = 0x1 // inode table and bitmap not initialised

// parseGroupDescs decodes the group descriptor table raw, which holds
// s.groupCount descriptors of s.descSize bytes, verifying each
// descriptor's checksum (metadata_csum: crc32c; uninit_bg: crc16) and
// that its tables lie inside the file system.
func parseGroupDescs(s *superblock, raw []byte) ([]groupDesc, error) {
	le := binary.LittleEndian
	itableBlocks := (uint64(s.inodesPerGroup)*uint64(s.inodeSize) + uint64(s.blockSize) - 1) / uint64(s.blockSize)
	descs := make([]groupDesc, s.groupCount)
	for g := range descs {
		d := raw[g*int(s.descSize) : (g+1)*int(s.descSize)]
		if want, ok := descChecksum(s, uint32(g), d); ok {
			if stored := le.Uint16(d[0x1E:]); stored != want {
				return nil, badCsum(groupName(g), uint32(stored), uint32(want))
			}
		}
		gd := groupDesc{
			blockBitmap:  uint64(le.Uint32(d[0x0:])),
			inodeBitmap:  uint64(le.Uint32(d[0x4:])),
			inodeTable:   uint64(le.Uint32(d[0x8:])),
			flags:        le.Uint16(d[0x12:]),
			itableUnused: uint32(le.Uint16(d[0x1C:])),
		}
		if s.descSize >= 64 {
			gd.blockBitmap |= uint64(le.Uint32(d[0x20:])) << 32
			gd.inodeBitmap |= uint64(le.Uint32(d[0x24:])) << 32
			gd.inodeTable |= uint64(le.Uint32(d[0x28:])) << 32
			gd.itableUnused |= uint32(le.Uint16(d[0x32:])) << 16
		}
		first := uint64(s.firstDataBlock)
		switch {
		case gd.blockBitmap < first || gd.blockBitmap >= s.blocksCount:
			return nil, corrupt("%s: block bitmap at block %d", groupName(g), gd.blockBitmap)
		case gd.inodeBitmap < first || gd.inodeBitmap >= s.blocksCount:
			return nil, corrupt("%s: inode bitmap at block %d", groupName(g), gd.inodeBitmap)
		case gd.inodeTable < first || gd.inodeTable > s.blocksCount-itableBlocks:
			return nil, corrupt("%s: inode table at block %d", groupName(g), gd.inodeTable)
		case gd.itableUnused > s.inodesPerGroup:
			return nil, corrupt("%s: %d unused inodes of %d", groupName(g), gd.itableUnused, s.inodesPerGroup)
		}
		descs[g] = gd
	}
	return descs, nil
}

// descChecksum computes bg_checksum of descriptor d of group g
// (group_descr.rst bg_checksum; checksums.rst): with metadata_csum the
// low 16 bits of crc32c(seed, group number, descriptor with bg_checksum
// zeroed); with uninit_bg crc16(uuid, group number, descriptor without
// bg_checksum). ok is false when the descriptors carry no checksum.
func descChecksum(s *superblock, g uint32, d []byte) (sum uint16, ok bool) {
	switch {
	case s.metadataCsum():
		c := crc32cU32(s.csumSeed(), g)
		c = crc32c(c, d[:0x1E])
		c = crc32c(c, []byte{0, 0})
		c = crc32c(c, d[0x20:])
		return uint16(c), true
	case s.features.ROCompat&roGdtCsum != 0:
		c := crc16(crc16(0xFFFF, s.uuid[:]), binary.LittleEndian.AppendUint32(nil, g))
		c = crc16(c, d[:0x1E])
		c = crc16(c, d[0x20:])
		return c, true
	}
	return 0, false
}

func groupName(g int) string { return "group descriptor " + strconv.Itoa(g) }
