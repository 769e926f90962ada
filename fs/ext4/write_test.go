package ext4

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// writeTree is a source tree for write tests: files that the tests
// overwrite, extend and truncate.
func writeTree(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string][]byte{
		"small":   []byte("hello, world\n"),
		"empty":   nil,
		"medium":  bytes.Repeat([]byte("0123456789abcdef"), 20000),
		"d/inner": []byte("inner"),
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// mountImage mounts img read-write, or fails the test.
func mountImage(t testing.TB, img string) *FS {
	t.Helper()
	file, err := os.OpenFile(img, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { file.Close() })
	dev, err := NewFileDevice(file)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Mount(dev, false)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// fsck runs e2fsck -fn on img and fails the test unless it is clean.
func fsck(t testing.TB, img string) {
	t.Helper()
	cmd := exec.Command(tool(t, "e2fsck"), "-fn", img)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("e2fsck -fn: %v\n%s", err, out)
	}
}

// dump returns the contents of path in img as debugfs reads it.
func dump(t testing.TB, img, path string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "dump")
	run(t, nil, "debugfs", nil, "-R", "dump "+path+" "+out, img)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// remount unmounts f and mounts img again, after checking it with
// e2fsck.
func remount(t testing.TB, f *FS, img string) *FS {
	t.Helper()
	if err := f.Unmount(); err != nil {
		t.Fatal(err)
	}
	fsck(t, img)
	return mountImage(t, img)
}

// model is what a file should hold.
type model []byte

func (m *model) write(p []byte, off int64) {
	if end := off + int64(len(p)); end > int64(len(*m)) {
		*m = append(*m, make([]byte, end-int64(len(*m)))...)
	}
	copy((*m)[off:], p)
}

func (m *model) truncate(size int64) {
	if size < int64(len(*m)) {
		*m = (*m)[:size]
	} else {
		*m = append(*m, make([]byte, size-int64(len(*m)))...)
	}
}

// checkFile compares file path of img (through f and through debugfs
// once f is unmounted) with want.
func checkFile(t *testing.T, f *FS, path string, want []byte) {
	t.Helper()
	ino := mustResolve(t, f, path)
	got, err := readAll(f, ino, 1<<16)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: read %d bytes, want %d (first difference at %d)", path, len(got), len(want), firstDiff(got, want))
	}
}

func checkDump(t testing.TB, img, path string, want []byte) {
	t.Helper()
	if got := dump(t, img, path); !bytes.Equal(got, want) {
		t.Fatalf("debugfs dump %s: %d bytes, want %d (first difference at %d)", path, len(got), len(want), firstDiff(got, want))
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// pattern returns n bytes that differ with seed and position.
func pattern(seed byte, n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = seed + byte(i*7) + byte(i>>10)
	}
	return p
}

func blockSizes(t *testing.T, fn func(t *testing.T, bs string)) {
	for _, bs := range []string{"1024", "4096"} {
		t.Run(bs, func(t *testing.T) { fn(t, bs) })
	}
}

// TestWriteBasic overwrites, extends, writes sparsely and truncates
// files that mkfs.ext4 -d made, then checks the image with e2fsck and
// the contents with debugfs.
func TestWriteBasic(t *testing.T) {
	blockSizes(t, func(t *testing.T, bs string) {
		tree := writeTree(t)
		img := mkfsImage(t, "", "32M", "-b", bs, "-d", tree)
		f := mountImage(t, img)
		files := map[string]*model{}
		for _, name := range []string{"small", "empty", "medium", "d/inner"} {
			data, _ := os.ReadFile(filepath.Join(tree, name))
			m := model(data)
			files[name] = &m
		}
		write := func(name string, p []byte, off int64) {
			t.Helper()
			ino := mustResolve(t, f, name)
			if n, err := f.WriteAt(ino, p, off); err != nil || n != len(p) {
				t.Fatalf("WriteAt(%s, %d bytes, %d) = %d, %v", name, len(p), off, n, err)
			}
			files[name].write(p, off)
		}
		truncate := func(name string, size int64) {
			t.Helper()
			if err := f.Truncate(mustResolve(t, f, name), size); err != nil {
				t.Fatalf("Truncate(%s, %d): %v", name, size, err)
			}
			files[name].truncate(size)
		}
		write("small", []byte("HELLO"), 0)         // overwrite in place
		write("small", pattern(1, 3000), 10)       // extend over the end
		write("empty", pattern(2, 100), 5<<20)     // sparse, far out
		write("empty", pattern(3, 10), 17)         // into the hole before
		write("medium", pattern(4, 70000), 100000) // overwrite and extend
		truncate("medium", 123457)                 // shrink mid-block
		truncate("medium", 200000)                 // grow: a hole, zeros
		write("d/inner", pattern(5, 1), 4095)      // one byte
		truncate("small", 0)                       // everything
		write("small", pattern(6, 9000), 1)        // again
		f = remount(t, f, img)
		for name, m := range files {
			checkFile(t, f, name, *m)
		}
		truncate("empty", 3)
		write("medium", pattern(7, 5), 1<<20)
		if err := f.Unmount(); err != nil {
			t.Fatal(err)
		}
		fsck(t, img)
		for name, m := range files {
			checkDump(t, img, name, *m)
		}
	})
}
