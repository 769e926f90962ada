package jbd2

import (
	"errors"
	"fmt"
)

// Superblock is the journal superblock, in journal block 0 (journal.rst
// "Super Block"). Only the fields this package uses are decoded; the
// rest of the on-disk block (s_users, padding) is kept as it was read
// and written back unchanged.
type Superblock struct {
	BlockSize uint32 // s_blocksize: the journal's block size, the file system's
	MaxLen    uint32 // s_maxlen: journal blocks in all, superblock included
	First     uint32 // s_first: the first block of the log
	Sequence  uint32 // s_sequence: the first transaction expected in the log
	Start     uint32 // s_start: the block of that transaction; 0 = the log is empty
	Errno     int32  // s_errno: set when the file system aborted the journal

	Compat, Incompat, ROCompat uint32
	UUID                       [16]byte
	ChecksumType               uint8

	raw []byte // the on-disk superblock, superblockBytes long
}

// parseSuperblock decodes and checks a journal superblock: its magic, its
// version, its features and, under CSUM_V2/V3, its checksum. Features it
// cannot honour are refused by name.
func parseSuperblock(b []byte) (*Superblock, error) {
	if len(b) < superblockBytes {
		return nil, errors.New("jbd2: short superblock")
	}
	h, ok := parseHeader(b)
	if !ok {
		return nil, errors.New("jbd2: no journal superblock (bad magic)")
	}
	switch h.blockType {
	case blockSuperV2:
	case blockSuperV1:
		return nil, errors.New("jbd2: journal superblock v1 is not supported")
	default:
		return nil, fmt.Errorf("jbd2: block type %d is not a journal superblock", h.blockType)
	}
	sb := &Superblock{
		BlockSize:    be.Uint32(b[sbBlockSize:]),
		MaxLen:       be.Uint32(b[sbMaxLen:]),
		First:        be.Uint32(b[sbFirst:]),
		Sequence:     be.Uint32(b[sbSequence:]),
		Start:        be.Uint32(b[sbStart:]),
		Errno:        int32(be.Uint32(b[sbErrno:])),
		Compat:       be.Uint32(b[sbCompat:]),
		Incompat:     be.Uint32(b[sbIncompat:]),
		ROCompat:     be.Uint32(b[sbROCompat:]),
		ChecksumType: b[sbChecksumType],
		raw:          append([]byte(nil), b[:superblockBytes]...),
	}
	copy(sb.UUID[:], b[sbUUID:sbUUID+16])
	if err := sb.check(); err != nil {
		return nil, err
	}
	if sb.csum() && be.Uint32(b[sbChecksum:]) != sb.checksum() {
		return nil, errors.New("jbd2: journal superblock checksum mismatch")
	}
	return sb, nil
}

// check refuses what this package does not support, and geometry that
// makes no sense.
func (sb *Superblock) check() error {
	if sb.Compat&CompatChecksum != 0 {
		return errors.New("jbd2: journal feature checksum (v1 commit checksums) is not supported")
	}
	if bad := sb.Incompat &^ supportedIncompat; bad != 0 {
		return fmt.Errorf("jbd2: journal feature %s is not supported", featureNames(bad))
	}
	if sb.Incompat&IncompatCsumV2 != 0 && sb.Incompat&IncompatCsumV3 != 0 {
		return errors.New("jbd2: journal features csum_v2 and csum_v3 are both set")
	}
	if sb.csum() && sb.ChecksumType != csumCRC32C {
		return fmt.Errorf("jbd2: journal checksum type %d is not supported (only crc32c, 4)", sb.ChecksumType)
	}
	switch sb.BlockSize {
	case 1024, 2048, 4096, 8192, 16384, 32768, 65536:
	default:
		return fmt.Errorf("jbd2: journal block size %d is not supported", sb.BlockSize)
	}
	if sb.First == 0 || sb.First >= sb.MaxLen || sb.MaxLen-sb.First < 4 {
		return fmt.Errorf("jbd2: bad journal geometry: s_first %d, s_maxlen %d", sb.First, sb.MaxLen)
	}
	if sb.Start != 0 && (sb.Start < sb.First || sb.Start >= sb.MaxLen) {
		return fmt.Errorf("jbd2: s_start %d outside the log [%d, %d)", sb.Start, sb.First, sb.MaxLen)
	}
	return nil
}

// csum reports whether the journal carries v2 or v3 checksums.
func (sb *Superblock) csum() bool { return sb.Incompat&(IncompatCsumV2|IncompatCsumV3) != 0 }

// csumV3 reports whether tags are the 16-byte tag3 with a full checksum.
func (sb *Superblock) csumV3() bool { return sb.Incompat&IncompatCsumV3 != 0 }

// is64 reports whether block numbers in tags and revoke records have 64
// bits.
func (sb *Superblock) is64() bool { return sb.Incompat&Incompat64Bit != 0 }

// seed is the checksum seed of every block but the superblock: crc32c
// of the journal UUID (journal.rst "Checksums").
func (sb *Superblock) seed() uint32 { return crc32c(^uint32(0), sb.UUID[:]) }

// checksum is the superblock's own checksum: crc32c from ~0 over the
// whole superblock with s_checksum zero.
func (sb *Superblock) checksum() uint32 {
	b := sb.encodeFields()
	be.PutUint32(b[sbChecksum:], 0)
	return crc32c(^uint32(0), b)
}

// encodeFields returns raw with the decoded fields written back.
func (sb *Superblock) encodeFields() []byte {
	b := append([]byte(nil), sb.raw...)
	be.PutUint32(b[sbBlockSize:], sb.BlockSize)
	be.PutUint32(b[sbMaxLen:], sb.MaxLen)
	be.PutUint32(b[sbFirst:], sb.First)
	be.PutUint32(b[sbSequence:], sb.Sequence)
	be.PutUint32(b[sbStart:], sb.Start)
	be.PutUint32(b[sbErrno:], uint32(sb.Errno))
	be.PutUint32(b[sbCompat:], sb.Compat)
	be.PutUint32(b[sbIncompat:], sb.Incompat)
	be.PutUint32(b[sbROCompat:], sb.ROCompat)
	copy(b[sbUUID:], sb.UUID[:])
	b[sbChecksumType] = sb.ChecksumType
	return b
}

// encode returns the on-disk superblock, with its checksum when the
// journal has checksums.
func (sb *Superblock) encode() []byte {
	b := sb.encodeFields()
	if sb.csum() {
		be.PutUint32(b[sbChecksum:], sb.checksum())
	} else {
		be.PutUint32(b[sbChecksum:], 0)
	}
	return b
}

// tagBytes is the size of one descriptor tag without the UUID that may
// follow it (journal.rst "Descriptor Block": journal_block_tag3_t under
// CSUM_V3, else journal_block_tag_t, whose t_checksum exists only under
// CSUM_V2 and t_blocknr_high only under 64BIT).
func (sb *Superblock) tagBytes() int {
	if sb.csumV3() {
		return 16
	}
	n := 8
	if sb.Incompat&IncompatCsumV2 != 0 {
		n += 2
	}
	if sb.is64() {
		n += 4
	}
	return n
}

// tailBytes is the size of the checksum tail of descriptor and revoke
// blocks.
func (sb *Superblock) tailBytes() int {
	if sb.csum() {
		return tailSize
	}
	return 0
}
