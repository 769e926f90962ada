package integration

import (
	"strings"
	"testing"
)

// A thread's vector state (XMM, the upper halves of YMM, MXCSR, the x87
// control word and stack) survives system calls that return to the same
// thread, that switch threads, and whose handlers copy with vector
// registers, with timer interrupts and signals in between
// (testdata/vecprobe). The program runs natively on the host too, and the
// guest must print the same lines.
func TestVectorStateSurvivesTraps(t *testing.T) {
	img := buildTestProgram(t, "vecprobe")
	forEachTarget(t, []string{"microvm"}, func(t *testing.T, machine, accel string) {
		res := coracle(t, "run", "--machine", machine, "--accel", accel, "--net", "none", img)
		if res.err != nil || res.status != 0 {
			t.Fatalf("want exit status 0\n%s", res)
		}
		if !strings.Contains(res.stdout, "vecstate: avx true") {
			t.Logf("the guest has no AVX: only the SSE and x87 state was checked")
		}
		sameLines(t, "vecprobe:", res.stdout, runNative(t, "vecprobe"), 4)
	})
}
