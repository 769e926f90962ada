package integration

import (
	"syscall"
	"testing"
)

// The file I/O calls beyond read and write (statx, the preadv family,
// sendfile, copy_file_range, fallocate, openat2, O_TMPFILE and
// RLIMIT_FSIZE) do in the guest's /tmp what Linux's do in a tmpfs:
// testdata/ioprobe runs in the guest and natively in the host's
// /dev/shm, and prints the same lines.
func TestFileIO(t *testing.T) {
	var fs syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &fs); err != nil || fs.Type != tmpfsMagic {
		t.Skip("the host has no tmpfs at /dev/shm to compare with")
	}
	img := buildTestProgram(t, "ioprobe")
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", img, "--", "/tmp")
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	sameLines(t, "ioprobe:", res.stdout, runNative(t, "ioprobe", "/dev/shm"), 150)
}
