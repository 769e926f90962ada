package ext4

import (
	"encoding/binary"
	"math/rand/v2"
	"time"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// wantExtraIsize is i_extra_isize for new inodes: the 32 bytes that hold
// the nanosecond and creation times and i_checksum_hi (Linux's default
// s_want_extra_isize).
const wantExtraIsize = 32

// now returns the current time as an inode time.
func now() Timespec {
	t := time.Now()
	return Timespec{Sec: t.Unix(), Nsec: uint32(t.Nanosecond())}
}

// newInode returns a fresh in-memory inode ino of type and permissions
// mode: times now, a random generation, and for regular files and
// directories the extents flag and an empty extent tree in i_block
// (ifork.rst "Extent Tree"). Nothing is written before writeInode.
func (t *tx) newInode(ino uint32, mode, uid, gid uint32) *inode {
	f := t.f
	ts := now()
	in := &inode{
		ino: ino, mode: uint16(mode), uid: uid, gid: gid, links: 1,
		generation: rand.Uint32(),
		atime:      ts, mtime: ts, ctime: ts, crtime: ts,
		raw: make([]byte, f.sb.inodeSize),
	}
	if f.sb.inodeSize > 128 {
		binary.LittleEndian.PutUint16(in.raw[0x80:], wantExtraIsize)
	}
	if t := mode & sIFMT; t == sIFREG || t == sIFDIR {
		in.flags |= flagExtents
		initExtentRoot(in.iblock[:])
	}
	in.csumSeed = crc32cU32(crc32cU32(f.sb.csumSeed(), ino), in.generation)
	return in
}

// initExtentRoot writes an empty depth-0 extent header into i_block: room
// for 4 extents.
func initExtentRoot(b []byte) {
	le := binary.LittleEndian
	clear(b)
	le.PutUint16(b[0:], extentMagic)
	le.PutUint16(b[4:], uint16((len(b)-extentHdrSize)/extentSize))
}

// encodeTime splits t into a 32-bit seconds field and its _extra field
// (inodes.rst "Inode Timestamps"), the inverse of decodeTime.
func encodeTime(t Timespec) (lo, extra uint32) {
	lo = uint32(t.Sec)
	epoch := uint32((t.Sec-int64(int32(lo)))>>32) & 3
	return lo, epoch | t.Nsec<<2
}

// writeInode encodes in into its raw bytes and its slot in the inode
// table, with its checksum (checksums.rst, inode). Fields this package
// does not know keep the bytes they were read with.
func (t *tx) writeInode(in *inode) error {
	f := t.f
	if !t.timesOnly {
		if f.w.dataMeta == nil {
			f.w.dataMeta = make(map[uint32]struct{})
		}
		f.w.dataMeta[in.ino] = struct{}{}
	}
	le := binary.LittleEndian
	raw := in.raw
	if len(raw) != int(f.sb.inodeSize) {
		return errorf(linux.EINVAL, "inode %d: encoding %d bytes, inodes have %d", in.ino, len(raw), f.sb.inodeSize)
	}
	extra := 0
	if len(raw) > 128 {
		extra = int(le.Uint16(raw[0x80:]))
	}
	fits := func(off, size int) bool { return off+size <= 128+extra }

	le.PutUint16(raw[0x0:], in.mode)
	le.PutUint16(raw[0x2:], uint16(in.uid))
	le.PutUint16(raw[0x78:], uint16(in.uid>>16))
	le.PutUint16(raw[0x18:], uint16(in.gid))
	le.PutUint16(raw[0x7A:], uint16(in.gid>>16))
	le.PutUint32(raw[0x4:], uint32(in.size))
	le.PutUint32(raw[0x6C:], uint32(in.size>>32))
	le.PutUint16(raw[0x1A:], in.links)
	le.PutUint32(raw[0x14:], in.dtime)
	le.PutUint32(raw[0x64:], in.generation)
	le.PutUint32(raw[0x68:], uint32(in.fileACL))
	le.PutUint16(raw[0x76:], uint16(in.fileACL>>32))
	copy(raw[0x28:0x64], in.iblock[:])

	// i_blocks (inodes.rst i_blocks_lo, l_i_blocks_high): 32 bits of
	// 512-byte sectors; with huge_file 48 bits, and past that
	// EXT4_HUGE_FILE_FL counts file system blocks.
	blocks, flags := in.blocks, in.flags&^flagHugeFile
	huge := f.sb.features.ROCompat&roHugeFile != 0
	switch {
	case blocks <= 0xFFFFFFFF:
	case huge && blocks < 1<<48:
	case huge:
		blocks /= uint64(f.sb.blockSize / 512)
		flags |= flagHugeFile
	default:
		return errorf(linux.EFBIG, "inode %d: %d sectors do not fit i_blocks without huge_file", in.ino, blocks)
	}
	le.PutUint32(raw[0x1C:], uint32(blocks))
	if huge {
		le.PutUint16(raw[0x74:], uint16(blocks>>32))
	}
	le.PutUint32(raw[0x20:], flags)

	putTime := func(off, extraOff int, ts Timespec) {
		lo, ex := encodeTime(ts)
		le.PutUint32(raw[off:], lo)
		if fits(extraOff, 4) {
			le.PutUint32(raw[extraOff:], ex)
		}
	}
	putTime(0x8, 0x8C, in.atime)
	putTime(0xC, 0x84, in.ctime)
	putTime(0x10, 0x88, in.mtime)
	if fits(0x90, 4) {
		putTime(0x90, 0x94, in.crtime)
	}

	// A file of 2 GiB or more needs large_file (super.rst
	// s_feature_ro_compat), as Linux sets it on demand.
	if in.size > 0x7FFFFFFF && f.sb.features.ROCompat&roLargeFile == 0 {
		f.sb.features.ROCompat |= roLargeFile
		le.PutUint32(f.w.sbRaw[sbROCompat:], f.sb.features.ROCompat)
	}

	if f.sb.metadataCsum() {
		in.csumSeed = crc32cU32(crc32cU32(f.sb.csumSeed(), in.ino), in.generation)
		hasHi := fits(0x82, 2)
		le.PutUint16(raw[0x7C:], 0)
		if hasHi {
			le.PutUint16(raw[0x82:], 0)
		}
		c := crc32c(in.csumSeed, raw)
		le.PutUint16(raw[0x7C:], uint16(c))
		if hasHi {
			le.PutUint16(raw[0x82:], uint16(c>>16))
		}
	}
	slot, err := t.inodeSlot(in.ino)
	if err != nil {
		return err
	}
	copy(slot, raw)
	return nil
}
