package integration

import "testing"

// A thread may set its own FS base with WRFSBASE, as on Linux since 5.9:
// arch_prctl(ARCH_GET_FS) reports it and a switch to other threads keeps
// it (testdata/fsbaseprobe). The program runs natively on the host too,
// and the guest must print the same lines.
func TestWRFSBASEFromRing3(t *testing.T) {
	img := buildTestProgram(t, "fsbaseprobe")
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", img)
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	sameLines(t, "fsbaseprobe:", res.stdout, runNative(t, "fsbaseprobe"), 2)
}
