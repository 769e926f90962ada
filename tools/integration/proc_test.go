package integration

import (
	"regexp"
	"strings"
	"testing"
)

// /proc, /sys and /dev's links (testdata/procprobe): cmdline, environ
// and auxv against what the program started with; maps against the
// program's own code, data, heap and stack addresses; stat and status
// against each other; /proc/self/fd against the open descriptors,
// readlink of its entries, and opening them (renamed and removed files
// included); /dev/fd and /dev/std*; hostname, osrelease, version,
// uptime, mounts, cgroup and the /sys files the Go runtime reads. The
// program runs natively too, with the same arguments, and the guest
// must print the same "procprobe:" lines.
func TestProc(t *testing.T) {
	img := buildTestProgram(t, "procprobe")
	args := []string{"one", "two words", ""}
	res := coracle(t, append([]string{"run", "--accel", "tcg", "--net", "none", "-m", "128", "-e", "PROBE=1", img, "--"}, args...)...)
	if res.err != nil || res.status != 0 {
		t.Fatalf("want exit status 0\n%s", res)
	}
	sameLines(t, "procprobe:", res.stdout, runNative(t, "procprobe", args...), 40)
	for _, want := range []string{
		`procinfo: fd 0 -> /dev/ttyS0`,
		`procinfo: fd 2 -> /dev/ttyS0`,
		cpuOnlineLine(guestCPUs()),
		`procinfo: cgroup "0::/\n"`,
	} {
		if !strings.Contains(strings.ReplaceAll(res.stdout, "\r\n", "\n"), want) {
			t.Errorf("guest output lacks %q", want)
		}
	}
	if !regexp.MustCompile(`procinfo: cmdline "[^"]*\\x00one\\x00two words\\x00\\x00"`).MatchString(res.stdout) {
		t.Errorf("cmdline is not argv[0] and the arguments")
	}
	if t.Failed() {
		t.Log(res.stdout)
	}
}
