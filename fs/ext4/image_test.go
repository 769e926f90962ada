package ext4

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/coracle-os/coracle/tools/disk"
)

// The test images are made once per run in testDir, from one source
// tree, with e2fsprogs (mkfs.ext4 -d; e2fsck -fyD to turn every
// multi-block directory into an htree).
var (
	testDir  string
	treeOnce sync.Once
	treeDir  string
	treeErr  error
	imagesMu sync.Mutex
	images   = map[string]string{}
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ext4-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// tool returns the path of an e2fsprogs command, or skips the test.
func tool(t testing.TB, name string) string {
	t.Helper()
	path, err := disk.LookPath(name)
	if err != nil {
		t.Skip(err)
	}
	return path
}

// run runs an e2fsprogs command and fails the test if it fails; okCodes
// are further exit codes that mean success (e2fsck's 1: "errors
// corrected", which -D always reports).
func run(t testing.TB, env []string, name string, okCodes []int, args ...string) string {
	t.Helper()
	cmd := exec.Command(tool(t, name), args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		for _, c := range okCodes {
			if ee.ExitCode() == c {
				err = nil
			}
		}
	}
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return string(out)
}

// debugfsReq runs one read-only debugfs request on img.
func debugfsReq(t testing.TB, img, req string) string {
	t.Helper()
	return run(t, nil, "debugfs", nil, "-R", req, img)
}

// Names of the test tree.
const (
	manyFiles     = 5000
	deepLevels    = 40
	fragExtents   = 1500
	fragStride    = 8192
	sparseSize    = 20 << 20
	longLinkBytes = 300
)

// specialNames are names with every byte from 1 to 255 but '/': one
// name per byte, and one name with all of them.
func specialNames() []string {
	var names []string
	var all []byte
	for b := 1; b < 256; b++ {
		if b == '/' {
			continue
		}
		names = append(names, fmt.Sprintf("b%02x-%c", b, byte(b)))
		all = append(all, byte(b))
	}
	return append(names, string(all))
}

// sourceTree makes the test tree once: a directory with thousands of
// names (an htree after e2fsck -D), deep directories, a sparse 20 MiB
// file, a file of many small extents (an extent tree of depth 2),
// symlinks short and long, a fifo and odd names.
func sourceTree(t testing.TB) string {
	t.Helper()
	treeOnce.Do(func() { treeDir, treeErr = makeTree(filepath.Join(testDir, "tree")) })
	if treeErr != nil {
		t.Fatal(treeErr)
	}
	return treeDir
}

func makeTree(root string) (string, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	write := func(rel string, data []byte) error {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, data, 0o644)
	}
	randBytes := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	if err := write("hello.txt", []byte("hello, ext4\n")); err != nil {
		return "", err
	}
	if err := write("empty", nil); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Join(root, "emptydir"), 0o700); err != nil {
		return "", err
	}
	if err := write("random.bin", randBytes(3<<20+123)); err != nil {
		return "", err
	}
	for i := range manyFiles {
		if err := write(fmt.Sprintf("many/file-%05d-with-a-longer-name", i), []byte(fmt.Sprintf("file %d\n", i))); err != nil {
			return "", err
		}
	}
	for _, n := range specialNames() {
		if err := write("many/"+n, []byte(n)); err != nil {
			return "", err
		}
	}
	deep := ""
	for i := range deepLevels {
		deep = filepath.Join(deep, fmt.Sprintf("level-%02d", i))
	}
	if err := write(filepath.Join("deep", deep, "bottom.txt"), []byte("at the bottom\n")); err != nil {
		return "", err
	}
	// A sparse file: data at the start, in the middle and near the end,
	// holes between.
	f, err := os.Create(filepath.Join(root, "sparse.bin"))
	if err != nil {
		return "", err
	}
	for _, off := range []int64{0, 10 << 20, sparseSize - 5000} {
		if _, err := f.WriteAt(randBytes(3000), off); err != nil {
			return "", err
		}
	}
	if err := f.Truncate(sparseSize); err != nil {
		return "", err
	}
	f.Close()
	// Many small extents: 512 bytes every 8 KiB, so that no two share a
	// block at either block size.
	f, err = os.Create(filepath.Join(root, "fragmented.bin"))
	if err != nil {
		return "", err
	}
	for i := range fragExtents {
		if _, err := f.WriteAt(randBytes(512), int64(i)*fragStride); err != nil {
			return "", err
		}
	}
	f.Close()
	for name, target := range map[string]string{
		"short-link":    "hello.txt",
		"dir-link":      "deep/level-00",
		"dangling-link": "no/such/file",
		"long-link":     strings.Repeat("long/", longLinkBytes/5),
		"max-fast-link": strings.Repeat("f", 59),
		"min-slow-link": strings.Repeat("s", 60),
	} {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			return "", err
		}
	}
	if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o640); err != nil {
		return "", err
	}
	if err := os.Chmod(filepath.Join(root, "hello.txt"), 0o4751); err != nil {
		return "", err
	}
	return root, nil
}

// mke2fsConf is the mke2fs.conf of the 1 KiB-block images: the features
// coracle disk create gives, with any block size.
func mke2fsConf() string {
	return "[defaults]\n\tbase_features = " + strings.Join(disk.Features, ",") +
		"\n\tinode_size = 256\n\tinode_ratio = 4096\n[fs_types]\n\text4 = {\n\t\tinode_size = 256\n\t}\n" +
		"\tsmall = {\n\t\tinode_ratio = 4096\n\t}\n\tfloppy = {\n\t\tinode_ratio = 4096\n\t}\n"
}

// image returns a test image of the source tree: block size 1024 or 4096,
// htree true for one that e2fsck -fyD has indexed. 4 KiB images come
// from coracle disk create itself.
func image(t testing.TB, blockSize int, htree bool) string {
	t.Helper()
	tree := sourceTree(t)
	key := fmt.Sprintf("tree-%d-%v", blockSize, htree)
	imagesMu.Lock()
	defer imagesMu.Unlock()
	if img, ok := images[key]; ok {
		return img
	}
	img := filepath.Join(testDir, key+".img")
	if blockSize == 4096 {
		if err := disk.Create(context.Background(), disk.Options{File: img, Size: 192 << 20, From: tree}); err != nil {
			t.Fatal(err)
		}
	} else {
		conf := filepath.Join(testDir, "mke2fs.conf")
		if err := os.WriteFile(conf, []byte(mke2fsConf()), 0o644); err != nil {
			t.Fatal(err)
		}
		run(t, []string{"MKE2FS_CONFIG=" + conf}, "mkfs.ext4", nil, "-q", "-F", "-b", "1024", "-d", tree, img, "96M")
	}
	if htree {
		run(t, nil, "e2fsck", []int{1}, "-fyD", img)
		run(t, nil, "e2fsck", nil, "-fn", img)
	}
	images[key] = img
	return img
}

// openImage opens img (read-only, but through a Device that could
// write) or fails the test.
func openImage(t testing.TB, img string) *FS {
	t.Helper()
	f, err := openFile(img)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func openFile(img string) (*FS, error) {
	file, err := os.Open(img)
	if err != nil {
		return nil, err
	}
	dev, err := NewFileDevice(file)
	if err != nil {
		return nil, err
	}
	return Open(dev)
}

// copyImage returns a writable copy of img.
func copyImage(t testing.TB, img string) string {
	t.Helper()
	data, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "copy.img")
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// flipByte changes one byte of the file at off.
func flipByte(t testing.TB, file string, off int64) {
	t.Helper()
	f, err := os.OpenFile(file, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x5a
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// resolve looks path (relative to the root) up component by component.
func resolve(f *FS, path string) (uint32, error) {
	ino := uint32(RootIno)
	for _, c := range strings.Split(path, "/") {
		if c == "" {
			continue
		}
		next, err := f.Lookup(ino, c)
		if err != nil {
			return 0, err
		}
		ino = next
	}
	return ino, nil
}

// readAll reads all of file ino with reads of size chunk.
func readAll(f *FS, ino uint32, chunk int) ([]byte, error) {
	var out bytes.Buffer
	buf := make([]byte, chunk)
	for off := int64(0); ; {
		n, err := f.ReadAt(ino, buf, off)
		out.Write(buf[:n])
		off += int64(n)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return out.Bytes(), nil
			}
			return out.Bytes(), err
		}
	}
}

func writeFile(p, s string) error { return os.WriteFile(p, []byte(s), 0o644) }

// mkfsImage makes an image of size with mkfs.ext4 and the extra
// arguments, under the test's own mke2fs.conf (coracle's features).
func mkfsImage(t testing.TB, tree, size string, args ...string) string {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "mke2fs.conf")
	if err := os.WriteFile(conf, []byte(mke2fsConf()), 0o644); err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(dir, "test.img")
	args = append(append([]string{"-q", "-F"}, args...), img, size)
	run(t, []string{"MKE2FS_CONFIG=" + conf}, "mkfs.ext4", nil, args...)
	return img
}

// smallTree is a tree of a few files for small images.
func smallTree(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{"data.bin": strings.Repeat("data ", 1000), "sub/a": "a", "sub/b": "b", "link": ""}
	for name, data := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if name == "link" {
			if err := os.Symlink("data.bin", p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func mkdirAll(p string) error { return os.MkdirAll(p, 0o755) }

// flipBits XORs the byte at off in file with mask.
func flipBits(t testing.TB, file string, off int64, mask byte) {
	t.Helper()
	f, err := os.OpenFile(file, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= mask
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}
