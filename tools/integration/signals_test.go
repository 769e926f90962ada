package integration

import (
	"regexp"
	"strings"
	"testing"
)

// Hardware faults in Go code become signals and then recoverable panics:
// in the main goroutine and in others.
func TestFaultsBecomePanics(t *testing.T) {
	forEachTarget(t, []string{"microvm", "q35"}, func(t *testing.T, machine, accel string) {
		res := coracle(t, "run", "--machine", machine, "--accel", accel, faultImage, "--", "recover")
		for _, c := range []string{"nil dereference", "nil map write", "divide by zero", "slice bounds"} {
			for _, where := range []string{"main goroutine", "another goroutine"} {
				if !strings.Contains(res.stdout, "PASS "+c+" in "+where+": recovered") {
					t.Errorf("%s in %s was not recovered", c, where)
				}
			}
		}
		if res.err != nil || res.status != 0 {
			t.Errorf("want exit status 0")
		}
		if t.Failed() {
			t.Log(res)
		}
	})
}

// With GOMAXPROCS=1, a goroutine spinning without calls cannot keep a
// sleeper from waking: the runtime preempts it with SIGURG (tgkill), with
// its default settings.
func TestAsyncPreemption(t *testing.T) {
	forEachTarget(t, []string{"microvm"}, func(t *testing.T, machine, accel string) {
		res := coracle(t, "run", "--machine", machine, "--accel", accel, faultImage, "--", "preempt")
		if res.err != nil || res.status != 0 || !strings.Contains(res.stdout, "PASS preempt: ") {
			t.Errorf("want the sleeper to wake on time and exit status 0\n%s", res)
		}
	})
}

// An http.Handler-style recover loop survives 1,000 nil-dereference
// panics and the heap stays flat.
func TestRecoverLoopKeepsHeapFlat(t *testing.T) {
	forEachTarget(t, []string{"microvm"}, func(t *testing.T, machine, accel string) {
		res := coracle(t, "run", "--machine", machine, "--accel", accel, faultImage, "--", "handlerloop")
		if res.err != nil || res.status != 0 || !strings.Contains(res.stdout, "PASS handlerloop: 1000 panics recovered") {
			t.Errorf("want 1000 recovered panics with a flat heap, exit status 0\n%s", res)
		}
	})
}

// Go's own fatal paths end the VM with Go's text and status.
func TestGoFatalPaths(t *testing.T) {
	cases := []struct {
		mode, mem string
		status    int
		want      []string
	}{
		{"stackoverflow", "64", 2, []string{"runtime: goroutine stack exceeds 8388608-byte limit", "fatal error: stack overflow"}},
		{"oom", "64", 2, []string{"fatal error: runtime: out of memory"}},
		{"deadlock", "64", 2, []string{"fatal error: all goroutines are asleep - deadlock!"}},
	}
	for _, c := range cases {
		t.Run(c.mode, func(t *testing.T) {
			forEachTarget(t, []string{"microvm"}, func(t *testing.T, machine, accel string) {
				res := coracle(t, "run", "--machine", machine, "--accel", accel, "-m", c.mem, faultImage, "--", c.mode)
				if res.err != nil || res.status != c.status {
					t.Errorf("want exit status %d", c.status)
				}
				for _, w := range c.want {
					if !strings.Contains(res.stdout, w) {
						t.Errorf("output lacks %q", w)
					}
				}
				if t.Failed() {
					t.Log(res)
				}
			})
		})
	}
}

// A fault in the kernel itself is never turned into a signal: it is
// reported and ends the VM with the kernel-fault status.
func TestKernelFaultIsNotASignal(t *testing.T) {
	res := coracle(t, "run", "--accel", "tcg", "--cmdline", "coracle.crash=pf", faultImage, "--", "recover")
	if res.status != 121 || !regexp.MustCompile(`CPU exception 14 \(#PF page fault\)`).MatchString(res.stdout) {
		t.Errorf("want a kernel crash report and status 121\n%s", res)
	}
	if strings.Contains(res.stdout, "PASS") {
		t.Errorf("the program ran after a kernel fault\n%s", res)
	}
}
