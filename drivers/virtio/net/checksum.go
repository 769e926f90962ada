package virtionet

import (
	"encoding/binary"
	"math/bits"
)

// finishChecksum completes the partial checksum of a received frame that
// came with VIRTIO_NET_HDR_F_NEEDS_CSUM (§5.1.6.4; how the sum is formed
// is Packet Transmission point 2, §5.1.6.2): the field at start+offset
// holds the folded pseudo-header sum, and the Internet checksum of
// frame[start:], that field included, replaces it. A result of 0 is
// stored as 0xffff, its equal in ones' complement, because a UDP
// checksum of 0 means "none" (RFC 768); Linux does the same. It reports
// false, and leaves frame alone, when the field does not lie within the
// frame.
func finishChecksum(frame []byte, start, offset uint16) bool {
	field := int(start) + int(offset)
	if field+2 > len(frame) {
		return false
	}
	c := ^onesSum(frame[start:])
	if c == 0 {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(frame[field:], c)
	return true
}

// onesSum is the 16-bit ones' complement sum of b taken as big-endian
// 16-bit words, an odd last byte padded with a zero (RFC 1071), folded
// but not complemented.
//
// The sum does not depend on the order in which the words are added,
// and byte-swapping every word byte-swaps the sum (RFC 1071 §2(A), (B)),
// so it adds 64-bit little-endian words, carries and all, and swaps the
// folded result once.
func onesSum(b []byte) uint16 {
	var s, c uint64
	for len(b) >= 32 {
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[8:]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[16:]), c)
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b[24:]), c)
		b = b[32:]
	}
	for len(b) >= 8 {
		s, c = bits.Add64(s, binary.LittleEndian.Uint64(b), c)
		b = b[8:]
	}
	// Add the last carry back in; if that carries, s is 0, so adding
	// that carry cannot carry again. The same holds below.
	s, c = bits.Add64(s, c, 0)
	s += c
	if len(b) >= 4 {
		s, c = bits.Add64(s, uint64(binary.LittleEndian.Uint32(b)), 0)
		s += c
		b = b[4:]
	}
	if len(b) >= 2 {
		s, c = bits.Add64(s, uint64(binary.LittleEndian.Uint16(b)), 0)
		s += c
		b = b[2:]
	}
	if len(b) == 1 {
		// A lone last byte is the high byte of a big-endian word,
		// so the low byte of a little-endian one.
		s, c = bits.Add64(s, uint64(b[0]), 0)
		s += c
	}
	// Fold to 16 bits, adding each carry back in (end-around carry).
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return bits.ReverseBytes16(uint16(s))
}
