package integration

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/tools/image"
)

// shareTree fills dir with what testdata/shareprobe expects to find.
func shareTree(t *testing.T, dir string, big []byte) {
	t.Helper()
	for name, data := range map[string]string{
		"in.txt":                     "hello from the host\n",
		"sub/f":                      "s\n",
		"dir with spaces/nested.txt": "nested\n",
		"big.bin":                    string(big),
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"link":        "in.txt",
		"ldir":        "sub",
		"sub/up":      "../dir with spaces",
		"loop1":       "loop2",
		"loop2":       "loop1",
		"sub/dangles": "nowhere",
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
}

// A host directory shared with -v is the guest's to read and change, as
// a local directory is natively: testdata/shareprobe prints the same
// lines in the guest (virtio-9p over MMIO on microvm, over PCI on q35)
// and natively on a copy of the tree; what the guest wrote is on the
// host afterwards; a share given with :ro refuses every change (EROFS),
// and a rename out of a share is EXDEV.
func TestSharedDirectory(t *testing.T) {
	img := buildImage(t, "./tools/integration/testdata/shareprobe")
	if ok, err := image.HasShares(img); err != nil || ok {
		t.Fatalf("an image built without --shares has the file service (%v, %v)", ok, err)
	}
	res := coracle(t, "build", "--shares", "-o", img, "./tools/integration/testdata/shareprobe")
	if res.err != nil || res.status != 0 {
		t.Fatalf("build --shares: %s", res)
	}
	big := make([]byte, 300_000) // several 9P messages
	rand.Read(big)
	nativeDir := t.TempDir()
	shareTree(t, nativeDir, big)
	native := runNative(t, "shareprobe", nativeDir)

	forEachTarget(t, []string{"microvm", "q35"}, func(t *testing.T, machine, accel string) {
		rw, ro := t.TempDir(), t.TempDir()
		shareTree(t, rw, big)
		if err := os.WriteFile(filepath.Join(ro, "in.txt"), []byte("read-only\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		res := coracle(t, "run", "--machine", machine, "--accel", accel, "--net", "none",
			"-v", rw+":/data", "-v", ro+":/ro:ro", img, "--", "/data", "/ro")
		if res.err != nil || res.status != 0 {
			t.Fatalf("want exit status 0\n%s", res)
		}
		sameLines(t, "shareprobe:", res.stdout, native, 35)
		out := strings.ReplaceAll(res.stdout, "\r\n", "\n")
		for _, want := range []string{
			"ro: read: \"read-only\\n\" ok\n",
			"ro: create: EROFS\n",
			"ro: mkdir: EROFS\n",
			"ro: remove: EROFS\n",
			"ro: rename across shares: EXDEV\n",
			"ro: rename into the root: EXDEV\n",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("console lacks %q\n%s", want, res)
			}
		}
		// What the guest left on the host.
		if b, err := os.ReadFile(filepath.Join(rw, "out", "result.txt")); err != nil || string(b) != "LINE" {
			t.Errorf("out/result.txt on the host: %q, %v; want \"LINE\"", b, err)
		}
		if fi, err := os.Stat(filepath.Join(rw, "out", "result.txt")); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("out/result.txt's mode on the host: %v, %v; want 0600", fi, err)
		}
		if target, err := os.Readlink(filepath.Join(rw, "out", "latest")); err != nil || target != "log.txt" {
			t.Errorf("out/latest on the host: %q, %v", target, err)
		}
		if _, err := os.Stat(filepath.Join(rw, "many")); !os.IsNotExist(err) {
			t.Errorf("many/ is still on the host: %v", err)
		}
		if entries, _ := os.ReadDir(ro); len(entries) != 1 {
			t.Errorf("the read-only share changed: %d entries", len(entries))
		}
	})
}

// An image built without the file service cannot be run with -v: the
// error says how to build it.
func TestSharedDirectoryNeedsTheService(t *testing.T) {
	res := coracle(t, "run", "--net", "none", "-v", t.TempDir()+":/data", helloImage)
	if res.status != 125 || !strings.Contains(res.stderr, "coracle build --shares") {
		t.Errorf("want status 125 and advice to rebuild with --shares\n%s", res)
	}
}
