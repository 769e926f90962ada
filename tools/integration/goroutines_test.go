package integration

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Frames of coracle's ring-3 services: a program must not see them in its
// goroutine profile or its tracebacks (kernel/sysgo), except with
// GOTRACEBACK=system.
var serviceFrames = []string{
	"github.com/coracle-os/coracle/fs/",
	"github.com/coracle-os/coracle/drivers/",
	"github.com/coracle-os/coracle/net/",
	"github.com/coracle-os/coracle/kernel/",
}

// gvisorProcessor is where the goroutines of gVisor's TCP dispatcher
// start. gVisor starts them itself (one for each P, so one in the guest)
// with a go statement of its own that sysgo cannot reach, so they are the
// goroutines a program that uses package net sees besides its own.
const gvisorProcessor = "gvisor.dev/gvisor/pkg/tcpip/transport/tcp.(*processor).start"

// A program that uses files in a shared host directory sees the same
// goroutines in the guest as natively: runtime.NumGoroutine and the
// goroutine profile leave out the file service and the virtio-9p driver,
// and so does a panic's traceback with GOTRACEBACK=all; with
// GOTRACEBACK=system the traceback shows them.
func TestServiceGoroutinesHidden(t *testing.T) {
	img := buildTestProgram(t, "goroutineprobe")
	if res := coracle(t, "build", "--shares", "-o", img, "./tools/integration/testdata/goroutineprobe"); res.err != nil || res.status != 0 {
		t.Fatalf("build --shares: %s", res)
	}
	native := runNative(t, "goroutineprobe", t.TempDir())
	forEachTarget(t, []string{"microvm"}, func(t *testing.T, machine, accel string) {
		run := func(args ...string) result {
			base := []string{"run", "--machine", machine, "--accel", accel, "--net", "none", "-v", t.TempDir() + ":/data"}
			return coracle(t, append(base, args...)...)
		}
		res := run(img, "--", "/data")
		if res.err != nil || res.status != 0 {
			t.Fatalf("want exit status 0\n%s", res)
		}
		sameLines(t, "goroutineprobe:", res.stdout, native, 10)
		noServiceFrame(t, linesWithPrefix(res.stdout, "goroutineprobe: profile:"))

		checkCrashes(t, "goroutineprobe", func(level string) result {
			return run("-e", "GOTRACEBACK="+level, img, "--", "/data", "crash")
		}, []string{
			"github.com/coracle-os/coracle/fs/service.serve",
			"github.com/coracle-os/coracle/drivers/virtio/p9.(*Device).run",
		})
	})
}

// A program that uses package net (TCP and UDP over loopback, with a NIC
// configured by DHCP) sees in the guest what it sees natively plus
// gVisor's TCP processors (one per P): the socket service, its per-socket goroutines,
// the virtio-net link and DHCP are left out of runtime.NumGoroutine, the
// goroutine profile and a GOTRACEBACK=all traceback, and shown with
// GOTRACEBACK=system.
func TestNetServiceGoroutinesHidden(t *testing.T) {
	img := buildTestProgram(t, "goroutinenetprobe")
	native := runNative(t, "goroutinenetprobe")
	forEachTarget(t, []string{"microvm"}, func(t *testing.T, machine, accel string) {
		run := func(args ...string) result {
			return coracle(t, append([]string{"run", "--machine", machine, "--accel", accel}, args...)...)
		}
		res := run(img)
		if res.err != nil || res.status != 0 {
			t.Fatalf("want exit status 0\n%s", res)
		}
		if !strings.Contains(res.stderr+res.stdout, "from DHCP") {
			t.Fatalf("the guest did not configure its NIC by DHCP, so DHCP's goroutine was not tested\n%s", res)
		}
		lines, n := withoutStacks(t, linesWithPrefix(res.stdout, "goroutinenetprobe:"), "goroutinenetprobe:", gvisorProcessor)
		var procs int
		if _, err := fmt.Sscanf(strings.Join(linesWithPrefix(res.stdout, "gomaxprocs:"), ""), "gomaxprocs: %d", &procs); err != nil {
			t.Fatalf("no gomaxprocs line: %v\n%s", err, res)
		}
		if n != procs {
			t.Errorf("the guest's profile has %d goroutines of gVisor's TCP dispatcher, want %d (one per P)\n%s", n, procs, res)
		}
		sameLines(t, "goroutinenetprobe:", strings.Join(lines, "\n"), native, 10)
		noServiceFrame(t, lines)

		checkCrashes(t, "goroutinenetprobe", func(level string) result {
			return run("-e", "GOTRACEBACK="+level, img, "--", "crash")
		}, []string{
			"github.com/coracle-os/coracle/net/sockserver.(*Service).loop",
			"github.com/coracle-os/coracle/net/sockserver.(*Service).accept",
			"github.com/coracle-os/coracle/net/sockserver.(*Service).dgramPump",
			"github.com/coracle-os/coracle/net/virtiolink.(*Endpoint).Run",
			"github.com/coracle-os/coracle/net/stack.(*dhcpClient).maintain",
		})
	})
}

// noServiceFrame fails t if a profile line names a frame of coracle's
// services.
func noServiceFrame(t *testing.T, lines []string) {
	t.Helper()
	for _, l := range lines {
		for _, f := range serviceFrames {
			if strings.Contains(l, "profile: frame "+f) {
				t.Errorf("the goroutine profile shows a service frame: %s", l)
			}
		}
	}
}

// withoutStacks returns the probe's lines with the profile's stacks that
// contain frame taken out, and the goroutine counts ("goroutines at ...",
// "profile: total ...") lowered by how many goroutines those stacks had,
// which it also returns.
func withoutStacks(t *testing.T, lines []string, prefix, frame string) ([]string, int) {
	t.Helper()
	var out []string
	removed := 0
	for i := 0; i < len(lines); {
		count, ok := strings.CutPrefix(lines[i], prefix+" profile: stack of ")
		if !ok {
			out = append(out, lines[i])
			i++
			continue
		}
		j := i + 1
		for j < len(lines) && strings.HasPrefix(lines[j], prefix+" profile: frame ") {
			j++
		}
		if slices.Contains(lines[i+1:j], prefix+" profile: frame "+frame) {
			n, err := strconv.Atoi(count)
			if err != nil {
				t.Fatalf("bad profile line %q", lines[i])
			}
			removed += n
		} else {
			out = append(out, lines[i:j]...)
		}
		i = j
	}
	for i, l := range out {
		if !strings.HasPrefix(l, prefix+" profile: total ") && !strings.HasPrefix(l, prefix+" goroutines at ") {
			continue
		}
		k := strings.LastIndex(l, " ")
		n, err := strconv.Atoi(l[k+1:])
		if err != nil {
			t.Fatalf("bad count line %q", l)
		}
		out[i] = l[:k+1] + strconv.Itoa(n-removed)
	}
	return out, removed
}

// checkCrashes runs the probe twice to a panic, with GOTRACEBACK=all and
// =system, and checks the tracebacks: the program's own waiting goroutine
// is in both, coracle's services (the frames in want, and no other frame
// of theirs) only in the second.
func checkCrashes(t *testing.T, probe string, run func(level string) result, want []string) {
	t.Helper()
	for _, level := range []string{"all", "system"} {
		res := run(level)
		out := res.stdout + res.stderr
		if res.status != 2 || !strings.Contains(out, "panic: goroutines: crash") {
			t.Errorf("GOTRACEBACK=%s: want the panic and exit status 2\n%s", level, res)
			continue
		}
		trace := out[strings.Index(out, "panic: goroutines: crash"):]
		if !strings.Contains(trace, "goroutines.programWaiter") {
			t.Errorf("GOTRACEBACK=%s: the traceback lacks the program's own goroutine\n%s", level, res)
		}
		for _, f := range want {
			if got := strings.Contains(trace, f+"("); got != (level == "system") {
				t.Errorf("GOTRACEBACK=%s: service frame %s shown: %v\n%s", level, f, got, res)
			}
		}
		if level == "all" {
			for _, l := range strings.Split(trace, "\n") {
				for _, f := range serviceFrames {
					if strings.HasPrefix(l, f) || strings.HasPrefix(l, "created by "+f) {
						t.Errorf("GOTRACEBACK=all: the traceback shows a service frame: %s\n%s", l, res)
					}
				}
			}
		}
	}
}
