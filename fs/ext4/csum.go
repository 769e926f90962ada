package ext4

import (
	"encoding/binary"
	"hash/crc32"
)

// castagnoli is the crc32c polynomial of metadata_csum (checksums.rst
// "Checksums": "crc32c").
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// crc32c is ext4's crc32c: the plain shift register with no inversion on
// the way in or out (Linux's crc32c_le). Go's crc32.Update inverts both
// ways, so the inversions are undone around it.
func crc32c(c uint32, p []byte) uint32 { return ^crc32.Update(^c, castagnoli, p) }

// crc32cU32 feeds the little-endian bytes of v, as ext4 does with inode
// and group numbers.
func crc32cU32(c, v uint32) uint32 {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	return crc32c(c, b[:])
}

// crc16 is the CRC-16 (polynomial 0x8005, bit-reversed, no inversion)
// that the older uninit_bg (gdt_csum) feature uses for group descriptors
// (group_descr.rst, bg_checksum: "crc16(sb_uuid+group_num+bg_desc)").
func crc16(c uint16, p []byte) uint16 {
	for _, b := range p {
		c ^= uint16(b)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0xA001
			} else {
				c >>= 1
			}
		}
	}
	return c
}
