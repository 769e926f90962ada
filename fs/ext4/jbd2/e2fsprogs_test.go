package jbd2

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// These tests hold this package to e2fsprogs: e2fsck must replay the
// journals it writes, and it must replay the journals debugfs writes
// exactly as e2fsck does. They are skipped where e2fsprogs is missing.

// tool finds an e2fsprogs program, also in the sbin directories a
// normal user's PATH may lack.
func tool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin"} {
		if p := filepath.Join(dir, name); fileExists(p) {
			return p
		}
	}
	t.Skipf("%s not found (e2fsprogs is not installed)", name)
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// run runs an e2fsprogs program and returns its combined output and
// exit status.
func run(t *testing.T, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(tool(t, name), args...)
	cmd.Env = append(os.Environ(), "E2FSPROGS_FAKE_TIME=", "LC_ALL=C")
	out, err := cmd.CombinedOutput()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		}
		t.Fatalf("%s: %v", name, err)
	}
	return string(out), 0
}

// makeImage makes a 64 MiB ext4 image with mkfs.ext4's defaults and
// block size bs, holding one file "a" of n blocks of random bytes.
func makeImage(t *testing.T, bs, n int) (img string, file []byte) {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	file = make([]byte, n*bs)
	for i := range file {
		file[i] = byte(i*7 + i/bs)
	}
	if err := os.WriteFile(filepath.Join(src, "a"), file, 0o644); err != nil {
		t.Fatal(err)
	}
	img = filepath.Join(dir, "img")
	if out, rc := run(t, "mkfs.ext4", "-q", "-F", "-b", strconv.Itoa(bs), "-d", src, img, "64M"); rc != 0 {
		t.Fatalf("mkfs.ext4: %s", out)
	}
	return img, file
}

var extentRE = regexp.MustCompile(`\((\d+)(?:-(\d+))?\):(\d+)(?:-(\d+))?`)

// journalExtents reads the journal inode's extents with debugfs.
func journalExtents(t *testing.T, img string) []Extent {
	t.Helper()
	out, _ := run(t, "debugfs", "-R", "stat <8>", img)
	_, list, ok := strings.Cut(out, "EXTENTS:")
	if !ok {
		t.Fatalf("debugfs stat <8>: no extents:\n%s", out)
	}
	var ext []Extent
	for _, m := range extentRE.FindAllStringSubmatch(list, -1) {
		lo, _ := strconv.ParseUint(m[1], 10, 32)
		hi, phys := lo, uint64(0)
		if m[2] != "" {
			hi, _ = strconv.ParseUint(m[2], 10, 32)
		}
		phys, _ = strconv.ParseUint(m[3], 10, 64)
		ext = append(ext, Extent{Logical: uint32(lo), Physical: phys, Len: uint32(hi - lo + 1)})
	}
	return ext
}

// fileBlocks returns the device blocks of the first n blocks of path.
func fileBlocks(t *testing.T, img, path string, n int) []uint64 {
	t.Helper()
	var blocks []uint64
	for i := range n {
		out, _ := run(t, "debugfs", "-R", fmt.Sprintf("bmap %s %d", path, i), img)
		f := strings.Fields(out)
		b, err := strconv.ParseUint(f[len(f)-1], 10, 64)
		if err != nil {
			t.Fatalf("debugfs bmap: %q", out)
		}
		blocks = append(blocks, b)
	}
	return blocks
}

// setNeedsRecovery sets or clears the ext4 superblock's needs_recovery
// flag (super.rst "Super Block": s_feature_incompat 0x4 at 0x60) and
// fixes the superblock checksum (s_checksum at 0x3FC, crc32c of the
// bytes before it, under metadata_csum: ro_compat 0x400 at 0x64).
func setNeedsRecovery(t *testing.T, img string, on bool) {
	t.Helper()
	f, err := os.OpenFile(img, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sb := make([]byte, 1024)
	if _, err := f.ReadAt(sb, 1024); err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	incompat := le.Uint32(sb[0x60:])
	if on {
		incompat |= 0x4
	} else {
		incompat &^= 0x4
	}
	le.PutUint32(sb[0x60:], incompat)
	if le.Uint32(sb[0x64:])&0x400 != 0 {
		le.PutUint32(sb[0x3FC:], crc32c(^uint32(0), sb[:0x3FC]))
	}
	if _, err := f.WriteAt(sb, 1024); err != nil {
		t.Fatal(err)
	}
}

func openImage(t *testing.T, img string, bs int) (fileDev, *Journal) {
	t.Helper()
	f, err := os.OpenFile(img, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	dev := fileDev{f}
	j, err := Open(dev, bs, journalExtents(t, img))
	if err != nil {
		t.Fatal(err)
	}
	return dev, j
}

func readBlock(t *testing.T, dev Device, bs int, n uint64) []byte {
	t.Helper()
	b := make([]byte, bs)
	if _, err := dev.ReadAt(b, int64(n)*int64(bs)); err != nil {
		t.Fatal(err)
	}
	return b
}

func pattern(bs int, seed byte, magic bool) []byte {
	b := make([]byte, bs)
	for i := range b {
		b[i] = seed ^ byte(i*13)
	}
	if magic {
		be.PutUint32(b, Magic)
	}
	return b
}

// TestE2fsckReplaysOurJournal writes transactions with this package
// into the journal of an image mkfs.ext4 made, marks the file system
// needs_recovery, and checks that e2fsck replays them to exactly the
// committed contents (the data blocks of a file, which debugfs then
// reads back), drops a transaction whose commit block is damaged, and
// leaves a clean file system.
func TestE2fsckReplaysOurJournal(t *testing.T) {
	for _, bs := range []int{4096, 1024} {
		for _, feat := range []uint32{0, IncompatCsumV3 | Incompat64Bit, IncompatCsumV2} {
			t.Run(fmt.Sprintf("%d/%s", bs, featureNames(feat)), func(t *testing.T) {
				img, file := makeImage(t, bs, 3)
				blocks := fileBlocks(t, img, "/a", 3)
				dev, j := openImage(t, img, bs)
				if j.NeedsRecovery() {
					t.Fatal("fresh journal needs recovery")
				}
				if feat != 0 {
					if err := j.SetFeatures(feat); err != nil {
						t.Fatal(err)
					}
				}
				x0, x1 := pattern(bs, 1, false), pattern(bs, 2, true)
				y0, y2 := pattern(bs, 3, true), pattern(bs, 4, false)
				for _, tx := range []map[uint64][]byte{
					{blocks[0]: x0, blocks[1]: x1},
					{blocks[0]: y0, blocks[2]: y2},
				} {
					if err := j.Commit(tx); err != nil {
						t.Fatal(err)
					}
				}
				want := slicesConcat(y0, x1, y2)
				if j.sb.csum() {
					// A third transaction with a damaged commit block:
					// e2fsck must drop it.
					if err := j.Commit(map[uint64][]byte{blocks[1]: pattern(bs, 5, false)}); err != nil {
						t.Fatal(err)
					}
					c := make([]byte, bs)
					pos := j.head - 1
					j.readBlock(pos, c)
					c[0x100] ^= 1
					j.writeBlock(pos, c)
				}
				out, _ := run(t, "debugfs", "-R", "logdump", img)
				if n := strings.Count(out, "type 2 (commit block)"); n < 2 {
					t.Fatalf("debugfs logdump finds %d commit blocks:\n%s", n, out)
				}
				// Unchanged until the replay.
				if got := readBlock(t, dev, bs, blocks[0]); !bytes.Equal(got, file[:bs]) {
					t.Fatal("home block changed before checkpoint")
				}
				setNeedsRecovery(t, img, true)

				out, rc := run(t, "e2fsck", "-fy", img)
				if rc > 1 || !strings.Contains(out, "recovering journal") {
					t.Fatalf("e2fsck -fy: exit %d:\n%s", rc, out)
				}
				if out, rc := run(t, "e2fsck", "-fn", img); rc != 0 {
					t.Fatalf("e2fsck -fn after replay: exit %d:\n%s", rc, out)
				}
				got, _ := exec.Command(tool(t, "debugfs"), "-R", "cat /a", img).Output()
				if !bytes.Equal(got, want) {
					t.Fatalf("file after e2fsck's replay is not what the journal held (%d bytes)", len(got))
				}
			})
		}
	}
}

func slicesConcat(bs ...[]byte) []byte { return bytes.Join(bs, nil) }

// TestReplayDebugfsJournal lets debugfs write transactions (a block
// that needs escaping, a revoke record, a transaction left without a
// commit block) and checks that Recover writes exactly what e2fsck's
// replay writes, and that the file system is clean afterwards.
func TestReplayDebugfsJournal(t *testing.T) {
	for _, bs := range []int{4096, 1024} {
		for _, jo := range []string{"jo", "jo -c", "jo -c -v 2"} {
			t.Run(fmt.Sprintf("%d/%s", bs, jo), func(t *testing.T) {
				img, file := makeImage(t, bs, 3)
				blocks := fileBlocks(t, img, "/a", 3)
				dir := filepath.Dir(img)
				blkA := slicesConcat(pattern(bs, 1, false), pattern(bs, 2, true))
				blkB := pattern(bs, 3, false)
				if err := os.WriteFile(filepath.Join(dir, "A"), blkA, 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "B"), blkB, 0o644); err != nil {
					t.Fatal(err)
				}
				// debugfs writes no commit block for a jw with both -b
				// and -r, so the revoke gets a transaction of its own.
				cmds := strings.Join([]string{
					jo,
					fmt.Sprintf("jw -b %d,%d %s", blocks[0], blocks[1], filepath.Join(dir, "A")),
					fmt.Sprintf("jw -b %d %s", blocks[2], filepath.Join(dir, "B")),
					fmt.Sprintf("jw -r %d %s", blocks[1], filepath.Join(dir, "B")),
					fmt.Sprintf("jw -b %d -c %s", blocks[0], filepath.Join(dir, "B")),
					"jc",
				}, "\n") + "\n"
				if err := os.WriteFile(filepath.Join(dir, "cmds"), []byte(cmds), 0o644); err != nil {
					t.Fatal(err)
				}
				if out, rc := run(t, "debugfs", "-w", "-f", filepath.Join(dir, "cmds"), img); rc != 0 {
					t.Fatalf("debugfs: %s", out)
				}
				// e2fsck replays a copy: the reference.
				ref := filepath.Join(dir, "ref")
				copyFile(t, img, ref)
				if out, rc := run(t, "e2fsck", "-E", "journal_only", "-y", ref); rc > 1 {
					t.Fatalf("e2fsck -E journal_only: exit %d:\n%s", rc, out)
				}

				dev, j := openImage(t, img, bs)
				if !j.NeedsRecovery() {
					t.Fatal("debugfs's journal does not need recovery")
				}
				info, err := j.Recover()
				if err != nil {
					t.Fatal(err)
				}
				if info.Transactions() != 3 || info.Blocks != 2 || info.Revoked != 1 {
					t.Fatalf("recovery %+v, want 3 transactions, 2 blocks written, 1 revoked", info)
				}
				setNeedsRecovery(t, img, false)
				want := slicesConcat(blkA[:bs], file[bs:2*bs], blkB)
				refDev, err := os.Open(ref)
				if err != nil {
					t.Fatal(err)
				}
				defer refDev.Close()
				for i, n := range blocks {
					got := readBlock(t, dev, bs, n)
					if !bytes.Equal(got, want[i*bs:(i+1)*bs]) {
						t.Errorf("block %d of /a (device block %d) is not what the journal says", i, n)
					}
					r := make([]byte, bs)
					refDev.ReadAt(r, int64(n)*int64(bs))
					if !bytes.Equal(got, r) {
						t.Errorf("block %d of /a differs from e2fsck's replay", i)
					}
				}
				if out, rc := run(t, "e2fsck", "-fn", img); rc != 0 {
					t.Fatalf("e2fsck -fn after our replay: exit %d:\n%s", rc, out)
				}
				// The journal we left is one we can write to, and
				// e2fsck replays what we write after it.
				j2, err := Open(dev, bs, journalExtents(t, img))
				if err != nil {
					t.Fatal(err)
				}
				z := pattern(bs, 9, true)
				if err := j2.Commit(map[uint64][]byte{blocks[1]: z}); err != nil {
					t.Fatal(err)
				}
				setNeedsRecovery(t, img, true)
				if out, rc := run(t, "e2fsck", "-fy", img); rc > 1 {
					t.Fatalf("e2fsck -fy: exit %d:\n%s", rc, out)
				}
				if got := readBlock(t, dev, bs, blocks[1]); !bytes.Equal(got, z) {
					t.Fatal("e2fsck did not replay the transaction written after our recovery")
				}
			})
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestE2fsckReplaysWrappedLog fills the journal of a real image until
// the log runs past its end, checkpointing when it must, and stops
// while the live transactions straddle the end: e2fsck must replay them
// across the wrap to the last committed contents.
func TestE2fsckReplaysWrappedLog(t *testing.T) {
	const bs, n = 1024, 60
	img, _ := makeImage(t, bs, n)
	blocks := fileBlocks(t, img, "/a", n)
	dev, j := openImage(t, img, bs)
	if err := j.SetFeatures(IncompatCsumV3 | Incompat64Bit); err != nil {
		t.Fatal(err)
	}
	want := make([][]byte, n)
	for i := range want {
		want[i] = readBlock(t, dev, bs, blocks[i])
	}
	for i := 0; ; i++ {
		if i > 1000 {
			t.Fatal("the log never wrapped")
		}
		tx := make(map[uint64][]byte)
		for k := range n {
			if (k+i)%3 != 0 {
				b := pattern(bs, byte(i*5+k), (i+k)%11 == 0)
				tx[blocks[k]] = b
				want[k] = b
			}
		}
		before := j.head
		if err := j.Commit(tx); err != nil {
			t.Fatal(err)
		}
		if j.head < before && j.head > j.sb.First && j.sb.Start < before {
			break // this transaction crossed the end, after an older live one
		}
	}
	setNeedsRecovery(t, img, true)
	if out, rc := run(t, "e2fsck", "-fy", img); rc > 1 || !strings.Contains(out, "recovering journal") {
		t.Fatalf("e2fsck -fy: exit %d:\n%s", rc, out)
	}
	if out, rc := run(t, "e2fsck", "-fn", img); rc != 0 {
		t.Fatalf("e2fsck -fn after replay: exit %d:\n%s", rc, out)
	}
	got, _ := exec.Command(tool(t, "debugfs"), "-R", "cat /a", img).Output()
	if !bytes.Equal(got, bytes.Join(want, nil)) {
		t.Fatal("file after e2fsck's replay of a wrapped log is not the last committed contents")
	}
}
