package ext4

import (
	"fmt"
	"io"
	"sync"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// cacheBlocks is how many metadata blocks an FS keeps (4 MiB with 4 KiB
// blocks).
const cacheBlocks = 1024

// FS is an open ext4 file system.
type FS struct {
	dev    Device
	sb     *superblock
	groups []groupDesc
	cache  *blockCache

	// mu orders the public calls: reads take it shared, changes
	// exclusive. Internal methods expect the caller to hold it.
	mu sync.RWMutex
	// w is the write side's state (journal, running transaction,
	// allocator bookkeeping); nil for an FS from Open or a read-only
	// Mount.
	w *writer
}

// Open reads the superblock and group descriptors of the file system on
// dev and checks them (super.rst "Super Block", group_descr.rst "Block
// Group Descriptors", blockgroup.rst "Layout"). It refuses, naming them,
// the features it cannot read (inline_data, meta_bg, encrypt, casefold,
// bigalloc, ..., or an image without extents) and a journal that needs
// recovery.
func Open(dev Device) (*FS, error) { return open(dev, false) }

// open is Open; with recovering, a journal that needs recovery is left
// for the caller (Mount) to replay.
func open(dev Device, recovering bool) (*FS, error) {
	raw := make([]byte, superblockSize)
	if _, err := dev.ReadAt(raw, superblockOffset); err != nil {
		return nil, ioError(err, "reading the superblock")
	}
	sb, err := parseSuperblock(raw, recovering)
	if err != nil {
		return nil, err
	}
	if size := sb.blocksCount * uint64(sb.blockSize); size > uint64(dev.Size()) {
		return nil, errorf(linux.EINVAL, "the file system has %d bytes, the device only %d", size, dev.Size())
	}
	// Without meta_bg the descriptor table follows the superblock's
	// block (blockgroup.rst "Layout").
	gdt := make([]byte, int(sb.groupCount)*int(sb.descSize))
	if _, err := dev.ReadAt(gdt, int64(sb.firstDataBlock+1)*int64(sb.blockSize)); err != nil {
		return nil, ioError(err, "reading the group descriptors")
	}
	groups, err := parseGroupDescs(sb, gdt)
	if err != nil {
		return nil, err
	}
	f := &FS{dev: dev, sb: sb, groups: groups, cache: newBlockCache(dev, sb.blockSize, cacheBlocks)}
	if _, err := f.dirInode(RootIno); err != nil {
		return nil, fmt.Errorf("root directory: %w", err)
	}
	return f, nil
}

// BlockSize is the file system's block size in bytes.
func (f *FS) BlockSize() int { return f.sb.blockSize }

// Features returns the superblock's feature sets. A writer must refuse
// ro_compat features outside the set it knows.
func (f *FS) Features() Features { return f.sb.features }

// inode reads and checks inode ino (inodes.rst "Finding an Inode": group
// (ino-1)/s_inodes_per_group, index (ino-1)%s_inodes_per_group in that
// group's table). An inode that is not in use is ESTALE, as in Linux.
func (f *FS) inode(ino uint32) (*inode, error) {
	in, err := f.inodeSlot(ino)
	if err != nil {
		return nil, err
	}
	if in.links == 0 || in.mode == 0 {
		return nil, errorf(linux.ESTALE, "inode %d is not in use (deleted)", ino)
	}
	return in, nil
}

// liveInode is inode, but also returns an unlinked inode that is still
// held open (on the orphan list): stat and read work on an open file
// after its last name is gone.
func (f *FS) liveInode(ino uint32) (*inode, error) {
	in, err := f.inodeSlot(ino)
	if err != nil {
		return nil, err
	}
	if in.mode == 0 || in.links == 0 && (f.w == nil || f.w.held[ino] == 0) {
		return nil, errorf(linux.ESTALE, "inode %d is not in use (deleted)", ino)
	}
	return in, nil
}

// inodeSlot reads and checks inode ino like inode, but returns it even
// when its link count is 0: an unlinked inode that is still open.
func (f *FS) inodeSlot(ino uint32) (*inode, error) {
	if ino == 0 || ino > f.sb.inodesCount {
		return nil, errorf(linux.ESTALE, "inode %d does not exist (the file system has %d)", ino, f.sb.inodesCount)
	}
	g := (ino - 1) / f.sb.inodesPerGroup
	idx := (ino - 1) % f.sb.inodesPerGroup
	gd := &f.groups[g]
	// blockgroup.rst "Lazy Block Group Initialization": an uninitialised
	// table, or the unused end of one, holds no inodes (and may hold
	// garbage, since mkfs does not zero it).
	if f.sb.features.ROCompat&(roGdtCsum|roMetadataCsum) != 0 &&
		(gd.flags&bgInodeUninit != 0 || idx >= f.sb.inodesPerGroup-gd.itableUnused) {
		return nil, errorf(linux.ESTALE, "inode %d is not in use (past the used part of group %d's table)", ino, g)
	}
	off := uint64(idx) * uint64(f.sb.inodeSize)
	bs := uint64(f.sb.blockSize)
	b, err := f.cache.get(gd.inodeTable + off/bs)
	if err != nil {
		return nil, err
	}
	raw := b.data[off%bs : off%bs+uint64(f.sb.inodeSize)]
	return parseInode(f.sb, ino, raw)
}

// Stat is an inode's attributes, as stat(2) reports them.
type Stat struct {
	Ino     uint64
	Mode    uint32 // file type and permissions, as st_mode
	Nlink   uint32
	Uid     uint32
	Gid     uint32
	Rdev    uint64 // device number of a device file (Linux's new_encode_dev)
	Size    int64
	Blksize int64
	Blocks  int64 // in 512-byte units
	Atime   Timespec
	Mtime   Timespec
	Ctime   Timespec
	Btime   Timespec // creation time (statx's stx_btime)
	// Generation and Flags are i_generation and i_flags (the latter as
	// FS_IOC_GETFLAGS reports a subset of them).
	Generation uint32
	Flags      uint32
}

// Stat returns the attributes of inode ino.
func (f *FS) Stat(ino uint32) (Stat, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	in, err := f.liveInode(ino)
	if err != nil {
		return Stat{}, err
	}
	st := Stat{
		Ino: uint64(ino), Mode: uint32(in.mode), Nlink: uint32(in.links),
		Uid: in.uid, Gid: in.gid, Size: int64(in.size),
		Blksize: int64(f.sb.blockSize), Blocks: int64(in.blocks),
		Atime: in.atime, Mtime: in.mtime, Ctime: in.ctime, Btime: in.crtime,
		Generation: in.generation, Flags: in.flags,
	}
	if t := in.mode & sIFMT; t == sIFCHR || t == sIFBLK {
		st.Rdev = deviceNumber(in)
	}
	return st, nil
}

// deviceNumber decodes a device file's number from i_block (ifork.rst
// "The Contents of inode.i_block": the old 8:8 encoding in the first word
// if it is not zero, else the new 12:20 encoding in the second) and
// returns it in Linux's new_encode_dev layout, which stat's st_rdev uses.
func deviceNumber(in *inode) uint64 {
	w0 := uint32(in.iblock[0]) | uint32(in.iblock[1])<<8 | uint32(in.iblock[2])<<16 | uint32(in.iblock[3])<<24
	w1 := uint32(in.iblock[4]) | uint32(in.iblock[5])<<8 | uint32(in.iblock[6])<<16 | uint32(in.iblock[7])<<24
	var major, minor uint32
	if w0 != 0 {
		major, minor = w0>>8&0xff, w0&0xff
	} else {
		major, minor = (w1&0xfff00)>>8, w1&0xff|(w1>>12)&0xfff00
	}
	return uint64(minor&0xff | major<<8 | (minor&^0xff)<<12)
}

// ReadAt reads from regular file ino at off into p, as io.ReaderAt does:
// fewer than len(p) bytes come with io.EOF, at the end of the file. Holes
// and unwritten extents read as zeros.
func (f *FS) ReadAt(ino uint32, p []byte, off int64) (int, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	in, err := f.liveInode(ino)
	if err != nil {
		return 0, err
	}
	switch in.mode & sIFMT {
	case sIFREG:
	case sIFDIR:
		return 0, errorf(linux.EISDIR, "inode %d is a directory", ino)
	default:
		return 0, errorf(linux.EINVAL, "inode %d is not a regular file", ino)
	}
	if off < 0 {
		return 0, errorf(linux.EINVAL, "negative offset %d", off)
	}
	return f.readData(in, p, off)
}

// readData reads in's data at off through its extent tree.
func (f *FS) readData(in *inode, p []byte, off int64) (int, error) {
	if uint64(off) >= in.size {
		return 0, io.EOF
	}
	want := len(p)
	if rest := in.size - uint64(off); uint64(want) > rest {
		want = int(rest)
	}
	bs := uint64(f.sb.blockSize)
	n := 0
	for n < want {
		pos := uint64(off) + uint64(n)
		run, err := f.mapBlock(in, uint32(pos/bs))
		if err != nil {
			return n, err
		}
		// The run's bytes from pos, as far as the caller wants.
		length := run.n*bs - pos%bs
		if length > uint64(want-n) {
			length = uint64(want - n)
		}
		dst := p[n : n+int(length)]
		if run.kind == runData {
			if _, err := f.dev.ReadAt(dst, int64(run.phys*bs+pos%bs)); err != nil {
				return n, ioError(err, "reading block %d of inode %d", run.phys, in.ino)
			}
		} else {
			clear(dst)
		}
		n += int(length)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// maxSymlink is the longest symlink target (PATH_MAX less its NUL).
const maxSymlink = 4095

// Readlink returns the target of symlink ino: in i_block for a fast
// symlink, in its data block otherwise (ifork.rst "Symbolic Links"). A
// symlink is fast when it has no blocks besides an extended attribute
// block, as Linux decides.
func (f *FS) Readlink(ino uint32) (string, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	in, err := f.inode(ino)
	if err != nil {
		return "", err
	}
	if in.mode&sIFMT != sIFLNK {
		return "", errorf(linux.EINVAL, "inode %d is not a symlink", ino)
	}
	if in.size == 0 || in.size > maxSymlink {
		return "", corrupt("symlink inode %d has size %d", ino, in.size)
	}
	blocks := in.blocks
	if in.fileACL != 0 {
		blocks -= uint64(f.sb.blockSize / 512)
	}
	if blocks == 0 {
		if in.size >= uint64(len(in.iblock)) {
			return "", corrupt("fast symlink inode %d has size %d", ino, in.size)
		}
		return string(in.iblock[:in.size]), nil
	}
	buf := make([]byte, in.size)
	if _, err := f.readData(in, buf, 0); err != nil {
		return "", err
	}
	return string(buf), nil
}
