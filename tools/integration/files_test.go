package integration

import (
	"strings"
	"syscall"
	"testing"
)

// tmpfsMagic is TMPFS_MAGIC (include/uapi/linux/magic.h).
const tmpfsMagic = 0x01021994

// The file system calls in the guest's /tmp do what Linux's do in a
// tmpfs: testdata/fsprobe runs in the guest and natively in the host's
// /dev/shm, and prints the same lines.
func TestFiles(t *testing.T) {
	var fs syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &fs); err != nil || fs.Type != tmpfsMagic {
		t.Skip("the host has no tmpfs at /dev/shm to compare with")
	}
	img := buildTestProgram(t, "fsprobe")
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", img, "--", "/tmp")
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	sameLines(t, "fsprobe:", res.stdout, runNative(t, "fsprobe", "/dev/shm"), 150)
}

// Filling /tmp in a small VM ends in ENOSPC, not in a kernel fault or
// the out-of-memory stop, and removing the files makes room again.
func TestFilesFull(t *testing.T) {
	img := buildTestProgram(t, "fsprobe")
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", "-m", "32", img, "--", "fill", "/tmp")
	for _, want := range []string{
		"fsprobe: fill stopped with: ENOSPC\n",
		"fsprobe: wrote some MiB: true\n",
		"fsprobe: statfs free blocks when full: true\n",
		"fsprobe: memory free when full is at least 4 MiB: true\n",
		"fsprobe: write after removing: ok\n",
		"fsprobe: done\n",
	} {
		if !strings.Contains(strings.ReplaceAll(res.stdout, "\r\n", "\n"), want) {
			t.Errorf("console lacks %q\n%s", want, res)
		}
	}
	if res.err != nil || res.status != 0 {
		t.Errorf("want exit status 0\n%s", res)
	}
}
