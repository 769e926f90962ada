package ext4

import "math/bits"

// Directory hash versions (directory.rst "Hash Tree Directories",
// dx_root.info.hash_version). The unsigned variants are not stored in
// dx_root: a file system whose s_flags say "unsigned" uses version+3 for
// the versions 0 to 2.
const (
	hashLegacy          = 0
	hashHalfMD4         = 1
	hashTea             = 2
	hashLegacyUnsigned  = 3
	hashHalfMD4Unsigned = 4
	hashTeaUnsigned     = 5
	htreeEOF32          = 0x7FFFFFFF // EXT4_HTREE_EOF_32BIT
)

// defaultHashSeed is the starting state when the superblock's
// s_hash_seed is all zero (the MD4 initial values).
var defaultHashSeed = [4]uint32{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476}

// dirHash computes the major hash of name that directory.rst "Hash Tree
// Directories" sorts an htree by, for hash version v and seed. ok is
// false for a version this package does not know (siphash is only for
// casefolded directories, which are refused).
func dirHash(name []byte, v int, seed [4]uint32) (hash uint32, ok bool) {
	buf := defaultHashSeed
	if seed != [4]uint32{} {
		buf = seed
	}
	signed := v < hashLegacyUnsigned
	switch v {
	case hashLegacy, hashLegacyUnsigned:
		hash = legacyHash(name, signed)
	case hashHalfMD4, hashHalfMD4Unsigned:
		var in [8]uint32
		for p := name; len(p) > 0; p = p[min(32, len(p)):] {
			hashBuf(p, in[:], signed)
			halfMD4(&buf, &in)
		}
		hash = buf[1]
	case hashTea, hashTeaUnsigned:
		var in [4]uint32
		for p := name; len(p) > 0; p = p[min(16, len(p)):] {
			hashBuf(p, in[:], signed)
			tea(&buf, &in)
		}
		hash = buf[0]
	default:
		return 0, false
	}
	// The lowest bit marks hash collisions in index entries, and the
	// largest value is reserved for end-of-directory.
	hash &^= 1
	if hash == htreeEOF32<<1 {
		hash = (htreeEOF32 - 1) << 1
	}
	return hash, true
}

// byteVal is a name byte as the hash sees it: sign-extended for the
// signed variants (C's signed char), as is for the unsigned ones.
func byteVal(c byte, signed bool) uint32 {
	if signed {
		return uint32(int32(int8(c)))
	}
	return uint32(c)
}

// legacyHash is the original ext3 htree hash (dx_hack_hash).
func legacyHash(name []byte, signed bool) uint32 {
	h0, h1 := uint32(0x12a3fe2d), uint32(0x37abe8f9)
	for _, c := range name {
		h := h1 + (h0 ^ byteVal(c, signed)*7152373)
		if h&0x80000000 != 0 {
			h -= 0x7fffffff
		}
		h1, h0 = h0, h
	}
	return h0 << 1
}

// hashBuf packs up to 4*len(out) bytes of p into out, four bytes to a
// word, big end first, padding every word that p does not fill with
// the remaining length repeated in each byte.
func hashBuf(p []byte, out []uint32, signed bool) {
	n := uint32(len(p))
	pad := n | n<<8
	pad |= pad << 16
	if len(p) > 4*len(out) {
		p = p[:4*len(out)]
	}
	val := pad
	w := 0
	for i, c := range p {
		val = byteVal(c, signed) + val<<8
		if i%4 == 3 {
			out[w] = val
			w++
			val = pad
		}
	}
	if w < len(out) {
		out[w] = val
		w++
	}
	for ; w < len(out); w++ {
		out[w] = pad
	}
}

// halfMD4 is the three-round, half-width MD4 transform of the htree
// hash: it mixes in into buf.
func halfMD4(buf *[4]uint32, in *[8]uint32) {
	const k2, k3 = 0x5A827999, 0x6ED9EBA1
	f := func(x, y, z uint32) uint32 { return z ^ (x & (y ^ z)) }
	g := func(x, y, z uint32) uint32 { return (x & y) + ((x ^ y) & z) }
	h := func(x, y, z uint32) uint32 { return x ^ y ^ z }
	a, b, c, d := buf[0], buf[1], buf[2], buf[3]
	type step struct {
		fn    func(x, y, z uint32) uint32
		k     uint32
		order [8]int
		shift [4]int
	}
	for _, r := range []step{
		{f, 0, [8]int{0, 1, 2, 3, 4, 5, 6, 7}, [4]int{3, 7, 11, 19}},
		{g, k2, [8]int{1, 3, 5, 7, 0, 2, 4, 6}, [4]int{3, 5, 9, 13}},
		{h, k3, [8]int{3, 7, 2, 6, 1, 5, 0, 4}, [4]int{3, 9, 11, 15}},
	} {
		for i := 0; i < 8; i += 4 {
			a = bits.RotateLeft32(a+r.fn(b, c, d)+in[r.order[i]]+r.k, r.shift[0])
			d = bits.RotateLeft32(d+r.fn(a, b, c)+in[r.order[i+1]]+r.k, r.shift[1])
			c = bits.RotateLeft32(c+r.fn(d, a, b)+in[r.order[i+2]]+r.k, r.shift[2])
			b = bits.RotateLeft32(b+r.fn(c, d, a)+in[r.order[i+3]]+r.k, r.shift[3])
		}
	}
	buf[0] += a
	buf[1] += b
	buf[2] += c
	buf[3] += d
}

// tea is 16 rounds of the TEA cipher with in as the key, mixing into the
// first two words of buf.
func tea(buf *[4]uint32, in *[4]uint32) {
	const delta = 0x9E3779B9
	var sum uint32
	b0, b1 := buf[0], buf[1]
	a, b, c, d := in[0], in[1], in[2], in[3]
	for range 16 {
		sum += delta
		b0 += ((b1 << 4) + a) ^ (b1 + sum) ^ ((b1 >> 5) + b)
		b1 += ((b0 << 4) + c) ^ (b0 + sum) ^ ((b0 >> 5) + d)
	}
	buf[0] += b0
	buf[1] += b1
}
