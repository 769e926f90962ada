package ext4

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// Directory entries (directory.rst "Linear (Classic) Directories",
// ext4_dir_entry_2): inode (4 bytes), rec_len (2), name_len (1),
// file_type (1), then the name, padded so that rec_len is a multiple of
// 4. With metadata_csum a leaf block ends with a 12-byte fake entry,
// ext4_dir_entry_tail (inode 0, rec_len 12, name_len 0, file_type 0xDE,
// then the crc32c of the block before it).
const (
	direntHdr    = 8
	dirTailSize  = 12
	dirTailType  = 0xDE
	maxNameLen   = 255
	minDirentLen = 12 // an entry with a 1- to 4-byte name
)

// DirEntry is one directory entry as getdents64 reports it.
type DirEntry struct {
	Ino  uint32
	Type uint8 // linux.DT_*
	Name string
	// Cookie is the position after this entry: passed back to ReadDir,
	// it continues with the next entry (getdents64's d_off).
	Cookie uint64
}

// dtypes maps the file_type of directory.rst "ext4_dir_entry_2" to
// getdents64's d_type.
var dtypes = [8]uint8{
	0: linux.DT_UNKNOWN, 1: linux.DT_REG, 2: linux.DT_DIR, 3: linux.DT_CHR,
	4: linux.DT_BLK, 5: linux.DT_FIFO, 6: linux.DT_SOCK, 7: linux.DT_LNK,
}

// recLen decodes a rec_len: 64 KiB blocks store 65536 as 0 or 65535
// (directory.rst, rec_len).
func recLen(v uint16, blockSize int) int {
	if blockSize >= 65536 && (v == 0 || v == 65535) {
		return 65536
	}
	return int(v)
}

// dirBlockKind says what a directory block holds.
type dirBlockKind int

const (
	dirHole   dirBlockKind = iota // not mapped: skipped, as Linux does
	dirLeaf                       // directory entries
	dirDxRoot                     // htree root: ".", "..", then the index
	dirDxNode                     // htree interior node: the index only
)

// dirBlock is one checked block of a directory.
type dirBlock struct {
	kind dirBlockKind
	data []byte
	end  int    // leaves: where the entries end (before the tail)
	n    uint64 // holes: how many blocks the hole spans
}

// readDirBlock reads logical block lblk of directory in and checks it as
// what it is: block 0 of an htree directory is the dx root; a block
// whose first entry is empty, nameless and spans it is a dx node; the
// rest are leaves.
func (f *FS) readDirBlock(in *inode, lblk uint64) (dirBlock, error) {
	run, err := f.mapBlock(in, uint32(lblk))
	if err != nil {
		return dirBlock{}, err
	}
	if run.kind != runData {
		return dirBlock{kind: dirHole, n: run.n}, nil
	}
	b, err := f.cache.get(run.phys)
	if err != nil {
		return dirBlock{}, err
	}
	bs := f.sb.blockSize
	data := b.data
	what := fmt.Sprintf("directory block %d (block %d) of inode %d", lblk, run.phys, in.ino)
	switch {
	case in.flags&flagIndex != 0 && lblk == 0:
		key := keyFor(kindDxNode, in.ino)
		if !f.cache.isVerified(b, key) {
			if err := f.checkDxRoot(in, data, what); err != nil {
				return dirBlock{}, err
			}
			f.cache.markVerified(b, key)
		}
		return dirBlock{kind: dirDxRoot, data: data}, nil
	case in.flags&flagIndex != 0 && isDxNode(data):
		key := keyFor(kindDxNode, in.ino)
		if !f.cache.isVerified(b, key) {
			if _, _, err := f.checkDx(in, data, 8, what); err != nil {
				return dirBlock{}, err
			}
			f.cache.markVerified(b, key)
		}
		return dirBlock{kind: dirDxNode, data: data}, nil
	}
	end := bs
	if f.sb.metadataCsum() {
		end = bs - dirTailSize
	}
	key := keyFor(kindDirLeaf, in.ino)
	if !f.cache.isVerified(b, key) {
		if err := f.checkLeaf(in, data, end, what); err != nil {
			return dirBlock{}, err
		}
		f.cache.markVerified(b, key)
	}
	return dirBlock{kind: dirLeaf, data: data, end: end}, nil
}

// checkLeaf verifies a leaf's checksum tail and that its entries chain
// exactly to end, each big enough for its name.
func (f *FS) checkLeaf(in *inode, data []byte, end int, what string) error {
	le := binary.LittleEndian
	if f.sb.metadataCsum() {
		t := data[end:]
		if le.Uint32(t) != 0 || le.Uint16(t[4:]) != dirTailSize || t[6] != 0 || t[7] != dirTailType {
			return corrupt("%s: no checksum tail", what)
		}
		stored := le.Uint32(t[8:])
		if c := crc32c(in.csumSeed, data[:end]); c != stored {
			return badCsum(what, stored, c)
		}
	}
	return checkDirents(data, end, f.sb.blockSize, f.sb.inodesCount, what)
}

// checkDirents checks the chain of entries in data[:end].
func checkDirents(data []byte, end, blockSize int, inodes uint32, what string) error {
	le := binary.LittleEndian
	for off := 0; off < end; {
		if off+direntHdr > end {
			return corrupt("%s: entry at offset %d crosses the end", what, off)
		}
		rl := recLen(le.Uint16(data[off+4:]), blockSize)
		nl := int(data[off+6])
		switch {
		case rl < minDirentLen || rl%4 != 0:
			return corrupt("%s: entry at offset %d has record length %d", what, off, rl)
		case off+rl > end:
			return corrupt("%s: entry at offset %d runs past the end (record length %d)", what, off, rl)
		case direntHdr+nl > rl:
			return corrupt("%s: entry at offset %d has a %d-byte name in %d bytes", what, off, nl, rl)
		case le.Uint32(data[off:]) > inodes:
			return corrupt("%s: entry at offset %d names inode %d", what, off, le.Uint32(data[off:]))
		}
		if le.Uint32(data[off:]) != 0 {
			name := data[off+direntHdr : off+direntHdr+nl]
			if nl == 0 || bytes.IndexByte(name, '/') >= 0 || bytes.IndexByte(name, 0) >= 0 {
				return corrupt("%s: entry at offset %d has the name %q", what, off, name)
			}
		}
		off += rl
	}
	return nil
}

// dirent is a decoded directory entry and its position in its block.
type dirent struct {
	off, next int // offset of the entry and of the one after it
	ino       uint32
	ftype     uint8
	name      []byte
}

// dirents calls fn for each used entry of a checked leaf, until fn
// returns false.
func (b dirBlock) dirents(blockSize int, fn func(dirent) bool) {
	le := binary.LittleEndian
	// A dx root's ".." spans the rest of the block (and the index in it),
	// so its chain ends at the block's end.
	end := b.end
	if b.kind == dirDxRoot {
		end = blockSize
	}
	for off := 0; off < end; {
		rl := recLen(le.Uint16(b.data[off+4:]), blockSize)
		if ino := le.Uint32(b.data[off:]); ino != 0 {
			nl := int(b.data[off+6])
			if !fn(dirent{off: off, next: off + rl, ino: ino, ftype: b.data[off+7], name: b.data[off+direntHdr : off+direntHdr+nl]}) {
				return
			}
		}
		off += rl
	}
}

// dirInode returns inode ino, which must be a directory.
func (f *FS) dirInode(ino uint32) (*inode, error) {
	in, err := f.inode(ino)
	if err != nil {
		return nil, err
	}
	if !in.isDir() {
		return nil, errorf(linux.ENOTDIR, "inode %d is not a directory", ino)
	}
	return in, nil
}

// dirBlocks is the number of blocks of directory in.
func (f *FS) dirBlocks(in *inode) uint64 {
	bs := uint64(f.sb.blockSize)
	return (in.size + bs - 1) / bs
}

// skip is how many blocks the caller moves on after b: all of a hole.
func (b dirBlock) skip() uint64 {
	if b.kind == dirHole {
		return b.n
	}
	return 1
}

// ReadDir returns the entries of directory ino from position cookie on (0
// for the start; else an entry's Cookie), at most max of them (max <= 0:
// all). "." and ".." are among them, as getdents64 gives them. Cookies
// are byte positions in the directory, so they stay valid while the
// directory does not change.
func (f *FS) ReadDir(ino uint32, cookie uint64, max int) ([]DirEntry, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	in, err := f.dirInode(ino)
	if err != nil {
		return nil, err
	}
	bs := uint64(f.sb.blockSize)
	var out []DirEntry
	for lblk := cookie / bs; lblk < f.dirBlocks(in); {
		b, err := f.readDirBlock(in, lblk)
		if err != nil {
			return out, err
		}
		if b.kind == dirHole || b.kind == dirDxNode {
			lblk += b.skip()
			continue
		}
		b.dirents(int(bs), func(d dirent) bool {
			pos := lblk*bs + uint64(d.off)
			if pos < cookie {
				return true
			}
			t := uint8(linux.DT_UNKNOWN)
			if f.sb.features.Incompat&incompatFiletype != 0 && d.ftype < uint8(len(dtypes)) {
				t = dtypes[d.ftype]
			}
			out = append(out, DirEntry{Ino: d.ino, Type: t, Name: string(d.name), Cookie: lblk*bs + uint64(d.next)})
			return max <= 0 || len(out) < max
		})
		if max > 0 && len(out) >= max {
			break
		}
		lblk++
	}
	return out, nil
}

// checkName returns the error Lookup gives for an impossible name.
func checkName(name string) error {
	switch {
	case len(name) == 0 || bytes.IndexByte([]byte(name), '/') >= 0 || bytes.IndexByte([]byte(name), 0) >= 0:
		return errorf(linux.EINVAL, "invalid file name %q", name)
	case len(name) > maxNameLen:
		return errorf(linux.ENAMETOOLONG, "file name of %d bytes (at most %d)", len(name), maxNameLen)
	}
	return nil
}

// Lookup returns the inode number that name has in directory dirIno.
// An htree directory is searched through its hash index (see htree.go).
func (f *FS) Lookup(dirIno uint32, name string) (uint32, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if err := checkName(name); err != nil {
		return 0, err
	}
	in, err := f.dirInode(dirIno)
	if err != nil {
		return 0, err
	}
	var ino uint32
	var found bool
	if in.flags&flagIndex != 0 && f.sb.features.Compat&compatDirIndex != 0 && name != "." && name != ".." {
		ino, found, err = f.dxLookup(in, []byte(name))
	} else {
		ino, found, err = f.linearLookup(in, []byte(name))
	}
	if err != nil {
		return 0, err
	}
	if !found {
		return 0, errorf(linux.ENOENT, "%q not found in directory %d", name, dirIno)
	}
	return ino, nil
}

// linearLookup searches every block of directory in for name.
func (f *FS) linearLookup(in *inode, name []byte) (ino uint32, found bool, err error) {
	for lblk := uint64(0); lblk < f.dirBlocks(in); lblk++ {
		b, err := f.readDirBlock(in, lblk)
		if err != nil {
			return 0, false, err
		}
		if ino, found = b.find(f.sb.blockSize, name); found {
			return ino, true, nil
		}
		lblk += b.skip() - 1
	}
	return 0, false, nil
}

// find searches a leaf (or the "." and ".." of a dx root) for name.
func (b dirBlock) find(blockSize int, name []byte) (ino uint32, found bool) {
	if b.kind != dirLeaf && b.kind != dirDxRoot {
		return 0, false
	}
	b.dirents(blockSize, func(d dirent) bool {
		if bytes.Equal(d.name, name) {
			ino, found = d.ino, true
			return false
		}
		return true
	})
	return ino, found
}
