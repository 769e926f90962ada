package integration

import (
	"regexp"
	"strings"
	"testing"
)

// The conformance program checks the runtime's view of the machine from
// inside a 64 MiB guest: CPUs, clocks, a 50 ms sleep, 10,000 goroutines,
// garbage collection of 8x the VM's memory, arguments and environment,
// user and groups.
func TestConformance(t *testing.T) {
	forEachTarget(t, []string{"microvm", "q35"}, func(t *testing.T, machine, accel string) {
		res := coracle(t, "run", "--machine", machine, "--accel", accel, "-m", "64",
			"-e", "CONFORMANCE_ENV=hello world", confImage, "--",
			"all", "one", "two words", `"quoted"`, "", "ünïcode")
		for _, check := range []string{"cpus", "monotonic", "walltime", "sleep", "goroutines", "gc", "args", "env", "ids"} {
			if !regexp.MustCompile(`(?m)^PASS ` + check + `: `).MatchString(res.stdout) {
				t.Errorf("check %s did not pass", check)
			}
		}
		if res.err != nil || res.status != 0 || !strings.Contains(res.stdout, "all 9 checks passed") {
			t.Errorf("want all checks to pass and exit status 0")
		}
		if t.Failed() {
			t.Log(res)
		}
	})
}

func TestExitStatus(t *testing.T) {
	forEachTarget(t, []string{"microvm"}, func(t *testing.T, machine, accel string) {
		res := coracle(t, "run", "--machine", machine, "--accel", accel, confImage, "--", "exit3")
		if res.err != nil || res.status != 3 {
			t.Errorf("os.Exit(3): want exit status 3\n%s", res)
		}
	})
}

// An unrecovered panic prints Go's own report and exits 2, as on Linux.
func TestUnrecoveredPanic(t *testing.T) {
	forEachTarget(t, []string{"microvm"}, func(t *testing.T, machine, accel string) {
		res := coracle(t, "run", "--machine", machine, "--accel", accel, confImage, "--", "panic")
		if res.err != nil || res.status != 2 {
			t.Errorf("panic(\"x\"): want exit status 2\n%s", res)
		}
		for _, want := range []string{"panic: x\n", "goroutine 1 [running]:", "main.main()"} {
			if !strings.Contains(res.stdout, want) {
				t.Errorf("panic report lacks %q\n%s", want, res)
			}
		}
	})
}
