package ext4

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

func TestWriteSmoke(t *testing.T) {
	for _, bs := range []string{"1024", "4096"} {
		t.Run(bs, func(t *testing.T) {
			img := mkfsImage(t, "", "32M", "-b", bs, "-d", writeTree(t))
			f := mountImage(t, img)
			ino := mustResolve(t, f, "small")
			want := []byte("hello, world\n")
			add := bytes.Repeat([]byte("x"), 100000)
			if n, err := f.WriteAt(ino, add, 5000); err != nil || n != len(add) {
				t.Fatalf("WriteAt = %d, %v", n, err)
			}
			want = append(want, make([]byte, 5000-len(want))...)
			want = append(want, add...)
			if err := f.Unmount(); err != nil {
				t.Fatal(err)
			}
			fsck(t, img)
			if got := dump(t, img, "small"); !bytes.Equal(got, want) {
				t.Errorf("dump: %d bytes, want %d", len(got), len(want))
			}
			_ = strings.TrimSpace
		})
	}
}
