package jbd2

import (
	"errors"
	"time"
)

// A tag names one journalled block in a descriptor block (journal.rst
// "Descriptor Block").
type tag struct {
	block    uint64 // the block's home on the device
	flags    uint32
	checksum uint32 // tag3: crc32c; tag with CSUM_V2: its low 16 bits
}

// descriptorCapacity is the number of tags one descriptor block holds
// when the first tag carries the UUID and the others are SAME_UUID, as
// Linux and this package write them.
func (sb *Superblock) descriptorCapacity() int {
	room := int(sb.BlockSize) - headerSize - sb.tailBytes() - uuidSize
	return room / sb.tagBytes()
}

// encodeDescriptor fills b (one journal block) with a descriptor block
// for tags; the caller has sized tags to descriptorCapacity. The first
// tag is followed by the journal UUID, the rest are SAME_UUID, and the
// last one carries LAST_TAG.
func (sb *Superblock) encodeDescriptor(b []byte, seq uint32, tags []tag) {
	clear(b)
	putHeader(b, blockDescriptor, seq)
	off := headerSize
	for i, t := range tags {
		flags := t.flags
		if i > 0 {
			flags |= tagSameUUID
		}
		if i == len(tags)-1 {
			flags |= tagLast
		}
		sb.putTag(b[off:], t.block, flags, t.checksum)
		off += sb.tagBytes()
		if i == 0 {
			copy(b[off:], sb.UUID[:])
			off += uuidSize
		}
	}
	sb.setTail(b)
}

func (sb *Superblock) putTag(b []byte, block uint64, flags, csum uint32) {
	be.PutUint32(b[0:], uint32(block))
	if sb.csumV3() {
		be.PutUint32(b[4:], flags)
		be.PutUint32(b[8:], uint32(block>>32))
		be.PutUint32(b[12:], csum)
		return
	}
	be.PutUint16(b[4:], uint16(csum))
	be.PutUint16(b[6:], uint16(flags))
	if sb.is64() {
		be.PutUint32(b[8:], uint32(block>>32))
	}
}

// parseDescriptor returns the tags of a descriptor block, in order. It
// reads tags while a whole one fits before the checksum tail and stops
// after LAST_TAG, as Linux's recovery does (count_tags).
func (sb *Superblock) parseDescriptor(b []byte) []tag {
	var tags []tag
	end := len(b) - sb.tailBytes()
	size := sb.tagBytes()
	for off := headerSize; off+size <= end; {
		p := b[off:]
		var t tag
		t.block = uint64(be.Uint32(p[0:]))
		if sb.csumV3() {
			t.flags = be.Uint32(p[4:])
			if sb.is64() {
				t.block |= uint64(be.Uint32(p[8:])) << 32
			}
			t.checksum = be.Uint32(p[12:])
		} else {
			t.checksum = uint32(be.Uint16(p[4:]))
			t.flags = uint32(be.Uint16(p[6:]))
			if sb.is64() {
				t.block |= uint64(be.Uint32(p[8:])) << 32
			}
		}
		tags = append(tags, t)
		off += size
		if t.flags&tagSameUUID == 0 {
			off += uuidSize
		}
		if t.flags&tagLast != 0 {
			break
		}
	}
	return tags
}

// setTail writes the checksum tail of a descriptor or revoke block: the
// last four bytes hold crc32c(seed, block with the tail zero).
func (sb *Superblock) setTail(b []byte) {
	if !sb.csum() {
		return
	}
	t := b[len(b)-tailSize:]
	clear(t)
	be.PutUint32(t, crc32c(sb.seed(), b))
}

// tailOK checks the checksum tail of a descriptor or revoke block.
func (sb *Superblock) tailOK(b []byte) bool {
	if !sb.csum() {
		return true
	}
	t := b[len(b)-tailSize:]
	want := be.Uint32(t)
	c := append([]byte(nil), b...)
	clear(c[len(c)-tailSize:])
	return crc32c(sb.seed(), c) == want
}

// blockChecksum is the checksum of one journalled block as stored in
// the log (escaped), under the sequence of its transaction: crc32c of
// the big-endian sequence, then of the block (journal.rst "Checksums":
// jbd2_block_tag_csum_set).
func (sb *Superblock) blockChecksum(seq uint32, data []byte) uint32 {
	var s [4]byte
	be.PutUint32(s[:], seq)
	return crc32c(crc32c(sb.seed(), s[:]), data)
}

// tagOK checks a journalled block against its tag's checksum; under
// CSUM_V2 only the low 16 bits are stored.
func (sb *Superblock) tagOK(t tag, seq uint32, data []byte) bool {
	switch {
	case sb.csumV3():
		return sb.blockChecksum(seq, data) == t.checksum
	case sb.Incompat&IncompatCsumV2 != 0:
		return uint16(sb.blockChecksum(seq, data)) == uint16(t.checksum)
	}
	return true
}

// encodeCommit fills b with the commit block of transaction seq,
// stamped with the commit time (journal.rst "Commit Block"). Under
// CSUM_V2/V3 h_chksum_type and h_chksum_size stay zero and h_chksum[0]
// is crc32c(seed, block with h_chksum[0] zero).
func (sb *Superblock) encodeCommit(b []byte, seq uint32, now time.Time) {
	clear(b)
	putHeader(b, blockCommit, seq)
	be.PutUint64(b[commitSec:], uint64(now.Unix()))
	be.PutUint32(b[commitNsec:], uint32(now.Nanosecond()))
	if sb.csum() {
		be.PutUint32(b[commitChksum0:], crc32c(sb.seed(), b))
	}
}

// commitOK checks a commit block's checksum.
func (sb *Superblock) commitOK(b []byte) bool {
	if !sb.csum() {
		return true
	}
	want := be.Uint32(b[commitChksum0:])
	c := append([]byte(nil), b...)
	be.PutUint32(c[commitChksum0:], 0)
	return crc32c(sb.seed(), c) == want
}

// parseRevoke returns the block numbers a revoke block lists
// (journal.rst "Revocation Block": r_count bytes used, header included,
// then 4- or 8-byte block numbers).
func (sb *Superblock) parseRevoke(b []byte) ([]uint64, error) {
	n := int(be.Uint32(b[revokeCountOff:]))
	rec := 4
	if sb.is64() {
		rec = 8
	}
	if n > len(b)-sb.tailBytes() {
		return nil, errors.New("jbd2: bad revoke block count")
	}
	var blocks []uint64
	for off := headerSize + 4; off+rec <= n; off += rec {
		if rec == 8 {
			blocks = append(blocks, be.Uint64(b[off:]))
		} else {
			blocks = append(blocks, uint64(be.Uint32(b[off:])))
		}
	}
	return blocks, nil
}
