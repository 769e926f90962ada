package integration

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// goOOM is the Go runtime's report when memory runs out: "fatal error:
// runtime: out of memory" when its commit (a MAP_FIXED mmap) is refused,
// "fatal error: out of memory" when it cannot reserve more heap.
var goOOM = regexp.MustCompile(`(?m)^fatal error: (runtime: )?out of memory`)

// kernelFaultText is what the kernel prints for a fault of its own.
var kernelFaultText = []string{"coracle: CPU exception", "kernel fault", "coracle: out of memory"}

// A program that allocates and keeps memory (testdata/memhog) ends with
// the Go runtime's own out-of-memory report at the smallest memory sizes
// coracle run accepts, never with a kernel fault or the kernel's own
// out-of-memory exit: the kernel refuses the runtime's commit first.
func TestOutOfMemory(t *testing.T) {
	img := buildTestProgram(t, "memhog")
	for _, mib := range []int{16, 24, 32} {
		for _, mode := range []string{"big", "small"} {
			t.Run(fmt.Sprintf("%dMiB/%s", mib, mode), func(t *testing.T) {
				forEachTarget(t, []string{"microvm"}, func(t *testing.T, machine, accel string) {
					res := coracle(t, "run", "--machine", machine, "--accel", accel, "-m", fmt.Sprint(mib), img, "--", mode)
					if res.err != nil {
						t.Fatalf("%v\n%s", res.err, res)
					}
					if !strings.Contains(res.stdout, "memhog: 1 MiB kept") {
						t.Errorf("the program did not get going\n%s", res)
					}
					if !goOOM.MatchString(res.stdout) {
						t.Errorf("no Go out-of-memory report\n%s", res)
					}
					if res.status == 0 || res.status == 121 || res.status == 123 {
						t.Errorf("exit status %d, want the runtime's non-zero status (2)\n%s", res.status, res)
					}
					for _, s := range kernelFaultText {
						if strings.Contains(res.stdout, s) {
							t.Errorf("the console shows %q\n%s", s, res)
						}
					}
				})
			})
		}
	}
}

// kernelOOM is the kernel's line when it has no frame for a page the
// program touches (exit status 123).
var kernelOOM = regexp.MustCompile(`(?m)^coracle: out of memory: `)

// examples/hello churns 256 MiB through its heap, and below what it needs
// (docs/memory.md) it touches more than there is after the runtime's
// commits succeeded. Whichever way it ends at the small sizes the CLI
// accepts, the end is one of the two clean ones: the runtime's report
// (status 2) or the kernel's out-of-memory line (status 123), never a
// kernel fault.
func TestOutOfMemoryEndsCleanly(t *testing.T) {
	for _, mib := range []int{16, 24, 32} {
		t.Run(fmt.Sprintf("hello/%dMiB", mib), func(t *testing.T) {
			forEachTarget(t, []string{"microvm"}, func(t *testing.T, machine, accel string) {
				res := coracle(t, "run", "--machine", machine, "--accel", accel, "-m", fmt.Sprint(mib), helloImage)
				if res.err != nil {
					t.Fatalf("%v\n%s", res.err, res)
				}
				switch {
				case res.status == 2 && goOOM.MatchString(res.stdout):
				case res.status == 123 && kernelOOM.MatchString(res.stdout):
				default:
					t.Errorf("exit status %d: want 2 with Go's out-of-memory report or 123 with the kernel's line\n%s", res.status, res)
				}
				for _, s := range []string{"coracle: CPU exception", "kernel fault"} {
					if strings.Contains(res.stdout, s) {
						t.Errorf("the console shows %q\n%s", s, res)
					}
				}
			})
		})
	}
}
