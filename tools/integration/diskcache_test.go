package integration

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// coldContent is cold.bin of testdata/diskcache: 1 MiB whose byte i is
// byte(i*31 + i>>12).
func coldContent() []byte {
	b := make([]byte, 1<<20)
	for i := range b {
		b[i] = byte(i*31 + i>>12)
	}
	return b
}

// On a disk, read, write and file mappings of one file go through the
// kernel's page cache and see each other at once, as on Linux:
// testdata/diskcache prints the same "cache:" lines in a guest of 128
// MiB as natively (pwrite seen through a read-only MAP_SHARED mapping, a
// store through a writable one seen by pread, MAP_PRIVATE copies,
// growth and remapping, truncation under a mapping raising SIGBUS, 32
// readers of one cold page, and a 64 MiB file written and read back,
// which the cache can only hold by writing back and evicting). After
// the guest, e2fsck finds the image clean once the journal is replayed
// and debugfs dumps the files the native run made.
func TestDiskCache(t *testing.T) {
	img := buildTestProgram(t, "diskcache")
	if res := coracle(t, "build", "--disks", "-o", img, "./tools/integration/testdata/diskcache"); res.err != nil || res.status != 0 {
		t.Fatalf("build --disks: %s", res)
	}
	tree, nativeDir := t.TempDir(), t.TempDir()
	for _, dir := range []string{tree, nativeDir} {
		if err := os.WriteFile(filepath.Join(dir, "cold.bin"), coldContent(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	native := runNative(t, "diskcache", nativeDir, "-big", "64")
	disk := makeDisk(t, tree, "160M")
	res := coracle(t, "run", "-m", "128", "--net", "none", "--disk", disk+":/data", img, "--", "/data", "-big", "64")
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	sameLines(t, "cache:", res.stdout, native, 20)
	replayed := checkReplayed(t, disk)
	for _, name := range []string{"coherent.db", "cut.bin", "big.bin"} {
		want, _ := os.ReadFile(filepath.Join(nativeDir, name))
		if got := debugfsDump(t, replayed, name); !bytes.Equal(got, want) {
			t.Errorf("%s on the host: %d bytes, natively %d", name, len(got), len(want))
		}
	}
}
