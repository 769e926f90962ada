package integration

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// CORACLE_TEST_SMP=N runs every guest that the tests start with
// `coracle run` on N vCPUs with coracle.smp=on (docs/smp.md), so that
// any test can be run with the program's threads on several CPUs:
//
//	CORACLE_TEST_SMP=2 go test ./tools/integration -run 'TestHTTPD|TestUDP'
//
// Unset (the default), the arguments are left as they are.
func withSMP(args []string) []string {
	n, err := strconv.Atoi(os.Getenv("CORACLE_TEST_SMP"))
	if err != nil || n < 1 || len(args) == 0 || args[0] != "run" {
		return args
	}
	out := []string{"run", "--cpus", strconv.Itoa(n)}
	rest := args[1:]
	merged := false
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			out = append(out, rest[i:]...)
			break
		}
		if a == "--cmdline" && i+1 < len(rest) && !merged {
			out = append(out, a, rest[i+1]+" coracle.smp=on")
			i++
			merged = true
			continue
		}
		out = append(out, a)
	}
	if !merged {
		out = append([]string{"run", "--cmdline", "coracle.smp=on"}, out[1:]...)
	}
	return out
}

func TestWithSMPArgs(t *testing.T) {
	t.Setenv("CORACLE_TEST_SMP", "2")
	for _, c := range []struct{ in, want []string }{
		{[]string{"run", "img", "--", "--cmdline", "x"}, []string{"run", "--cmdline", "coracle.smp=on", "--cpus", "2", "img", "--", "--cmdline", "x"}},
		{[]string{"run", "--cmdline", "coracle.nomsix", "img"}, []string{"run", "--cpus", "2", "--cmdline", "coracle.nomsix coracle.smp=on", "img"}},
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
