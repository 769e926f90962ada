package integration

import "testing"

// Device nodes (testdata/nodeprobe): /dev/null, zero, full, random and
// urandom through package os, with their types and device numbers in
// stat and fstat, reads, writes (ENOSPC on full), seeks and preads. The
// program runs natively on the host too, whose /dev has the same
// devices, and the guest must print the same lines.
func TestDeviceNodes(t *testing.T) {
	img := buildTestProgram(t, "nodeprobe")
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", img)
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	sameLines(t, "nodeprobe:", res.stdout, runNative(t, "nodeprobe"), 30)
}
