package integration

import (
	"syscall"
	"testing"
)

// Mapped files behave as Linux's in a tmpfs: testdata/mmapprobe maps
// files in the guest's /tmp and natively in the host's /dev/shm
// (private and shared mappings, copy on write, SIGBUS past the end,
// truncation, holes, x/exp/mmap, debug/elf) and prints the same lines.
func TestMmapFiles(t *testing.T) {
	var fs syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &fs); err != nil || fs.Type != tmpfsMagic {
		t.Skip("the host has no tmpfs at /dev/shm to compare with")
	}
	img := buildTestProgram(t, "mmapprobe")
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", img, "--", "/tmp")
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	sameLines(t, "mmapprobe:", res.stdout, runNative(t, "mmapprobe", "/dev/shm"), 80)
}
