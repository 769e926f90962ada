package image

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/coracle-os/coracle/kernel/cpio"
)

// FilesArchive names entries by their guest path, makes the directories
// on the way to GUESTDIR, follows a DIR that is a link, and keeps modes
// and links.
func TestFilesArchive(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "tree", "d"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tree", "d", "x"), []byte("xx"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("d/x", filepath.Join(dir, "tree", "l")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("tree", filepath.Join(dir, "via")); err != nil {
		t.Fatal(err)
	}
	b, err := FilesArchive([]Files{{HostDir: filepath.Join(dir, "via"), GuestDir: "/srv/app"}, {HostDir: filepath.Join(dir, "tree"), GuestDir: "/"}})
	if err != nil {
		t.Fatal(err)
	}
	r := cpio.NewReader(b)
	var got []string
	for {
		e, err := r.Next()
		if err == cpio.End {
			break
		}
		if err != 0 {
			t.Fatal(err)
		}
		got = append(got, string(e.Name)+" "+modeString(e.Mode)+" "+string(e.Data))
	}
	want := []string{
		"srv 40755 ",
		"", // srv/app: the tree's own mode, which the umask may change
		"", // srv/app/d, likewise
		"srv/app/d/x 100755 xx",
		"srv/app/l 120777 d/x",
		"", // d, likewise
		"d/x 100755 xx",
		"l 120777 d/x",
	}
	fi, _ := os.Stat(filepath.Join(dir, "tree"))
	want[1] = "srv/app " + modeString(0o40000|uint32(fi.Mode().Perm())) + " "
	fi, _ = os.Stat(filepath.Join(dir, "tree", "d"))
	want[2] = "srv/app/d " + modeString(0o40000|uint32(fi.Mode().Perm())) + " "
	want[5] = "d " + modeString(0o40000|uint32(fi.Mode().Perm())) + " "
	if len(got) != len(want) {
		t.Fatalf("entries\n%q\nwant\n%q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func modeString(m uint32) string { return strconv.FormatUint(uint64(m), 8) }
