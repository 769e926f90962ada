package integration

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/coracle-os/coracle/tools/image"
)

// diskTree fills dir with what testdata/diskprobe reads: files of
// several sizes (empty, 1 byte, one byte past a block, 3 MiB, a sparse
// one), nested directories, symbolic links (relative, to a directory,
// absolute, dangling, a loop) and a directory of 2,000 entries.
func diskTree(t *testing.T, dir string) {
	t.Helper()
	big := make([]byte, 3<<20)
	rand.Read(big)
	odd := make([]byte, 4097)
	rand.Read(odd)
	for name, data := range map[string][]byte{
		"small.txt":              []byte("hello disk\n"),
		"empty.txt":              nil,
		"one.txt":                []byte("x"),
		"sized/4097.bin":         odd,
		"sized/big.bin":          big,
		"a/b/c/deeper/leaf.txt":  []byte("leaf\n"),
		"dir with spaces/in.txt": []byte("spaced\n"),
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Chmod(filepath.Join(dir, "one.txt"), 0o600))
	must(os.Chmod(filepath.Join(dir, "sized/4097.bin"), 0o755))
	// A sparse file: 5 MiB with four bytes at 4 MiB.
	f, err := os.Create(filepath.Join(dir, "sparse.bin"))
	must(err)
	must(f.Truncate(5 << 20))
	_, err = f.WriteAt([]byte("tail"), 4<<20)
	must(err)
	must(f.Close())
	must(os.MkdirAll(filepath.Join(dir, "links"), 0o755))
	for link, target := range map[string]string{
		"links/to-small": "../small.txt",
		"links/to-dir":   "../a/b/c",
		"links/dangling": "nowhere",
		"links/loop":     "loop",
		"links/abs":      "/mnt/disk0/small.txt",
	} {
		must(os.Symlink(target, filepath.Join(dir, link)))
	}
	must(os.MkdirAll(filepath.Join(dir, "many"), 0o755))
	for i := range 2000 {
		must(os.WriteFile(filepath.Join(dir, "many", fmt.Sprintf("entry-%d", i)), nil, 0o644))
	}
}

// makeDisk makes an image of tree with coracle disk create, then has
// e2fsck index its large directories (-D), as Linux does when they
// grow: mkfs.ext4 -d writes them unindexed.
func makeDisk(t *testing.T, tree, size string) string {
	t.Helper()
	img := filepath.Join(t.TempDir(), "disk.img")
	if res := coracle(t, "disk", "create", "--size", size, "--from", tree, img); res.err != nil || res.status != 0 {
		t.Fatalf("disk create: %s", res)
	}
	if out, err := exec.Command("/usr/sbin/e2fsck", "-fyD", img).CombinedOutput(); err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() > 1 {
			t.Fatalf("e2fsck -fyD: %v\n%s", err, out)
		}
	}
	return img
}

// A disk made with coracle disk create --from TREE reads in the guest as
// TREE reads natively: testdata/diskprobe prints the same lines for each
// file (type, size, mode, sha256, link target) and directory (its
// entries), through a 2,000-entry htree directory, on microvm
// (virtio-mmio) and q35 (PCI). A second disk, attached read-only, is
// found at the second mount point and refuses every change with EROFS.
func TestDisk(t *testing.T) {
	img := buildImage(t, "./tools/integration/testdata/diskprobe")
	if ok, err := image.HasDisks(img); err != nil || ok {
		t.Fatalf("an image built without --disks has the disk service (%v, %v)", ok, err)
	}
	if res := coracle(t, "build", "--disks", "-o", img, "./tools/integration/testdata/diskprobe"); res.err != nil || res.status != 0 {
		t.Fatalf("build --disks: %s", res)
	}
	tree := t.TempDir()
	diskTree(t, tree)
	native := runNative(t, "diskprobe", tree)
	disk0 := makeDisk(t, tree, "64M")
	if out, _ := exec.Command("/usr/sbin/debugfs", "-R", "htree many", disk0).CombinedOutput(); !strings.Contains(string(out), "Root node dump") {
		t.Fatalf("many/ is not an htree directory:\n%s", out)
	}
	second := t.TempDir()
	if err := os.WriteFile(filepath.Join(second, "small.txt"), []byte("second disk\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	disk1 := makeDisk(t, second, "16M")

	forEachTarget(t, []string{"microvm", "q35"}, func(t *testing.T, machine, accel string) {
		res := coracle(t, "run", "--machine", machine, "--accel", accel, "--net", "none",
			"--disk", disk0, "--disk", disk1+",ro", img, "--", "/mnt/disk0", "-ro", "/mnt/disk1")
		if res.err != nil || res.status != 0 {
			t.Fatalf("want exit status 0\n%s", res)
		}
		sameLines(t, "diskprobe:", res.stdout, native, 30)
		for _, want := range []string{
			"ro: read: \"second disk\\n\" ok\n",
			"ro: create: EROFS\n",
			"ro: open for writing: EROFS\n",
			"ro: mkdir: EROFS\n",
			"ro: remove: EROFS\n",
			"ro: rename: EROFS\n",
			"ro: symlink: EROFS\n",
			"ro: chmod: EROFS\n",
			"ro: truncate: EROFS\n",
		} {
			if !strings.Contains(res.stdout, want) {
				t.Errorf("console lacks %q\n%s", want, res)
			}
		}
	})
	if out, err := exec.Command("/usr/sbin/e2fsck", "-fn", disk0).CombinedOutput(); err != nil {
		t.Errorf("e2fsck -fn after the guests: %v\n%s", err, out)
	}
}

// coracle run --disk refuses before booting, naming the file and the
// fix: a missing file, a file another process holds, a file that is not
// ext4, an ext4 with a feature the guest cannot read, and an image built
// without the disk service.
func TestDiskErrors(t *testing.T) {
	dir := t.TempDir()
	good := makeDisk(t, dir, "16M")
	junk := filepath.Join(dir, "junk.img")
	if err := os.WriteFile(junk, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	inline := filepath.Join(dir, "inline.img")
	if out, err := exec.Command("/usr/sbin/mkfs.ext4", "-q", "-O", "inline_data", inline, "16M").CombinedOutput(); err != nil {
		t.Fatalf("mkfs.ext4: %v\n%s", err, out)
	}
	held := makeDisk(t, dir, "16M")
	f, err := os.Open(held)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		file, want string
	}{
		{filepath.Join(dir, "none.img"), "no such file; make an image with coracle disk create"},
		{held, fmt.Sprintf("in use by another guest (process %d", os.Getpid())},
		{junk, "not an ext4 file system"},
		{inline, "inline_data"},
	} {
		res := coracle(t, "run", "--net", "none", "--disk", c.file, helloImage)
		if res.status != 125 || !strings.Contains(res.stderr, c.want) || !strings.Contains(res.stderr, c.file) || strings.Contains(res.stderr, "booting") {
			t.Errorf("--disk %s: want status 125 before booting, naming the file and saying %q\n%s", c.file, c.want, res)
		}
	}
	res := coracle(t, "run", "--net", "none", "--disk", good, helloImage)
	if res.status != 125 || !strings.Contains(res.stderr, "coracle build --disks") {
		t.Errorf("an image without the disk service: want status 125 and advice to rebuild with --disks\n%s", res)
	}
}

// What a program writes on a disk (new files and directories, renames,
// links, removals) is on the image afterwards, as the host's e2fsprogs
// read it: once e2fsck has replayed the journal (the guest does not
// unmount at exit; the program's last fsync committed it all) the file
// system is clean, and every file debugfs dumps is the one the same
// program writes natively.
func TestDiskWrites(t *testing.T) {
	img := buildTestProgram(t, "diskprobe")
	if res := coracle(t, "build", "--disks", "-o", img, "./tools/integration/testdata/diskprobe"); res.err != nil || res.status != 0 {
		t.Fatalf("build --disks: %s", res)
	}
	nativeDir := t.TempDir()
	native := runNative(t, "diskprobe", "-write", nativeDir)
	disk := makeDisk(t, t.TempDir(), "64M")
	res := coracle(t, "run", "--net", "none", "--disk", disk+":/data", img, "--", "-write", "/data")
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	if strings.Contains(res.stdout, "write: mkdir: EROFS") {
		t.Skip("fs/ext4 cannot change directories yet (mkdir: EROFS)")
	}
	sameLines(t, "write:", res.stdout, native, 20)
	checkReplayed(t, disk)
	err := filepath.WalkDir(filepath.Join(nativeDir, "out"), func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(nativeDir, p)
		want, _ := os.ReadFile(p)
		if got := debugfsDump(t, disk, rel); !bytes.Equal(got, want) {
			t.Errorf("%s on the host: %d bytes, natively %d", rel, len(got), len(want))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if out, _ := exec.Command("/usr/sbin/debugfs", "-R", "stat /out/link", disk).CombinedOutput(); !strings.Contains(string(out), `Fast link dest: "renamed.txt"`) {
		t.Errorf("out/link on the host:\n%s", out)
	}
}

// A program changes files of a read-write disk in place (writes, appends,
// O_TRUNC, truncate, chmod, chtimes, fsync) as it does natively: the
// "rewrite:" lines are the same, and after e2fsck has replayed the
// journal (the guest does not unmount) the image is clean and every file
// debugfs dumps is the native run's.
func TestDiskRewrite(t *testing.T) {
	img := buildTestProgram(t, "diskprobe")
	if res := coracle(t, "build", "--disks", "-o", img, "./tools/integration/testdata/diskprobe"); res.err != nil || res.status != 0 {
		t.Fatalf("build --disks: %s", res)
	}
	files := map[string]string{"f.txt": "0123456789", "log.txt": "one\n", "gone.txt": "all of this", "cut.txt": "keep this not", "big.bin": ""}
	tree, nativeDir := t.TempDir(), t.TempDir()
	for _, dir := range []string{tree, nativeDir} {
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	native := runNative(t, "diskprobe", "-rewrite", nativeDir)
	disk := makeDisk(t, tree, "16M")
	res := coracle(t, "run", "--net", "none", "--disk", disk+":/data", img, "--", "-rewrite", "/data")
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	sameLines(t, "rewrite:", res.stdout, native, 10)
	replayed := checkReplayed(t, disk)
	for name := range files {
		want, _ := os.ReadFile(filepath.Join(nativeDir, name))
		if got := debugfsDump(t, replayed, name); !bytes.Equal(got, want) {
			t.Errorf("%s on the host: %d bytes, natively %d", name, len(got), len(want))
		}
	}
	// chmod and chtimes, made durable by syncfs alone.
	st, _ := exec.Command("/usr/sbin/debugfs", "-R", "stat /f.txt", replayed).CombinedOutput()
	for _, want := range []string{"Mode:  0600", "mtime: 0x59682f00:1d6f3454"} { // 1500000000 s, 123456789 ns << 2
		if !strings.Contains(string(st), want) {
			t.Errorf("f.txt's inode on the host lacks %q:\n%s", want, st)
		}
	}
}

// checkReplayed replays the journal of image img with e2fsck -fy, as
// Linux or the next read-write mount would, and checks that the file
// system is then clean (e2fsck -fn). It returns img.
func checkReplayed(t *testing.T, img string) string {
	t.Helper()
	if out, err := exec.Command("/usr/sbin/e2fsck", "-fy", img).CombinedOutput(); err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() > 1 {
			t.Fatalf("e2fsck -fy (journal replay): %v\n%s", err, out)
		}
	}
	if out, err := exec.Command("/usr/sbin/e2fsck", "-fn", img).CombinedOutput(); err != nil {
		t.Errorf("e2fsck -fn: %v\n%s", err, out)
	}
	return img
}

// debugfsDump returns file rel (from the root) of image img, as debugfs
// dumps it.
func debugfsDump(t *testing.T, img, rel string) []byte {
	t.Helper()
	dump := filepath.Join(t.TempDir(), "dump")
	if out, err := exec.Command("/usr/sbin/debugfs", "-R", "dump /"+rel+" "+dump, img).CombinedOutput(); err != nil {
		t.Fatalf("debugfs dump %s: %v\n%s", rel, err, out)
	}
	got, err := os.ReadFile(dump)
	if err != nil {
		t.Fatal(err)
	}
	return got
}
