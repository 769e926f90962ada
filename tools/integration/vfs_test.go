package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// File-system behaviour Go's os tests rely on (testdata/vfsprobe):
// open(O_CREAT) through dangling symbolic links, with openat2's resolve
// flags too; FIFOs from mkfifo and mknod (types, opens that wait for
// the other side or answer ENXIO, data, EOF, O_RDWR); regular files
// through mknod; and the root's /etc/passwd, /etc/group, /root and
// /usr/bin, read by os/user. The guest, on its tmpfs, prints what the
// program prints natively on the host.
func TestVFSProbe(t *testing.T) {
	img := buildTestProgram(t, "vfsprobe")
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", img, "--", "/tmp/probe", "links", "resolve", "fifo", "skeleton")
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	sameLines(t, "vfsprobe:", res.stdout, runNative(t, "vfsprobe", t.TempDir(), "links", "resolve", "fifo", "skeleton"), 50)
}

// The same links on a shared host directory, where the file service
// resolves them: the dangling link's target is made on the host.
// openat2 with resolve flags walks the root tmpfs only and answers EXDEV
// in a share.
func TestVFSProbeShare(t *testing.T) {
	img := filepath.Join(t.TempDir(), "vfsprobe.img")
	if res := coracle(t, "build", "--shares", "-o", img, "./tools/integration/testdata/vfsprobe"); res.err != nil || res.status != 0 {
		t.Fatalf("build --shares: %s", res)
	}
	dir := t.TempDir()
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", "-v", dir+":/data", img, "--", "/data", "links")
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	sameLines(t, "vfsprobe:", res.stdout, runNative(t, "vfsprobe", t.TempDir(), "links"), 10)
	if data, err := os.ReadFile(filepath.Join(dir, "links", "made")); err != nil || string(data) != "x" {
		t.Errorf("the target of the dangling link on the host: %q, %v", data, err)
	}

	// openat2 with resolve flags does not reach into the share: EXDEV;
	// without them it is openat, served by the file service.
	res = coracle(t, "run", "--accel", "tcg", "--net", "none", "-v", dir+":/data", img, "--", "/data", "resolve")
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	out := strings.ReplaceAll(res.stdout, "\r\n", "\n")
	for _, want := range []string{
		"openat2 O_CREAT through beneath (resolve 0x8): EXDEV; made8 is ENOENT\n",
		"openat2 O_CREAT through absin (resolve 0x10): EXDEV; made9 is ENOENT\n",
		"openat2 O_CREAT through nosym (resolve 0x4): EXDEV; made10 is ENOENT\n",
		"openat2 O_CREAT through abs (resolve 0x0): ok; made4 is -rw-------\n",
		"vfsprobe: done\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("console lacks %q\n%s", want, res)
		}
	}
}

// Files packed with coracle build --files replace the root's skeleton:
// a program's own /etc/passwd and programs in /usr/bin are what it sees.
func TestVFSSkeletonReplaced(t *testing.T) {
	tree := t.TempDir()
	for name, data := range map[string]string{
		"etc/passwd":   "app:x:1000:1000::/home/app:/bin/false\n",
		"usr/bin/tool": "#!/bin/false\n",
	} {
		p := filepath.Join(tree, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	img := filepath.Join(t.TempDir(), "vfsprobe.img")
	if res := coracle(t, "build", "-o", img, "--files", tree, "./tools/integration/testdata/vfsprobe"); res.err != nil || res.status != 0 {
		t.Fatalf("build --files: %s", res)
	}
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", img, "--", "/tmp/probe", "packaged")
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	out := strings.ReplaceAll(res.stdout, "\r\n", "\n")
	for _, want := range []string{
		`vfsprobe: /etc/passwd: "app:x:1000:1000::/home/app:/bin/false\n" ok` + "\n",
		"vfsprobe: /usr/bin has tool\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("console lacks %q\n%s", want, res)
		}
	}
}

// A program may hold as many pipes as RLIMIT_NOFILE allows descriptors
// (os TestPipeThreads makes 100): with the limit at 1024, pipe2 answers
// EMFILE, not ENFILE, once the descriptors are used up, as natively, and
// as many pipes can be made again after closing them.
func TestPipesUpToNofile(t *testing.T) {
	img := buildTestProgram(t, "pipeprobe")
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", "-m", "256", img, "--", "nofile")
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	native := runNative(t, "pipeprobe", "nofile")
	sameLines(t, "pipeprobe:", res.stdout, native, 2)
}
