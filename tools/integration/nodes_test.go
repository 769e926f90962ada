package integration

import (
	"fmt"
	"regexp"
	"testing"
)

// Device nodes and /proc (testdata/nodeprobe): /dev/null, zero, full,
// random and urandom through package os, with their types and device
// numbers in stat and fstat, reads, writes (ENOSPC on full), seeks and
// preads; os.Executable through /proc/self/exe; /proc/meminfo and
// /proc/cpuinfo. The program runs natively on the host too, whose /dev
// has the same devices, and the guest must print the same lines; the
// guest's MemTotal must be the VM's memory less what the kernel and
// image hold, and its executable the argv[0] the command line gave.
func TestDeviceNodes(t *testing.T) {
	img := buildTestProgram(t, "nodeprobe")
	res := coracle(t, "run", "--accel", "tcg", "--net", "none", "-m", "128", img)
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	sameLines(t, "nodeprobe:", res.stdout, runNative(t, "nodeprobe"), 30)

	argv0 := regexp.MustCompile(`coracle\.argv0=([^\s"]+)`).FindStringSubmatch(res.stdout)
	if argv0 == nil || !regexp.MustCompile(`(?m)^nodeproc: exe `+regexp.QuoteMeta(argv0[1])+`\r?$`).MatchString(res.stdout) {
		t.Errorf("os.Executable is not the argv[0] of the command line\n%s", res)
	}
	var total, free uint64
	m := regexp.MustCompile(`nodeproc: MemTotal (\d+) MemFree (\d+)`).FindString(res.stdout)
	if _, err := fmt.Sscanf(m, "nodeproc: MemTotal %d MemFree %d", &total, &free); err != nil {
		t.Fatalf("no MemTotal line: %v\n%s", err, res)
	}
	if total > 128<<10 || total < 112<<10 || free >= total || free < 64<<10 {
		t.Errorf("MemTotal %d kB, MemFree %d kB in a 128 MiB VM", total, free)
	}
}
