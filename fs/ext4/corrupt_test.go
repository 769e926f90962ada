package ext4

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// debugfsNumber runs a debugfs request on img and returns the number the
// first submatch of pattern finds in its output.
func debugfsNumber(t *testing.T, img, req, pattern string) int64 {
	t.Helper()
	out := debugfsReq(t, img, req)
	m := regexp.MustCompile(pattern).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("debugfs -R %q: no %q in\n%s", req, pattern, out)
	}
	n, err := strconv.ParseInt(m[1], 0, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// wantCorrupt checks that err reports damage with errno and a message
// that contains what.
func wantCorrupt(t *testing.T, op string, err error, errno linux.Errno, what string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s on a damaged image: no error", op)
		return
	}
	if ErrnoOf(err) != errno || !strings.Contains(err.Error(), what) {
		t.Errorf("%s: %v (errno %d); want errno %d and %q", op, err, ErrnoOf(err), errno, what)
	}
}

// TestCorruptMetadata damages one byte of one metadata block at a time,
// each found with debugfs, and checks that Open or the read that uses
// the block reports the damage, naming the object, instead of returning
// data.
func TestCorruptMetadata(t *testing.T) {
	tool(t, "debugfs")
	htree4k := image(t, 4096, true)
	linear4k := image(t, 4096, false)
	htree1k := image(t, 1024, true)
	bs := int64(4096)

	t.Run("superblock", func(t *testing.T) {
		img := copyImage(t, htree4k)
		flipByte(t, img, 1024+0x100)
		_, err := openFile(img)
		wantCorrupt(t, "Open", err, linux.EBADMSG, "checksum mismatch in the superblock")
	})
	for _, g := range []int{0, 1} {
		t.Run(fmt.Sprintf("group descriptor %d", g), func(t *testing.T) {
			img := copyImage(t, htree4k)
			flipByte(t, img, bs+int64(g)*64+0x0C)
			_, err := openFile(img)
			wantCorrupt(t, "Open", err, linux.EBADMSG, fmt.Sprintf("group descriptor %d", g))
		})
	}
	t.Run("inode", func(t *testing.T) {
		img := copyImage(t, htree4k)
		blk := debugfsNumber(t, img, "imap /hello.txt", `located at block (\d+)`)
		off := debugfsNumber(t, img, "imap /hello.txt", `offset (0x[0-9a-f]+)`)
		flipByte(t, img, blk*bs+off+0x10)
		f := openImage(t, img)
		ino, err := resolve(f, "hello.txt")
		if err != nil {
			t.Fatal(err)
		}
		what := fmt.Sprintf("inode %d", ino)
		wantCorrupt(t, "Stat", second(f.Stat(ino)), linux.EBADMSG, what)
		wantCorrupt(t, "ReadAt", second(f.ReadAt(ino, make([]byte, 10), 0)), linux.EBADMSG, what)
	})
	for _, level := range []string{"ETB0", "ETB1"} {
		t.Run("extent block "+level, func(t *testing.T) {
			img := copyImage(t, htree4k)
			blk := debugfsNumber(t, img, "stat /fragmented.bin", `\(`+level+`\):(\d+)`)
			flipByte(t, img, blk*bs+12+12*2+1)
			f := openImage(t, img)
			ino, _ := resolve(f, "fragmented.bin")
			_, err := readAll(f, ino, 1<<20)
			wantCorrupt(t, "reading fragmented.bin", err, linux.EBADMSG, fmt.Sprintf("extent block %d of inode %d", blk, ino))
		})
	}
	t.Run("directory leaf", func(t *testing.T) {
		img := copyImage(t, linear4k)
		blk := debugfsNumber(t, img, "bmap /many 3", `(?m)^(\d+)$`)
		flipByte(t, img, blk*bs+40)
		f := openImage(t, img)
		many, err := resolve(f, "many")
		if err != nil {
			t.Fatal(err)
		}
		what := fmt.Sprintf("directory block 3 (block %d) of inode %d", blk, many)
		wantCorrupt(t, "ReadDir", second(f.ReadDir(many, 0, 0)), linux.EBADMSG, what)
		wantCorrupt(t, "Lookup", second(f.Lookup(many, "absent")), linux.EBADMSG, what)
	})
	t.Run("htree root", func(t *testing.T) {
		img := copyImage(t, htree4k)
		blk := debugfsNumber(t, img, "bmap /many 0", `(?m)^(\d+)$`)
		flipByte(t, img, blk*bs+0x2C)
		f := openImage(t, img)
		many, _ := resolve(f, "many")
		what := fmt.Sprintf("directory block 0 (block %d) of inode %d", blk, many)
		wantCorrupt(t, "Lookup", second(f.Lookup(many, "file-00001-with-a-longer-name")), linux.EBADMSG, what)
		wantCorrupt(t, "ReadDir", second(f.ReadDir(many, 0, 0)), linux.EBADMSG, what)
	})
	t.Run("htree node", func(t *testing.T) {
		img := copyImage(t, htree1k)
		f := openImage(t, img)
		many := mustInode(t, f, "many")
		root, err := f.readDirBlock(many, 0)
		if err != nil {
			t.Fatal(err)
		}
		fr := dxFrame{data: root.data, countOff: dxRootCountOff}
		node := fr.block(0)
		blk := debugfsNumber(t, img, fmt.Sprintf("bmap /many %d", node), `(?m)^(\d+)$`)
		flipByte(t, img, blk*1024+dxNodeCountOff+8+3)
		f = openImage(t, img)
		what := fmt.Sprintf("directory block %d (block %d) of inode %d", node, blk, many.ino)
		wantCorrupt(t, "ReadDir", second(f.ReadDir(many.ino, 0, 0)), linux.EBADMSG, what)
		// The first name in hash order is below that node.
		wantCorrupt(t, "Lookup", second(f.Lookup(many.ino, firstByHash(t, f, many))), linux.EBADMSG, what)
	})
}

// firstByHash returns the name of dir with the smallest hash.
func firstByHash(t *testing.T, f *FS, dir *inode) string {
	clean := openImage(t, image(t, f.BlockSize(), true))
	entries, err := clean.ReadDir(dir.ino, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	best, bestHash := "", ^uint32(0)
	for _, e := range entries {
		if e.Name == "." || e.Name == ".." {
			continue
		}
		v := hashHalfMD4
		if f.sb.flags&flagUnsignedHash != 0 {
			v = hashHalfMD4Unsigned
		}
		if h, _ := dirHash([]byte(e.Name), v, f.sb.hashSeed); h < bestHash {
			best, bestHash = e.Name, h
		}
	}
	return best
}

// TestCorruptWithoutChecksums damages structures of an image without
// metadata_csum, where only the structure checks can notice.
func TestCorruptWithoutChecksums(t *testing.T) {
	tool(t, "mkfs.ext4")
	img := mkfsImage(t, "", "4M", "-b", "1024", "-O", "^metadata_csum,^has_journal", "-d", smallTree(t))
	blk := debugfsNumber(t, img, "imap /data.bin", `located at block (\d+)`)
	off := debugfsNumber(t, img, "imap /data.bin", `offset (0x[0-9a-f]+)`)
	flipByte(t, img, blk*1024+off+0x28) // the extent header's magic
	f := openImage(t, img)
	ino, _ := resolve(f, "data.bin")
	wantCorrupt(t, "ReadAt", second(f.ReadAt(ino, make([]byte, 10), 0)), linux.EUCLEAN, fmt.Sprintf("extent tree of inode %d: extent header magic", ino))

	dirBlk := debugfsNumber(t, img, "bmap /sub 0", `(?m)^(\d+)$`)
	flipByte(t, img, dirBlk*1024+12+4) // ".."'s rec_len
	f = openImage(t, img)
	sub, _ := resolve(f, "sub")
	wantCorrupt(t, "ReadDir", second(f.ReadDir(sub, 0, 0)), linux.EUCLEAN, fmt.Sprintf("directory block 0 (block %d) of inode %d", dirBlk, sub))
}
