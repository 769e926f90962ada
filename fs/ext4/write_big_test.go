package ext4

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// rootDepth returns the depth of inode ino's extent tree.
func rootDepth(t *testing.T, f *FS, ino uint32) int {
	t.Helper()
	in, err := f.inode(ino)
	if err != nil {
		t.Fatal(err)
	}
	return int(binary.LittleEndian.Uint16(in.iblock[6:]))
}

// TestWriteLargeFile writes a 100 MiB file across many block groups
// (BLOCK_UNINIT ones included), then truncates it in two steps.
func TestWriteLargeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("large image")
	}
	blockSizes(t, func(t *testing.T, bs string) {
		img := mkfsImage(t, "", "160M", "-b", bs, "-d", writeTree(t))
		f := mountImage(t, img)
		ino := mustResolve(t, f, "empty")
		var m model
		chunk := pattern(9, 1<<20+123)
		for off := int64(0); off < 100<<20; off += int64(len(chunk)) {
			n, err := f.WriteAt(ino, chunk, off)
			if err != nil {
				t.Fatalf("WriteAt at %d: %d, %v", off, n, err)
			}
			m.write(chunk, off)
		}
		f = remount(t, f, img)
		checkFile(t, f, "empty", m)
		if err := f.Truncate(ino, 30<<20+5); err != nil {
			t.Fatal(err)
		}
		m.truncate(30<<20 + 5)
		f = remount(t, f, img)
		checkFile(t, f, "empty", m)
		if err := f.Truncate(ino, 0); err != nil {
			t.Fatal(err)
		}
		if err := f.Unmount(); err != nil {
			t.Fatal(err)
		}
		fsck(t, img)
		checkDump(t, img, "empty", nil)
	})
}

// TestWriteFragmented writes every other block (each one its own
// extent) until the tree has depth 2, fills the gaps in random order
// (inserts into full leaves split them; neighbours merge), and
// truncates into the middle of the tree.
func TestWriteFragmented(t *testing.T) {
	blockSizes(t, func(t *testing.T, bsName string) {
		img := mkfsImage(t, "", "64M", "-b", bsName, "-d", writeTree(t))
		f := mountImage(t, img)
		bs := int64(f.BlockSize())
		ino := mustResolve(t, f, "empty")
		var m model
		// Depth 2 needs more leaves than the root's 4 index entries.
		leaf := (bs - 12) / 12
		blocks := int(5*leaf*2 + 10)
		write := func(b int, seed byte) {
			p := pattern(seed, int(bs))
			if n, err := f.WriteAt(ino, p, int64(b)*bs); err != nil || n != len(p) {
				t.Fatalf("WriteAt block %d: %d, %v", b, n, err)
			}
			m.write(p, int64(b)*bs)
		}
		for b := 0; b < blocks; b += 2 {
			write(b, byte(b))
			// Allocate a block in between so that the extents do not
			// merge physically either.
			write(blocks+1+b, byte(b+1))
		}
		if d := rootDepth(t, f, ino); d != 2 {
			t.Fatalf("extent tree depth %d, want 2", d)
		}
		f = remount(t, f, img)
		checkFile(t, f, "empty", m)
		rng := rand.New(rand.NewPCG(1, 2))
		odd := rng.Perm(blocks / 2)
		for _, i := range odd {
			write(2*i+1, byte(i*3))
		}
		f = remount(t, f, img)
		checkFile(t, f, "empty", m)
		cut := int64(blocks/3)*bs + 77
		if err := f.Truncate(ino, cut); err != nil {
			t.Fatal(err)
		}
		m.truncate(cut)
		f = remount(t, f, img)
		checkFile(t, f, "empty", m)
		if err := f.Unmount(); err != nil {
			t.Fatal(err)
		}
		fsck(t, img)
		checkDump(t, img, "empty", m)
		f = mountImage(t, img)
		if err := f.Truncate(ino, 0); err != nil {
			t.Fatal(err)
		}
		if d := rootDepth(t, f, ino); d != 0 {
			t.Errorf("extent tree depth %d after truncating to 0, want 0", d)
		}
		if st, err := f.Stat(ino); err != nil || st.Blocks != 0 {
			t.Errorf("after truncating to 0: %d blocks, %v", st.Blocks, err)
		}
		if err := f.Unmount(); err != nil {
			t.Fatal(err)
		}
		fsck(t, img)
	})
}

// TestWriteRandom runs random writes and truncates on three files
// against an in-memory model, with an e2fsck every few steps.
func TestWriteRandom(t *testing.T) {
	blockSizes(t, func(t *testing.T, bs string) {
		img := mkfsImage(t, "", "48M", "-b", bs, "-d", writeTree(t))
		f := mountImage(t, img)
		names := []string{"small", "medium", "empty"}
		models := map[string]*model{}
		for _, n := range names {
			ino := mustResolve(t, f, n)
			data, err := readAll(f, ino, 1<<16)
			if err != nil {
				t.Fatal(err)
			}
			m := model(data)
			models[n] = &m
		}
		rng := rand.New(rand.NewPCG(3, 4))
		for step := 1; step <= 120; step++ {
			name := names[rng.IntN(len(names))]
			ino := mustResolve(t, f, name)
			m := models[name]
			switch rng.IntN(4) {
			case 0:
				size := rng.Int64N(3 << 20)
				if err := f.Truncate(ino, size); err != nil {
					t.Fatalf("step %d: Truncate(%s, %d): %v", step, name, size, err)
				}
				m.truncate(size)
			default:
				off := rng.Int64N(4 << 20)
				p := pattern(byte(step), 1+rng.IntN(70000))
				if n, err := f.WriteAt(ino, p, off); err != nil || n != len(p) {
					t.Fatalf("step %d: WriteAt(%s, %d, %d) = %d, %v", step, name, len(p), off, n, err)
				}
				m.write(p, off)
			}
			if step%30 == 0 {
				f = remount(t, f, img)
				for n, m := range models {
					checkFile(t, f, n, *m)
				}
			}
		}
		if err := f.Unmount(); err != nil {
			t.Fatal(err)
		}
		fsck(t, img)
		for n, m := range models {
			checkDump(t, img, n, *m)
		}
	})
}

// TestWriteENOSPC fills the disk: the write that does not fit returns
// what it wrote and ENOSPC, the blocks reserved for root stay free, and
// the file system stays consistent; after a truncate the space is
// usable again.
func TestWriteENOSPC(t *testing.T) {
	blockSizes(t, func(t *testing.T, bs string) {
		img := mkfsImage(t, "", "12M", "-b", bs, "-d", writeTree(t))
		f := mountImage(t, img)
		ino := mustResolve(t, f, "empty")
		var m model
		chunk := pattern(5, 300000)
		var err error
		for off := int64(0); err == nil; {
			var n int
			n, err = f.WriteAt(ino, chunk, off)
			m.write(chunk[:n], off)
			off += int64(n)
		}
		if ErrnoOf(err) != linux.ENOSPC {
			t.Fatalf("WriteAt at the end: %v, want ENOSPC", err)
		}
		f.mu.Lock()
		free, reserved := f.freeBlocksCount(), f.reservedBlocksCount()
		f.mu.Unlock()
		if free != reserved {
			t.Errorf("after ENOSPC: %d free blocks, want the %d reserved", free, reserved)
		}
		f = remount(t, f, img)
		checkFile(t, f, "empty", m)
		if err := f.Truncate(ino, 1000); err != nil {
			t.Fatal(err)
		}
		m.truncate(1000)
		p := pattern(6, 1<<20)
		if n, err := f.WriteAt(ino, p, 5000); err != nil || n != len(p) {
			t.Fatalf("WriteAt after truncate: %d, %v", n, err)
		}
		m.write(p, 5000)
		if err := f.Unmount(); err != nil {
			t.Fatal(err)
		}
		fsck(t, img)
		checkDump(t, img, "empty", m)
	})
}

// TestWriteFeatureVariants writes across block groups on images without
// some of the default features: crc16 group descriptors (uninit_bg
// instead of metadata_csum), no flex_bg (each group holds its own
// tables), 32-bit descriptors, no sparse_super (a backup in every group).
func TestWriteFeatureVariants(t *testing.T) {
	for _, opts := range []string{
		"^metadata_csum,uninit_bg",
		"^flex_bg",
		"^64bit",
		"^sparse_super,^resize_inode",
	} {
		t.Run(opts, func(t *testing.T) {
			img := mkfsImage(t, "", "40M", "-b", "1024", "-O", opts, "-d", writeTree(t))
			f := mountImage(t, img)
			ino := mustResolve(t, f, "empty")
			var m model
			p := pattern(3, 1<<20)
			for off := int64(0); off < 24<<20; off += int64(len(p)) + 4096 {
				if n, err := f.WriteAt(ino, p, off); err != nil || n != len(p) {
					t.Fatalf("WriteAt at %d: %d, %v", off, n, err)
				}
				m.write(p, off)
			}
			f = remount(t, f, img)
			checkFile(t, f, "empty", m)
			if err := f.Truncate(ino, 7<<20+3); err != nil {
				t.Fatal(err)
			}
			m.truncate(7<<20 + 3)
			if err := f.Unmount(); err != nil {
				t.Fatal(err)
			}
			fsck(t, img)
			checkDump(t, img, "empty", m)
		})
	}
}
