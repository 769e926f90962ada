package ext4

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// variants are the test images: both block sizes, with linear
// directories as mkfs.ext4 -d writes them and with htrees.
var variants = []struct {
	blockSize int
	htree     bool
}{{4096, false}, {4096, true}, {1024, false}, {1024, true}}

func variantName(bs int, htree bool) string {
	if htree {
		return fmt.Sprintf("%dk-htree", bs/1024)
	}
	return fmt.Sprintf("%dk-linear", bs/1024)
}

// TestReadTree reads every file, directory and symlink of each image and
// compares it with the source tree: names, types, inode numbers of
// entries, modes, sizes, owners, times and contents.
func TestReadTree(t *testing.T) {
	tool(t, "mkfs.ext4")
	tree := sourceTree(t)
	for _, v := range variants {
		t.Run(variantName(v.blockSize, v.htree), func(t *testing.T) {
			t.Parallel()
			f := openImage(t, image(t, v.blockSize, v.htree))
			if f.BlockSize() != v.blockSize {
				t.Fatalf("block size %d, want %d", f.BlockSize(), v.blockSize)
			}
			compareTree(t, f, tree)
		})
	}
}

func compareTree(t *testing.T, f *FS, tree string) {
	err := filepath.WalkDir(tree, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(tree, path)
		ino, err := resolve(f, filepath.ToSlash(rel))
		if err != nil {
			t.Errorf("lookup %q: %v", rel, err)
			return nil
		}
		var src syscall.Stat_t
		if err := syscall.Lstat(path, &src); err != nil {
			return err
		}
		st, err := f.Stat(ino)
		if err != nil {
			t.Errorf("stat %q: %v", rel, err)
			return nil
		}
		compareStat(t, rel, st, &src)
		switch src.Mode & syscall.S_IFMT {
		case syscall.S_IFREG:
			want, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, chunk := range []int{1 << 20, 4096 + 7} {
				got, err := readAll(f, ino, chunk)
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("%q read in %d-byte chunks: %d bytes, %v; want the %d bytes of the source", rel, chunk, len(got), err, len(want))
				}
			}
		case syscall.S_IFLNK:
			want, _ := os.Readlink(path)
			if got, err := f.Readlink(ino); got != want || err != nil {
				t.Errorf("readlink %q = %q, %v; want %q", rel, got, err, want)
			}
		case syscall.S_IFDIR:
			compareDir(t, f, rel, ino, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func compareStat(t *testing.T, rel string, st Stat, src *syscall.Stat_t) {
	if st.Mode != src.Mode {
		t.Errorf("%q: mode %#o, want %#o", rel, st.Mode, src.Mode)
	}
	if st.Uid != src.Uid || st.Gid != src.Gid {
		t.Errorf("%q: owner %d:%d, want %d:%d", rel, st.Uid, st.Gid, src.Uid, src.Gid)
	}
	if src.Mode&syscall.S_IFMT != syscall.S_IFDIR && st.Size != src.Size {
		t.Errorf("%q: size %d, want %d", rel, st.Size, src.Size)
	}
	if src.Mode&syscall.S_IFMT == syscall.S_IFREG && st.Nlink != 1 {
		t.Errorf("%q: %d links, want 1", rel, st.Nlink)
	}
	// The root's times are mkfs's (it adds lost+found there).
	if rel != "." && st.Mtime.Sec != src.Mtim.Sec || st.Mtime.Nsec != 0 && int64(st.Mtime.Nsec) != src.Mtim.Nsec {
		t.Errorf("%q: mtime %v, want %d.%09d", rel, st.Mtime, src.Mtim.Sec, src.Mtim.Nsec)
	}
	if st.Blksize != int64(st.Blksize) || st.Blocks < 0 {
		t.Errorf("%q: blocks %d", rel, st.Blocks)
	}
}

// compareDir checks that ReadDir of ino lists the source directory path
// (plus ".", ".." and, at the root, lost+found) with the right types, and
// that each entry's inode is what Lookup gives; then that reading in
// small batches, continuing from each batch's last cookie, gives the
// same entries.
func compareDir(t *testing.T, f *FS, rel string, ino uint32, path string) {
	all, err := f.ReadDir(ino, 0, 0)
	if err != nil {
		t.Errorf("readdir %q: %v", rel, err)
		return
	}
	src, err := os.ReadDir(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]uint8{".": linux.DT_DIR, "..": linux.DT_DIR}
	if rel == "." {
		want["lost+found"] = linux.DT_DIR
	}
	for _, e := range src {
		want[e.Name()] = dtypeOf(e.Type())
	}
	got := map[string]uint8{}
	for _, e := range all {
		if _, dup := got[e.Name]; dup {
			t.Errorf("readdir %q: %q twice", rel, e.Name)
		}
		got[e.Name] = e.Type
		if e.Name == "." || e.Name == ".." {
			continue
		}
		if li, err := f.Lookup(ino, e.Name); li != e.Ino || err != nil {
			t.Errorf("%q: lookup %q = %d, %v; readdir says inode %d", rel, e.Name, li, err, e.Ino)
		}
	}
	if len(got) != len(want) {
		t.Errorf("readdir %q: %d entries, want %d", rel, len(got), len(want))
	}
	for name, typ := range want {
		if g, ok := got[name]; !ok || g != typ {
			t.Errorf("readdir %q: %q has type %d (present %v), want %d", rel, name, g, ok, typ)
		}
	}
	// Batches of 7 from the last cookie give the same sequence.
	var batched []DirEntry
	for cookie := uint64(0); ; {
		b, err := f.ReadDir(ino, cookie, 7)
		if err != nil {
			t.Errorf("readdir %q from %d: %v", rel, cookie, err)
			return
		}
		if len(b) == 0 {
			break
		}
		batched = append(batched, b...)
		cookie = b[len(b)-1].Cookie
	}
	if !slices.Equal(batched, all) {
		t.Errorf("readdir %q in batches: %d entries differ from the %d read at once", rel, len(batched), len(all))
	}
}

func dtypeOf(m fs.FileMode) uint8 {
	switch {
	case m.IsDir():
		return linux.DT_DIR
	case m&fs.ModeSymlink != 0:
		return linux.DT_LNK
	case m&fs.ModeNamedPipe != 0:
		return linux.DT_FIFO
	case m&fs.ModeSocket != 0:
		return linux.DT_SOCK
	case m&fs.ModeDevice != 0 && m&fs.ModeCharDevice != 0:
		return linux.DT_CHR
	case m&fs.ModeDevice != 0:
		return linux.DT_BLK
	}
	return linux.DT_REG
}

// TestReadLayout checks that the images hold the structures the other
// tests mean to exercise: an htree with an index level (1 KiB blocks),
// an extent tree of depth 2, a sparse file with holes, fast and slow
// symlinks.
func TestReadLayout(t *testing.T) {
	tool(t, "mkfs.ext4")
	for _, v := range variants {
		t.Run(variantName(v.blockSize, v.htree), func(t *testing.T) {
			f := openImage(t, image(t, v.blockSize, v.htree))
			many := mustInode(t, f, "many")
			if got := many.flags&flagIndex != 0; got != v.htree {
				t.Errorf("many: indexed %v, want %v", got, v.htree)
			}
			if v.htree && v.blockSize == 1024 {
				root, err := f.readDirBlock(many, 0)
				if err != nil {
					t.Fatal(err)
				}
				if root.data[30] != 1 {
					t.Errorf("many: %d htree indirect levels, want 1", root.data[30])
				}
			}
			frag := mustInode(t, f, "fragmented.bin")
			if d := int(frag.iblock[6]) | int(frag.iblock[7])<<8; d != 2 {
				t.Errorf("fragmented.bin: extent tree depth %d, want 2", d)
			}
			sparse := mustInode(t, f, "sparse.bin")
			if max := uint64(4*3000/512 + 4*f.BlockSize()/512 + 8*f.BlockSize()/512); sparse.blocks > max {
				t.Errorf("sparse.bin: %d sectors allocated; want holes (at most %d)", sparse.blocks, max)
			}
			run, err := f.mapBlock(sparse, uint32((1<<20)/f.BlockSize()))
			if err != nil || run.kind != runHole {
				t.Errorf("sparse.bin at 1 MiB: %+v, %v; want a hole", run, err)
			}
			// st_blocks and st_nlink as debugfs sees them.
			img := image(t, v.blockSize, v.htree)
			for _, p := range []string{"many", "deep", "sparse.bin", "fragmented.bin", "random.bin", "long-link", ""} {
				st, err := f.Stat(mustResolve(t, f, p))
				if err != nil {
					t.Fatal(err)
				}
				out := debugfsReq(t, img, "stat \"/"+p+"\"")
				want := fmt.Sprintf("Links: %d   Blockcount: %d\n", st.Nlink, st.Blocks)
				if !strings.Contains(out, want) {
					t.Errorf("/%s: %q not in debugfs stat:\n%s", p, want, out)
				}
			}
			for name, fast := range map[string]bool{"max-fast-link": true, "min-slow-link": false, "long-link": false, "short-link": true} {
				in := mustInode(t, f, name)
				if got := in.blocks == 0; got != fast {
					t.Errorf("%s: fast %v, want %v", name, got, fast)
				}
			}
		})
	}
}

func mustInode(t *testing.T, f *FS, path string) *inode {
	t.Helper()
	ino, err := resolve(f, path)
	if err != nil {
		t.Fatal(err)
	}
	in, err := f.inode(ino)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// TestReadErrors checks the errnos of the caller's mistakes.
func TestReadErrors(t *testing.T) {
	tool(t, "mkfs.ext4")
	f := openImage(t, image(t, 4096, false))
	file, _ := resolve(f, "hello.txt")
	link, _ := resolve(f, "short-link")
	for _, tt := range []struct {
		name string
		err  error
		want linux.Errno
	}{
		{"lookup missing", second(f.Lookup(RootIno, "nope")), linux.ENOENT},
		{"lookup in a file", second(f.Lookup(file, "x")), linux.ENOTDIR},
		{"lookup long name", second(f.Lookup(RootIno, strings.Repeat("n", 256))), linux.ENAMETOOLONG},
		{"lookup slash", second(f.Lookup(RootIno, "a/b")), linux.EINVAL},
		{"read a directory", second(f.ReadAt(RootIno, make([]byte, 10), 0)), linux.EISDIR},
		{"read a symlink", second(f.ReadAt(link, make([]byte, 10), 0)), linux.EINVAL},
		{"readlink a file", second(f.Readlink(file)), linux.EINVAL},
		{"readdir a file", second(f.ReadDir(file, 0, 0)), linux.ENOTDIR},
		{"stat inode 0", second(f.Stat(0)), linux.ESTALE},
		{"stat an unused inode", second(f.Stat(f.sb.inodesCount)), linux.ESTALE},
	} {
		if got := ErrnoOf(tt.err); got != tt.want {
			t.Errorf("%s: %v (errno %d), want errno %d", tt.name, tt.err, got, tt.want)
		}
	}
	// Reads at and past the end.
	buf := make([]byte, 100)
	if n, err := f.ReadAt(file, buf, 5); n != 7 || !errors.Is(err, io.EOF) || string(buf[:n]) != ", ext4\n" {
		t.Errorf("ReadAt(5) = %d, %v, %q", n, err, buf[:n])
	}
	if n, err := f.ReadAt(file, buf, 1000); n != 0 || !errors.Is(err, io.EOF) {
		t.Errorf("ReadAt past the end = %d, %v", n, err)
	}
}

func second[T any](_ T, err error) error { return err }

// unwrittenImage makes a file system of the given size with /data.bin,
// 20000 bytes, whose blocks 10-14 are an unwritten extent (debugfs
// fallocate) holding stale 0xAA bytes on the device, which must never
// show: they read as zeros.
func unwrittenImage(t *testing.T, size string) string {
	t.Helper()
	tool(t, "debugfs")
	img := mkfsImage(t, "", size, "-b", "1024", "-d", smallTree(t))
	run(t, nil, "debugfs", nil, "-w", "-R", "fallocate /data.bin 10 14", img)
	run(t, nil, "debugfs", nil, "-w", "-R", "sif /data.bin size 20000", img)
	out := debugfsReq(t, img, "stat /data.bin")
	m := regexp.MustCompile(`\(10-14\[u\]\):(\d+)-`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no unwritten extent at 10-14:\n%s", out)
	}
	phys, _ := strconv.ParseInt(m[1], 10, 64)
	file, err := os.OpenFile(img, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := file.WriteAt(bytes.Repeat([]byte{0xAA}, 5*1024), phys*1024); err != nil {
		t.Fatal(err)
	}
	file.Close()
	return img
}

// TestReadUnwritten checks that an unwritten extent (debugfs fallocate)
// reads as zeros even when its blocks hold other bytes.
func TestReadUnwritten(t *testing.T) {
	img := unwrittenImage(t, "4M")
	f := openImage(t, img)
	got, err := readAll(f, mustResolve(t, f, "data.bin"), 3000)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, 20000)
	copy(want, strings.Repeat("data ", 1000))
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Errorf("data.bin: %d bytes, first difference at %d; want the 5000 written bytes, then zeros to 20000", len(got), i)
	}
}
