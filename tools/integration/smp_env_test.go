package integration

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// CORACLE_TEST_SMP=N runs every guest that the tests start with
// `coracle run` on N vCPUs (the program's threads on every one of them,
// docs/smp.md), so that any test can be run on several CPUs:
//
//	CORACLE_TEST_SMP=2 go test ./tools/integration -run 'TestHTTPD|TestUDP'
//
// Unset (the default), the arguments are left as they are.
func withSMP(args []string) []string {
	n, err := strconv.Atoi(os.Getenv("CORACLE_TEST_SMP"))
	if err != nil || n < 1 || len(args) == 0 || args[0] != "run" {
		return args
	}
	return append([]string{"run", "--cpus", strconv.Itoa(n)}, args[1:]...)
}

// guestCPUs is how many vCPUs `coracle run` gives the tests' guests:
// CORACLE_TEST_SMP's count, else coracle run's default, 1.
func guestCPUs() int {
	if n, err := strconv.Atoi(os.Getenv("CORACLE_TEST_SMP")); err == nil && n >= 1 {
		return n
	}
	return 1
}

// cpuOnlineLine is procprobe's line for a guest with n CPUs:
// /sys/devices/system/cpu/online as Linux writes it, and NumCPU.
func cpuOnlineLine(n int) string {
	online := "0"
	if n > 1 {
		online = fmt.Sprintf("0-%d", n-1)
	}
	return fmt.Sprintf("procinfo: cpu/online %q, NumCPU %d", online+"\n", n)
}

func TestWithSMPArgs(t *testing.T) {
	t.Setenv("CORACLE_TEST_SMP", "2")
	for _, c := range []struct{ in, want []string }{
		{[]string{"run", "img", "--", "--cmdline", "x"}, []string{"run", "--cpus", "2", "img", "--", "--cmdline", "x"}},
		{[]string{"build", "-o", "x", "pkg"}, []string{"build", "-o", "x", "pkg"}},
	} {
		if got := withSMP(c.in); strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("withSMP(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if guestCPUs() != 2 || cpuOnlineLine(2) != `procinfo: cpu/online "0-1\n", NumCPU 2` {
		t.Errorf("with 2: guestCPUs %d, line %s", guestCPUs(), cpuOnlineLine(2))
	}
	t.Setenv("CORACLE_TEST_SMP", "")
	if got := withSMP([]string{"run", "img"}); len(got) != 2 {
		t.Errorf("unset: %q", got)
	}
	if guestCPUs() != 1 || cpuOnlineLine(1) != `procinfo: cpu/online "0\n", NumCPU 1` {
		t.Errorf("unset: guestCPUs %d, line %s", guestCPUs(), cpuOnlineLine(1))
	}
}
