package integration

import (
	"syscall"
	"testing"
)

// File locks, owners and the small metadata calls (testdata/lockprobe):
// flock, fcntl's POSIX and OFD record locks (conflicts between
// descriptions, splitting and merging, what closing drops, waiting for
// another thread's release, bad input), chown and its kin, sync,
// syncfs, fstatfs, fchdir and fchmod print the same in the guest's /tmp
// as natively in the host's /dev/shm.
func TestLocks(t *testing.T) {
	var fs syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &fs); err != nil || fs.Type != tmpfsMagic {
		t.Skip("the host has no tmpfs at /dev/shm to compare with")
	}
	if syscall.Getuid() != 0 {
		t.Skip("the native run must be root's, as the guest's is, to give files away")
	}
	img := buildTestProgram(t, "lockprobe")
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", img, "--", "/tmp")
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	sameLines(t, "lockprobe:", res.stdout, runNative(t, "lockprobe", "/dev/shm"), 140)
}
