package jbd2

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
)

// Every jbd2 structure is big-endian (journal.rst "Journal (jbd2)").
var be = binary.BigEndian

// Magic is the first word of every journal metadata block (journal.rst
// "Block Header", h_magic). A journalled block that begins with it is
// stored escaped (journal.rst "Data Block").
const Magic = 0xC03B3998

// Block types (journal.rst "Block Header", h_blocktype).
const (
	blockDescriptor = 1
	blockCommit     = 2
	blockSuperV1    = 3
	blockSuperV2    = 4
	blockRevoke     = 5
)

// headerSize is the size of the common block header: h_magic,
// h_blocktype, h_sequence.
const headerSize = 12

// Feature bits of the journal superblock (journal.rst "Super Block":
// s_feature_compat, s_feature_incompat).
const (
	CompatChecksum = 0x1 // JBD2_FEATURE_COMPAT_CHECKSUM: v1 commit checksums

	IncompatRevoke      = 0x1  // JBD2_FEATURE_INCOMPAT_REVOKE
	Incompat64Bit       = 0x2  // JBD2_FEATURE_INCOMPAT_64BIT
	IncompatAsyncCommit = 0x4  // JBD2_FEATURE_INCOMPAT_ASYNC_COMMIT
	IncompatCsumV2      = 0x8  // JBD2_FEATURE_INCOMPAT_CSUM_V2
	IncompatCsumV3      = 0x10 // JBD2_FEATURE_INCOMPAT_CSUM_V3
	IncompatFastCommit  = 0x20 // JBD2_FEATURE_INCOMPAT_FAST_COMMIT
)

// supportedIncompat is the set of incompat features this package reads
// and writes.
const supportedIncompat = IncompatRevoke | Incompat64Bit | IncompatCsumV2 | IncompatCsumV3

// incompatNames names the incompat features for error messages.
var incompatNames = map[uint32]string{
	IncompatRevoke:      "revoke",
	Incompat64Bit:       "64bit",
	IncompatAsyncCommit: "async_commit",
	IncompatCsumV2:      "csum_v2",
	IncompatCsumV3:      "csum_v3",
	IncompatFastCommit:  "fast_commit",
}

// csumCRC32C is s_checksum_type for crc32c (journal.rst "Super Block":
// JBD2_CRC32C_CHKSUM).
const csumCRC32C = 4

// Tag flags (journal.rst "Descriptor Block", t_flags).
const (
	tagEscape   = 0x1 // the block began with Magic; its first word was zeroed
	tagSameUUID = 0x2 // no UUID follows the tag
	tagDeleted  = 0x4 // unused by Linux
	tagLast     = 0x8 // the last tag of the descriptor block
)

// uuidSize is the size of the UUID after a tag without tagSameUUID.
const uuidSize = 16

// tailSize is the size of the checksum tail of descriptor and revoke
// blocks under CSUM_V2/V3 (journal.rst "Descriptor Block",
// jbd2_journal_block_tail; "Revocation Block", jbd2_journal_revoke_tail).
const tailSize = 4

// Offsets in the journal superblock (journal.rst "Super Block").
const (
	sbBlockSize     = 0x0C
	sbMaxLen        = 0x10
	sbFirst         = 0x14
	sbSequence      = 0x18
	sbStart         = 0x1C
	sbErrno         = 0x20
	sbCompat        = 0x24
	sbIncompat      = 0x28
	sbROCompat      = 0x2C
	sbUUID          = 0x30
	sbNrUsers       = 0x40
	sbChecksumType  = 0x50
	sbNumFCBlocks   = 0x54
	sbChecksum      = 0xFC
	superblockBytes = 0x400 // sizeof(journal_superblock_t)
)

// Offsets in the commit block (journal.rst "Commit Block").
const (
	commitChksumType = 0x0C
	commitChksumSize = 0x0D
	commitChksum0    = 0x10
	commitSec        = 0x30
	commitNsec       = 0x38
)

// revokeCountOff is the offset of r_count, the number of bytes used in
// a revoke block, header included (journal.rst "Revocation Block").
const revokeCountOff = 0x0C

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// crc32c is the kernel's crc32c(seed, p): the Castagnoli CRC without
// the customary inversion on the way in and out, which jbd2 checksums
// use (journal.rst "Checksums": jbd2_chksum).
func crc32c(seed uint32, p []byte) uint32 {
	return ^crc32.Update(^seed, castagnoli, p)
}

// header is the common header of every journal metadata block.
type header struct {
	blockType uint32
	sequence  uint32
}

// parseHeader returns the block's header and whether it carries Magic.
func parseHeader(b []byte) (header, bool) {
	if be.Uint32(b[0:]) != Magic {
		return header{}, false
	}
	return header{blockType: be.Uint32(b[4:]), sequence: be.Uint32(b[8:])}, true
}

func putHeader(b []byte, blockType, seq uint32) {
	be.PutUint32(b[0:], Magic)
	be.PutUint32(b[4:], blockType)
	be.PutUint32(b[8:], seq)
}

// featureError names the features in bits.
func featureNames(bits uint32) string {
	var names []string
	for bit := uint32(1); bit != 0; bit <<= 1 {
		if bits&bit == 0 {
			continue
		}
		if n, ok := incompatNames[bit]; ok {
			names = append(names, n)
		} else {
			names = append(names, fmt.Sprintf("unknown(%#x)", bit))
		}
	}
	return strings.Join(names, ",")
}

// tidAfter reports whether transaction ID a comes after b, allowing for
// the 32-bit wrap of sequence numbers (jbd2's tid_gt).
func tidAfter(a, b uint32) bool { return int32(a-b) > 0 }
