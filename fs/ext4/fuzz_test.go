package ext4

import (
	"encoding/binary"
	"errors"
	"io"
	"os"
	"testing"
)

// memDevice is a Device over a byte slice.
type memDevice []byte

func (m memDevice) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > int64(len(m)) {
		return 0, io.EOF
	}
	n := copy(p, m[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (m memDevice) WriteAt(p []byte, off int64) (int, error) {
	return 0, errors.New("read-only")
}
func (m memDevice) Flush() error    { return nil }
func (m memDevice) Size() int64     { return int64(len(m)) }
func (m memDevice) SectorSize() int { return 512 }

// fuzzImages are small images for the fuzzers: with metadata_csum (what
// coracle makes) and without (where only structure checks stand between
// damage and the parsers).
func fuzzImages(f *testing.F) [][]byte {
	tool(f, "mkfs.ext4")
	tree := smallTree(f)
	var imgs [][]byte
	for _, opts := range []string{"^has_journal", "^has_journal,^metadata_csum"} {
		img := mkfsImage(f, "", "1M", "-b", "1024", "-N", "64", "-O", opts, "-d", tree)
		data, err := os.ReadFile(img)
		if err != nil {
			f.Fatal(err)
		}
		imgs = append(imgs, data)
	}
	return imgs
}

// walk reads everything reachable in f once, ignoring errors: the
// fuzzers look for panics and hangs.
func walk(f *FS, ino uint32, seen map[uint32]bool) {
	if seen[ino] {
		return
	}
	seen[ino] = true
	st, err := f.Stat(ino)
	if err != nil {
		return
	}
	buf := make([]byte, 8192)
	switch st.Mode & sIFMT {
	case sIFREG:
		for off := int64(0); off < 1<<20; off += int64(len(buf)) {
			if _, err := f.ReadAt(ino, buf, off); err != nil {
				break
			}
		}
	case sIFLNK:
		f.Readlink(ino)
	case sIFDIR:
		entries, _ := f.ReadDir(ino, 0, 1000)
		for _, e := range entries {
			f.Lookup(ino, e.Name)
			if e.Name != "." && e.Name != ".." {
				walk(f, e.Ino, seen)
			}
		}
		f.Lookup(ino, "absent")
	}
}

// FuzzImage damages a small image with the fuzzer's patches (records of
// a 4-byte offset into the first 256 KiB, where the metadata is, and a
// byte) and reads all of it.
func FuzzImage(f *testing.F) {
	imgs := fuzzImages(f)
	f.Add(uint8(0), []byte{})
	f.Add(uint8(1), []byte{0x10, 0x04, 0, 0, 0xff})
	f.Add(uint8(1), []byte{0x28, 0x08, 0, 0, 0x01, 0x00, 0x10, 0, 0, 0x80})
	f.Fuzz(func(t *testing.T, which uint8, patches []byte) {
		img := append([]byte(nil), imgs[int(which)%len(imgs)]...)
		for ; len(patches) >= 5; patches = patches[5:] {
			off := binary.LittleEndian.Uint32(patches) % (256 << 10)
			img[off] = patches[4]
		}
		fs, err := Open(memDevice(img))
		if err != nil {
			return
		}
		walk(fs, RootIno, map[uint32]bool{})
	})
}

// FuzzSuperblock feeds superblocks to parseSuperblock, seeded with the
// real ones; with metadata_csum off, so that the geometry checks see
// the damage.
func FuzzSuperblock(f *testing.F) {
	for _, img := range fuzzImages(f) {
		f.Add(img[superblockOffset : superblockOffset+superblockSize])
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) < superblockSize {
			return
		}
		raw = append([]byte(nil), raw[:superblockSize]...)
		binary.LittleEndian.PutUint32(raw[0x64:], binary.LittleEndian.Uint32(raw[0x64:])&^roMetadataCsum)
		s, err := parseSuperblock(raw, false)
		if err != nil {
			return
		}
		if s.groupCount == 0 || s.blockSize < 1024 || s.inodeSize < 128 {
			t.Fatalf("accepted a superblock with %d groups, %d-byte blocks, %d-byte inodes", s.groupCount, s.blockSize, s.inodeSize)
		}
	})
}

// FuzzInode feeds inodes to parseInode and then reads them, on the image
// without checksums, seeded with its real inodes.
func FuzzInode(f *testing.F) {
	img := fuzzImages(f)[1]
	fs, err := Open(memDevice(img))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range []string{"", "data.bin", "sub", "link"} {
		ino, err := resolve(fs, path)
		if err != nil {
			f.Fatal(err)
		}
		g := (ino - 1) / fs.sb.inodesPerGroup
		off := int64(fs.groups[g].inodeTable)*int64(fs.sb.blockSize) + int64((ino-1)%fs.sb.inodesPerGroup)*int64(fs.sb.inodeSize)
		f.Add(img[off : off+int64(fs.sb.inodeSize)])
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) != int(fs.sb.inodeSize) {
			return
		}
		in, err := parseInode(fs.sb, 12, raw)
		if err != nil {
			return
		}
		buf := make([]byte, 4096)
		fs.readData(in, buf, 0)
		if in.isDir() {
			for lblk := uint64(0); lblk < fs.dirBlocks(in) && lblk < 64; lblk++ {
				if b, err := fs.readDirBlock(in, lblk); err == nil {
					b.find(fs.sb.blockSize, []byte("a"))
				}
			}
			fs.dxLookup(in, []byte("a"))
		}
	})
}

// FuzzDirents feeds directory blocks to the entry checks and, if they
// pass, to the iteration that trusts them.
func FuzzDirents(f *testing.F) {
	img := fuzzImages(f)[1]
	fs, err := Open(memDevice(img))
	if err != nil {
		f.Fatal(err)
	}
	sub, err := fs.inode(mustLookup(f, fs, "sub"))
	if err != nil {
		f.Fatal(err)
	}
	b, err := fs.readDirBlock(sub, 0)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b.data)
	f.Fuzz(func(t *testing.T, data []byte) {
		bs := fs.sb.blockSize
		if len(data) != bs {
			return
		}
		if err := checkDirents(data, bs, bs, fs.sb.inodesCount, "fuzz"); err != nil {
			return
		}
		dirBlock{kind: dirLeaf, data: data, end: bs}.dirents(bs, func(d dirent) bool {
			if d.next > bs || len(d.name) == 0 {
				t.Fatalf("entry %+v escapes the block", d)
			}
			return true
		})
		fs.checkDxRoot(sub, data, "fuzz")
	})
}

func mustLookup(t testing.TB, f *FS, path string) uint32 {
	t.Helper()
	ino, err := resolve(f, path)
	if err != nil {
		t.Fatal(err)
	}
	return ino
}
