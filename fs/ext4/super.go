package ext4

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// superblockOffset is where the superblock starts on the device, and
// superblockSize its size (super.rst "Super Block": "the superblock is
// located at offset 1024 bytes from the start of the device").
const (
	superblockOffset = 1024
	superblockSize   = 1024
	superMagic       = 0xEF53
)

// superblock holds the fields of super.rst "Super Block" this package
// uses.
type superblock struct {
	inodesCount    uint32
	blocksCount    uint64
	firstDataBlock uint32
	logBlockSize   uint32
	blocksPerGroup uint32
	inodesPerGroup uint32
	state          uint16
	revLevel       uint32
	firstIno       uint32
	inodeSize      uint16
	features       Features
	uuid           [16]byte
	volumeName     [16]byte
	journalInum    uint32
	hashSeed       [4]uint32
	defHashVersion uint8
	descSize       uint16 // group descriptor size: 32, or s_desc_size with 64bit
	flags          uint32 // s_flags: signed/unsigned directory hash
	checksumType   uint8
	checksumSeed   uint32

	blockSize  int
	groupCount uint32
}

// s_flags bits (super.rst, s_flags).
const (
	flagSignedHash   = 0x1
	flagUnsignedHash = 0x2
)

// parseSuperblock decodes and checks the 1024 bytes of a superblock. It
// verifies the checksum when metadata_csum is on and rejects geometry
// that would make later arithmetic overflow or loop.
func parseSuperblock(b []byte, recovering bool) (*superblock, error) {
	if len(b) < superblockSize {
		return nil, corrupt("superblock is %d bytes", len(b))
	}
	le := binary.LittleEndian
	if m := le.Uint16(b[0x38:]); m != superMagic {
		return nil, errorf(linux.EINVAL, "not an ext2/3/4 file system: superblock magic is %#x, want %#x", m, superMagic)
	}
	s := &superblock{
		inodesCount:    le.Uint32(b[0x0:]),
		blocksCount:    uint64(le.Uint32(b[0x4:])),
		firstDataBlock: le.Uint32(b[0x14:]),
		logBlockSize:   le.Uint32(b[0x18:]),
		blocksPerGroup: le.Uint32(b[0x20:]),
		inodesPerGroup: le.Uint32(b[0x28:]),
		state:          le.Uint16(b[0x3A:]),
		revLevel:       le.Uint32(b[0x4C:]),
		firstIno:       11,
		inodeSize:      128,
		features: Features{
			Compat:   le.Uint32(b[0x5C:]),
			Incompat: le.Uint32(b[0x60:]),
			ROCompat: le.Uint32(b[0x64:]),
		},
		journalInum:    le.Uint32(b[0xE0:]),
		defHashVersion: b[0xFC],
		descSize:       32,
		flags:          le.Uint32(b[0x160:]),
		checksumType:   b[0x175],
		checksumSeed:   le.Uint32(b[0x270:]),
	}
	copy(s.uuid[:], b[0x68:0x78])
	copy(s.volumeName[:], b[0x78:0x88])
	for i := range s.hashSeed {
		s.hashSeed[i] = le.Uint32(b[0xEC+4*i:])
	}
	// Dynamic revision (1) superblocks carry the inode size and the first
	// ordinary inode; revision 0 has fixed values (super.rst s_rev_level).
	if s.revLevel >= 1 {
		s.firstIno = le.Uint32(b[0x54:])
		s.inodeSize = le.Uint16(b[0x58:])
	}
	if s.features.Incompat&incompat64bit != 0 {
		s.blocksCount |= uint64(le.Uint32(b[0x150:])) << 32
		s.descSize = le.Uint16(b[0xFE:])
	}

	if s.features.ROCompat&roMetadataCsum != 0 {
		// super.rst s_checksum_type: 1 is crc32c, the only one defined.
		if s.checksumType != 1 {
			return nil, corrupt("superblock checksum type %d (want 1, crc32c)", s.checksumType)
		}
		stored := le.Uint32(b[0x3FC:])
		if c := crc32c(^uint32(0), b[:0x3FC]); c != stored {
			return nil, badCsum("the superblock", stored, c)
		}
	}

	// Features before geometry: bigalloc, for one, changes what the
	// geometry means.
	if err := checkFeatures(s.features, recovering); err != nil {
		return nil, err
	}
	if s.logBlockSize > 6 { // 1 KiB << 6 = 64 KiB, the largest block size
		return nil, corrupt("superblock block size 2^(10+%d)", s.logBlockSize)
	}
	s.blockSize = 1024 << s.logBlockSize
	bits := uint32(8 * s.blockSize) // one bitmap block per group
	switch {
	case s.blocksPerGroup == 0 || s.blocksPerGroup > bits:
		return nil, corrupt("superblock blocks per group %d (block size %d)", s.blocksPerGroup, s.blockSize)
	case s.inodesPerGroup == 0 || s.inodesPerGroup > bits:
		return nil, corrupt("superblock inodes per group %d (block size %d)", s.inodesPerGroup, s.blockSize)
	case s.inodeSize < 128 || int(s.inodeSize) > s.blockSize || s.inodeSize&(s.inodeSize-1) != 0:
		return nil, corrupt("superblock inode size %d", s.inodeSize)
	case s.firstIno < 11 || s.firstIno > s.inodesCount:
		return nil, corrupt("superblock first inode %d", s.firstIno)
	case s.descSize < 32 || s.descSize > 1024 || s.descSize&(s.descSize-1) != 0 ||
		s.features.Incompat&incompat64bit != 0 && s.descSize < 64:
		return nil, corrupt("superblock group descriptor size %d", s.descSize)
	case uint64(s.firstDataBlock) >= s.blocksCount:
		return nil, corrupt("superblock first data block %d of %d", s.firstDataBlock, s.blocksCount)
	case s.blockSize == 1024 && s.firstDataBlock != 1 || s.blockSize > 1024 && s.firstDataBlock != 0:
		return nil, corrupt("superblock first data block %d with %d-byte blocks", s.firstDataBlock, s.blockSize)
	}
	groups := (s.blocksCount - uint64(s.firstDataBlock) + uint64(s.blocksPerGroup) - 1) / uint64(s.blocksPerGroup)
	if groups == 0 || groups > 1<<32-1 || groups*uint64(s.inodesPerGroup) != uint64(s.inodesCount) {
		return nil, corrupt("superblock: %d groups of %d inodes, but %d inodes in all", groups, s.inodesPerGroup, s.inodesCount)
	}
	s.groupCount = uint32(groups)
	return s, nil
}

// csumSeed is the seed of every metadata checksum but the superblock's
// (checksums.rst "Checksums": the crc32c of the UUID, or s_checksum_seed
// with metadata_csum_seed).
func (s *superblock) csumSeed() uint32 {
	if s.features.Incompat&incompatCsumSeed != 0 {
		return s.checksumSeed
	}
	return crc32c(^uint32(0), s.uuid[:])
}

func (s *superblock) metadataCsum() bool { return s.features.ROCompat&roMetadataCsum != 0 }
