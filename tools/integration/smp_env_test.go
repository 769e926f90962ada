package integration

import (
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
	t.Setenv("CORACLE_TEST_SMP", "")
	if got := withSMP([]string{"run", "img"}); len(got) != 2 {
		t.Errorf("unset: %q", got)
	}
}
