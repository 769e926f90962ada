package ext4

import (
	"encoding/binary"
	"fmt"
)

// Inode numbers with a fixed meaning (special_inodes.rst "Special
// inodes").
const RootIno = 2

// File types in i_mode (inodes.rst "i_mode"); the same values as Linux's
// S_IF*.
const (
	sIFMT   = 0xF000
	sIFIFO  = 0x1000
	sIFCHR  = 0x2000
	sIFDIR  = 0x4000
	sIFBLK  = 0x6000
	sIFREG  = 0x8000
	sIFLNK  = 0xA000
	sIFSOCK = 0xC000
)

// i_flags bits (inodes.rst "i_flags").
const (
	flagHugeFile   = 0x40000
	flagIndex      = 0x1000 // htree directory
	flagExtents    = 0x80000
	flagEAInode    = 0x200000
	flagInlineData = 0x10000000
)

// Timespec is a time as stat reports it.
type Timespec struct {
	Sec  int64
	Nsec uint32
}

// inode is a decoded on-disk inode (inodes.rst "Index Nodes", "The
// Contents of inode.i_block").
type inode struct {
	ino        uint32
	mode       uint16
	uid, gid   uint32
	size       uint64
	links      uint16
	blocks     uint64 // in 512-byte units, as stat's st_blocks
	flags      uint32
	generation uint32
	fileACL    uint64
	iblock     [60]byte
	atime      Timespec
	mtime      Timespec
	ctime      Timespec
	crtime     Timespec
	csumSeed   uint32 // seed of the checksums of this inode's blocks
	dtime      uint32 // i_dtime: deletion time, or the next inode on the orphan list
	// raw is the on-disk inode as read (or zeros for a new one);
	// writeInode encodes the fields above into it, so that fields this
	// package does not know survive.
	raw []byte
}

func (in *inode) isDir() bool { return in.mode&sIFMT == sIFDIR }

// decodeTime joins a 32-bit seconds field with its _extra field
// (inodes.rst "Inode Timestamps": the low two bits of extra extend the
// signed seconds by bits 32 and 33, the upper 30 bits are nanoseconds).
func decodeTime(lo, extra uint32, haveExtra bool) Timespec {
	t := Timespec{Sec: int64(int32(lo))}
	if haveExtra {
		t.Sec += int64(extra&3) << 32
		t.Nsec = extra >> 2
	}
	return t
}

// parseInode decodes raw, the s.inodeSize bytes of inode ino, checking its
// checksum (metadata_csum) and the fields that reading depends on.
func parseInode(s *superblock, ino uint32, raw []byte) (*inode, error) {
	le := binary.LittleEndian
	what := fmt.Sprintf("inode %d", ino)
	extra := 0
	if len(raw) > 128 {
		extra = int(le.Uint16(raw[0x80:]))
		// inodes.rst "Inode Size": i_extra_isize counts the bytes used
		// beyond the first 128 and is a multiple of 4.
		if 128+extra > len(raw) || extra&3 != 0 {
			return nil, corrupt("%s: extra inode size %d (inode size %d)", what, extra, len(raw))
		}
	}
	// fits reports whether the extra field at off..off+size is inside
	// i_extra_isize.
	fits := func(off, size int) bool { return off+size <= 128+extra }

	in := &inode{
		ino:        ino,
		mode:       le.Uint16(raw[0x0:]),
		uid:        uint32(le.Uint16(raw[0x2:])) | uint32(le.Uint16(raw[0x78:]))<<16,
		gid:        uint32(le.Uint16(raw[0x18:])) | uint32(le.Uint16(raw[0x7A:]))<<16,
		size:       uint64(le.Uint32(raw[0x4:])) | uint64(le.Uint32(raw[0x6C:]))<<32,
		links:      le.Uint16(raw[0x1A:]),
		flags:      le.Uint32(raw[0x20:]),
		generation: le.Uint32(raw[0x64:]),
		fileACL:    uint64(le.Uint32(raw[0x68:])) | uint64(le.Uint16(raw[0x76:]))<<32,
	}
	in.raw = append([]byte(nil), raw...)
	in.dtime = le.Uint32(raw[0x14:])
	copy(in.iblock[:], raw[0x28:0x64])
	in.csumSeed = crc32cU32(crc32cU32(s.csumSeed(), ino), in.generation)

	if s.metadataCsum() {
		// checksums.rst: crc32c(seed, inode number, generation, the whole
		// inode with i_checksum_lo and i_checksum_hi zeroed); the high 16
		// bits are stored only when i_extra_isize covers i_checksum_hi.
		hasHi := fits(0x82, 2)
		c := crc32c(in.csumSeed, raw[:0x7C])
		c = crc32c(c, []byte{0, 0})
		if hasHi {
			c = crc32c(c, raw[0x7E:0x82])
			c = crc32c(c, []byte{0, 0})
			c = crc32c(c, raw[0x84:])
		} else {
			c = crc32c(c, raw[0x7E:])
		}
		stored := uint32(le.Uint16(raw[0x7C:]))
		if hasHi {
			stored |= uint32(le.Uint16(raw[0x82:])) << 16
		} else {
			c &= 0xFFFF
		}
		if c != stored {
			return nil, badCsum(what, stored, c)
		}
	}

	// inodes.rst i_blocks_lo/l_i_blocks_high: with huge_file the count
	// has 48 bits, and EXT4_HUGE_FILE_FL makes its unit the file system
	// block instead of the 512-byte sector.
	in.blocks = uint64(le.Uint32(raw[0x1C:]))
	if s.features.ROCompat&roHugeFile != 0 {
		in.blocks |= uint64(le.Uint16(raw[0x74:])) << 32
		if in.flags&flagHugeFile != 0 {
			in.blocks *= uint64(s.blockSize / 512)
		}
	}
	in.atime = timeAt(raw, 0x8, 0x8C, fits)
	in.ctime = timeAt(raw, 0xC, 0x84, fits)
	in.mtime = timeAt(raw, 0x10, 0x88, fits)
	if fits(0x90, 4) {
		in.crtime = timeAt(raw, 0x90, 0x94, fits)
	}

	switch in.mode & sIFMT {
	case sIFREG, sIFDIR, sIFLNK, sIFCHR, sIFBLK, sIFIFO, sIFSOCK:
	default:
		return nil, corrupt("%s: mode %#o has no valid file type", what, in.mode)
	}
	// Logical block numbers have 32 bits (ifork.rst "Extent Tree").
	if in.size > uint64(s.blockSize)<<32 {
		return nil, corrupt("%s: size %d", what, in.size)
	}
	if in.flags&flagInlineData != 0 {
		return nil, corrupt("%s has inline data, but the inline_data feature is off", what)
	}
	return in, nil
}

// timeAt decodes the time whose seconds are at off and whose _extra
// field, if the inode has room for it, is at extraOff.
func timeAt(raw []byte, off, extraOff int, fits func(int, int) bool) Timespec {
	le := binary.LittleEndian
	if !fits(extraOff, 4) {
		return decodeTime(le.Uint32(raw[off:]), 0, false)
	}
	return decodeTime(le.Uint32(raw[off:]), le.Uint32(raw[extraOff:]), true)
}
