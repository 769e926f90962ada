package integration

import (
	"fmt"
	"regexp"
	"strconv"
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

// examples/hello churns 256 MiB through its heap. Under the memory limit
// the kernel sets (GOMEMLIMIT) it runs to completion in 32 MiB, and
// usually in 16 and 24 (docs/memory.md), but there the limit is a few
// MiB and a collection that comes late can still run out, so those sizes
// must end cleanly either way. With the limit off, the collector lets
// the heap grow past the VM's memory and it touches more than there is
// after the runtime's commits succeeded. A clean end is the program's
// own (status 0), the runtime's report (status 2) or the kernel's
// out-of-memory line (status 123), never a kernel fault.
func TestOutOfMemoryEndsCleanly(t *testing.T) {
	for _, mib := range []int{16, 24, 32} {
		t.Run(fmt.Sprintf("hello/%dMiB", mib), func(t *testing.T) {
			forEachTarget(t, []string{"microvm"}, func(t *testing.T, machine, accel string) {
				res := coracle(t, "run", "--machine", machine, "--accel", accel, "-m", fmt.Sprint(mib), helloImage)
				if res.err != nil {
					t.Fatalf("%v\n%s", res.err, res)
				}
				switch {
				case res.status == 0 && strings.Contains(res.stdout, "done in "):
				case mib < 32 && res.status == 2 && goOOM.MatchString(res.stdout):
				case mib < 32 && res.status == 123 && kernelOOM.MatchString(res.stdout):
				default:
					t.Errorf("exit status %d: want the program to finish under the kernel's memory limit (or, below 32 MiB, a clean out-of-memory end)\n%s", res.status, res)
				}
			})
		})
		t.Run(fmt.Sprintf("hello/%dMiB/nolimit", mib), func(t *testing.T) {
			forEachTarget(t, []string{"microvm"}, func(t *testing.T, machine, accel string) {
				res := coracle(t, "run", "--machine", machine, "--accel", accel, "-m", fmt.Sprint(mib), "-e", "GOMEMLIMIT=off", helloImage)
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

// The kernel tells the runtime how much room it has (GOMEMLIMIT, below
// the VM's memory, so that a churning heap is collected before its
// growth is refused), and a GOMEMLIMIT the user sets, or off, wins.
func TestMemoryLimit(t *testing.T) {
	img := buildTestProgram(t, "memhog")
	limitLine := regexp.MustCompile(`(?m)^memhog: limit (\d+)$`)
	envLine := regexp.MustCompile(`(?m)^memhog: env GOMEMLIMIT=(.*)$`)
	totalLine := regexp.MustCompile(`(?m)^memhog: MemTotal: (\d+) kB$`)
	for _, c := range []struct {
		name, env string
		check     func(limit, total int64, env string) string
	}{
		{"default", "", func(limit, total int64, env string) string {
			if env != fmt.Sprintf("%dMiB", limit>>20) || limit%(1<<20) != 0 {
				return fmt.Sprintf("GOMEMLIMIT=%s and limit %d disagree", env, limit)
			}
			if limit >= total*1024 || limit < total*1024/2 {
				return fmt.Sprintf("limit %d MiB, want between half and all of MemTotal %d MiB", limit>>20, total>>10)
			}
			return ""
		}},
		{"off", "GOMEMLIMIT=off", func(limit, _ int64, env string) string {
			if env != "off" || limit != 1<<63-1 {
				return fmt.Sprintf("GOMEMLIMIT=%s limit %d, want off and no limit", env, limit)
			}
			return ""
		}},
		{"user", "GOMEMLIMIT=10MiB", func(limit, _ int64, env string) string {
			if env != "10MiB" || limit != 10<<20 {
				return fmt.Sprintf("GOMEMLIMIT=%s limit %d, want the user's 10MiB", env, limit)
			}
			return ""
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			forEachTarget(t, []string{"microvm"}, func(t *testing.T, machine, accel string) {
				args := []string{"run", "--machine", machine, "--accel", accel, "-m", "64"}
				if c.env != "" {
					args = append(args, "-e", c.env)
				}
				res := coracle(t, append(args, img, "--", "limit")...)
				if res.err != nil || res.status != 0 {
					t.Fatalf("want exit status 0\n%s", res)
				}
				limit, total := limitLine.FindStringSubmatch(res.stdout), totalLine.FindStringSubmatch(res.stdout)
				envs := envLine.FindAllStringSubmatch(res.stdout, -1)
				if limit == nil || total == nil || len(envs) != 1 {
					t.Fatalf("want one limit line, one MemTotal line and one GOMEMLIMIT entry\n%s", res)
				}
				l, _ := strconv.ParseInt(limit[1], 10, 64)
				tot, _ := strconv.ParseInt(total[1], 10, 64)
				if msg := c.check(l, tot, envs[0][1]); msg != "" {
					t.Errorf("%s\n%s", msg, res)
				}
			})
		})
	}
}
