package disk

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func TestCheckErrors(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.img")
	plainFile := filepath.Join(dir, "plain")
	for _, p := range []string{existing, plainFile} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fresh := filepath.Join(dir, "new.img")
	for _, tt := range []struct {
		name string
		o    Options
		want string // "" for no error
	}{
		{"fine", Options{File: fresh, Size: MinSize, From: dir, Label: "data"}, ""},
		{"existing with force", Options{File: existing, Size: MinSize, Force: true}, ""},
		{"no file", Options{Size: MinSize}, "no image file"},
		{"too small", Options{File: fresh, Size: 4 << 20}, "below the minimum of 8 MiB"},
		{"partial block", Options{File: fresh, Size: MinSize + 1}, "not a multiple of the 4096-byte block"},
		{"long label", Options{File: fresh, Size: MinSize, Label: "seventeen-bytes!!"}, "at most 16"},
		{"existing", Options{File: existing, Size: MinSize}, existing + " exists: choose another name, or add --force"},
		{"directory as file", Options{File: dir, Size: MinSize, Force: true}, dir + " exists and is not a regular file"},
		{"from a file", Options{File: fresh, Size: MinSize, From: plainFile}, "--from " + plainFile + " is not a directory"},
		{"from nowhere", Options{File: fresh, Size: MinSize, From: filepath.Join(dir, "nope")}, "--from " + filepath.Join(dir, "nope") + ": no such file or directory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.o.Check()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("Check() = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestCreateWithoutE2fsprogs(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	saved := sbinDirs
	sbinDirs = []string{t.TempDir()}
	t.Cleanup(func() { sbinDirs = saved })

	file := filepath.Join(t.TempDir(), "disk.img")
	err := Create(context.Background(), Options{File: file, Size: 64 << 20})
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Command != "mkfs.ext4" {
		t.Fatalf("Create without e2fsprogs: %v, want a NotFoundError for mkfs.ext4", err)
	}
	if !strings.Contains(err.Error(), "apt-get install -y e2fsprogs") {
		t.Errorf("error %q does not say how to install e2fsprogs", err)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s: %v; want no file", file, err)
	}
}

// needE2fsprogs skips the test when the commands are missing; make test
// installs them (tools/ensure-host.sh).
func needE2fsprogs(t *testing.T) {
	t.Helper()
	for _, name := range []string{"mkfs.ext4", "e2fsck", "dumpe2fs", "debugfs"} {
		if _, err := LookPath(name); err != nil {
			t.Skip(err)
		}
	}
}

// debugfs runs one debugfs request on the image, read-only.
func debugfs(t *testing.T, img, request string) string {
	t.Helper()
	path, err := LookPath("debugfs")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, "-R", request, img)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("debugfs -R %q: %v\n%s", request, err, stderr.String())
	}
	return string(out)
}

// fsEntry is a directory entry as debugfs's ls -p shows it.
type fsEntry struct{ mode, name, size string }

// listDir lists a directory of the image with debugfs ls -p, whose lines
// are /inode/mode/uid/gid/name/size/.
func listDir(t *testing.T, img, dir string) []fsEntry {
	t.Helper()
	var entries []fsEntry
	for _, line := range strings.Split(strings.TrimSpace(debugfs(t, img, "ls -p \""+dir+"\"")), "\n") {
		f := strings.Split(line, "/")
		if len(f) != 8 {
			t.Fatalf("debugfs ls -p %s: unexpected line %q", dir, line)
		}
		if f[5] != "." && f[5] != ".." {
			entries = append(entries, fsEntry{mode: f[2], name: f[5], size: f[6]})
		}
	}
	return entries
}

func TestCreateFromTree(t *testing.T) {
	needE2fsprogs(t)
	tree := t.TempDir()
	big := make([]byte, 3<<20)
	rng := rand.NewChaCha8([32]byte{'c', 'o', 'r', 'a', 'c', 'l', 'e'})
	rng.Read(big)
	files := map[string][]byte{
		"hello.txt":            []byte("hello, disk\n"),
		"name with spaces.txt": []byte("spaces are fine\n"),
		"dir/nested/deep.txt":  []byte("two levels down\n"),
		"dir/big.bin":          big,
		"dir/empty":            nil,
	}
	for name, data := range files {
		p := filepath.Join(tree, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(tree, "dir/nested/deep.txt"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("nested/deep.txt", filepath.Join(tree, "dir/link")); err != nil {
		t.Fatal(err)
	}

	img := filepath.Join(t.TempDir(), "disk.img")
	if err := Create(context.Background(), Options{File: img, Size: 64 << 20, From: tree, Label: "coracle-test"}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(img); err != nil || fi.Size() != 64<<20 {
		t.Fatalf("image: %v, %v; want a file of 64 MiB", fi, err)
	}

	// Every file reads back identically through debugfs.
	out := t.TempDir()
	for name, want := range files {
		dst := filepath.Join(out, strings.ReplaceAll(name, "/", "_"))
		debugfs(t, img, "dump \"/"+name+"\" \""+dst+"\"")
		got, err := os.ReadFile(dst)
		if err != nil {
			t.Fatalf("dump %s: %v", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s reads back as %d bytes that differ from the %d written", name, len(got), len(want))
		}
	}
	// The directories hold exactly the tree, with its modes and the
	// files' sizes (ls -p leaves a directory's size out).
	for dir, want := range map[string][]fsEntry{
		"/":           {{"040755", "dir", ""}, {"100644", "hello.txt", "12"}, {"040700", "lost+found", ""}, {"100644", "name with spaces.txt", "16"}},
		"/dir":        {{"100644", "big.bin", "3145728"}, {"100644", "empty", "0"}, {"120777", "link", "15"}, {"040755", "nested", ""}},
		"/dir/nested": {{"100600", "deep.txt", "16"}},
	} {
		got := listDir(t, img, dir)
		slices.SortFunc(got, func(a, b fsEntry) int { return strings.Compare(a.name, b.name) })
		if !slices.Equal(got, want) {
			t.Errorf("ls %s:\n got %v\nwant %v", dir, got, want)
		}
	}
	if st := debugfs(t, img, "stat /dir/link"); !strings.Contains(st, `Fast link dest: "nested/deep.txt"`) {
		t.Errorf("stat /dir/link does not show the link's target:\n%s", st)
	}

	// The superblock has the documented features, geometry and label.
	sb, err := Superblock(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Fields(sb["Filesystem features"])
	slices.Sort(got)
	want := slices.Sorted(slices.Values(Features))
	if !slices.Equal(got, want) {
		t.Errorf("features %v, want exactly %v", got, want)
	}
	for field, want := range map[string]string{
		"Block size": "4096", "Inode size": "256", "Filesystem volume name": "coracle-test",
		"Block count": "16384", "Journal backup": "inode blocks",
	} {
		if sb[field] != want {
			t.Errorf("dumpe2fs -h: %s %q, want %q", field, sb[field], want)
		}
	}

	// e2fsck -fn is clean (Create checked it too; this is the test's own look).
	e2fsck, _ := LookPath("e2fsck")
	if out, err := exec.Command(e2fsck, "-fn", img).CombinedOutput(); err != nil {
		t.Errorf("e2fsck -fn: %v\n%s", err, out)
	}
	assertNoLeftovers(t, filepath.Dir(img), "disk.img")
}

// assertNoLeftovers fails when dir holds other files than want.
func assertNoLeftovers(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, want) {
		t.Errorf("%s holds %q, want %q", dir, names, want)
	}
}

func TestCreateSmallestAndForce(t *testing.T) {
	needE2fsprogs(t)
	dir := t.TempDir()
	img := filepath.Join(dir, "small.img")
	if err := os.WriteFile(img, bytes.Repeat([]byte("old"), 1<<22), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Create(context.Background(), Options{File: img, Size: MinSize}); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("Create over an existing file: %v, want an error naming --force", err)
	}
	if err := Create(context.Background(), Options{File: img, Size: MinSize, Force: true}); err != nil {
		t.Fatal(err)
	}
	// The old, larger file is replaced, not reformatted in place.
	if fi, err := os.Stat(img); err != nil || fi.Size() != MinSize {
		t.Fatalf("image: %v, %v; want %d bytes", fi, err, MinSize)
	}
	sb, err := Superblock(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	// At the minimum size mke2fs still makes the journal: 1024 blocks.
	if !strings.Contains(sb["Filesystem features"], "has_journal") || sb["Total journal size"] != "4096k" {
		t.Errorf("smallest image: features %q, journal %q; want has_journal and 4096k", sb["Filesystem features"], sb["Total journal size"])
	}
	assertNoLeftovers(t, dir, "small.img")
}

func TestCreateTreeTooLarge(t *testing.T) {
	needE2fsprogs(t)
	// Not zeros: mkfs.ext4 -d leaves holes for those.
	tree := t.TempDir()
	if err := os.WriteFile(filepath.Join(tree, "huge"), bytes.Repeat([]byte("x"), 10<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	img := filepath.Join(dir, "disk.img")
	err := Create(context.Background(), Options{File: img, Size: MinSize, From: tree})
	if err == nil || !strings.Contains(err.Error(), "the tree under "+tree+" does not fit in 8 MiB: use a larger --size") {
		t.Fatalf("Create with a tree larger than the disk: %v, want an error that says to use a larger --size", err)
	}
	assertNoLeftovers(t, dir)
}

func TestVerifyFindsDamage(t *testing.T) {
	needE2fsprogs(t)
	img := filepath.Join(t.TempDir(), "disk.img")
	if err := Create(context.Background(), Options{File: img, Size: 16 << 20}); err != nil {
		t.Fatal(err)
	}
	if err := Verify(context.Background(), img); err != nil {
		t.Fatalf("Verify of a new image: %v", err)
	}
	f, err := os.OpenFile(img, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Scribble over the group descriptors (block 1), whose checksums
	// e2fsck verifies.
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xa5}, 64), BlockSize); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := Verify(context.Background(), img); err == nil || !strings.Contains(err.Error(), "e2fsck -fn "+img+" is not clean") {
		t.Errorf("Verify of a damaged image: %v, want e2fsck's complaint", err)
	}
}

func TestCreateHonoursUmask(t *testing.T) {
	needE2fsprogs(t)
	old := syscall.Umask(0o027)
	t.Cleanup(func() { syscall.Umask(old) })
	img := filepath.Join(t.TempDir(), "disk.img")
	if err := Create(context.Background(), Options{File: img, Size: MinSize}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(img); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("image: %v, %v; want mode 0640 under umask 027", fi.Mode(), err)
	}
}
