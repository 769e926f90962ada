package integration

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/tools/qemu"
)

// bootPhaseNames are the phases the kernel stamps with
// coracle.bootstamps, in boot order (kernel/diag_bootstamps.go).
var bootPhaseNames = []string{
	"cpu", "cpus", "memory", "time", "aps_started", "rootfs", "files",
	"pagecache", "shares", "aps_awaited", "program",
}

// runStampNames are the stamps after the runtime's entry, in the
// runstamps line's order (kernel/diag_runstamps.go).
var runStampNames = []string{
	"first_syscall", "first_thread", "net_start", "nic_ready",
	"net_configured", "sockets_ready", "first_listen", "first_stdout",
}

// coracle.bootstamps prints the boot's TSC stamps before the program
// starts: entry, page_tables, long_mode, kernel_main and runtime_entry
// on the bootstamps line, the end of each of kernelMain's phases on the
// bootphases line; then, before the program's first write to its
// standard output, the runstamps line. TestCPUDiscovery checks the
// first two lines on every machine and CPU count.
func TestBootStamps(t *testing.T) {
	console := bootHelloWith(t, qemu.Microvm, 2, "coracle.bootstamps", nil)
	runtimeEntry := checkBootPhases(t, console)
	if !strings.Contains(console, "hello from") {
		t.Errorf("hello did not run\n%s", console)
	}
	// hello has no network (no package net) and never listens.
	run := checkRunStamps(t, console, runtimeEntry)
	for _, name := range []string{"net_start", "nic_ready", "net_configured", "sockets_ready", "first_listen"} {
		if run[name] != 0 {
			t.Errorf("%s = %d in a program without a network", name, run[name])
		}
	}
	if i, j := strings.Index(console, "coracle: runstamps"), strings.Index(console, "hello from"); i < 0 || j < i {
		t.Errorf("the runstamps line does not come before the program's first output\n%s", console)
	}

	// A program with package net and a static address: the network's
	// stamps, in the order net/autostart's init reaches them, all
	// before main's first output.
	t.Run("network", func(t *testing.T) {
		img := buildTestProgram(t, "ifaceprobe")
		res := coracle(t, "run", "--accel", "tcg", "--cmdline", "coracle.bootstamps ip=10.0.2.77/24 gw=10.0.2.2", img)
		if res.err != nil || res.status != 0 {
			t.Fatalf("want exit status 0\n%s", res)
		}
		console := strings.ReplaceAll(res.stdout, "\r\n", "\n")
		run := checkRunStamps(t, console, checkBootPhases(t, console))
		prev := run["first_thread"]
		for _, name := range []string{"net_start", "nic_ready", "net_configured", "sockets_ready", "first_stdout"} {
			if run[name] == 0 || run[name] < prev {
				t.Errorf("%s = %d, want a stamp not before %d\n%s", name, run[name], prev, console)
			}
			prev = run[name]
		}
	})
}

var (
	bootStampsLine = regexp.MustCompile(`(?m)^coracle: bootstamps tsc_hz=([1-9]\d*) entry=(\d+) page_tables=(\d+) long_mode=(\d+) kernel_main=(\d+) runtime_entry=(\d+)$`)
	bootPhasesLine = regexp.MustCompile(`(?m)^coracle: bootphases (.*)$`)
	runStampsLine  = regexp.MustCompile(`(?m)^coracle: runstamps (.*)$`)
)

// checkRunStamps checks that console has one runstamps line with every
// stamp once, in the kernel's order, and returns them by name. The
// runtime's first system call and first thread and the program's first
// write to descriptor 1 must be there, in that order and not before
// runtimeEntry; the others may be 0 (not reached by then), and if not
// must lie between the runtime's entry and first_stdout, the event that
// printed the line.
func checkRunStamps(t *testing.T, console string, runtimeEntry uint64) map[string]uint64 {
	t.Helper()
	lines := runStampsLine.FindAllStringSubmatch(console, -1)
	if len(lines) != 1 {
		t.Errorf("%d runstamps lines, want 1\n%s", len(lines), console)
		return nil
	}
	words := strings.Fields(lines[0][1])
	if len(words) != len(runStampNames) {
		t.Errorf("%d stamps, want %d: %s", len(words), len(runStampNames), lines[0][0])
		return nil
	}
	run := map[string]uint64{}
	for i, w := range words {
		name, value, _ := strings.Cut(w, "=")
		if name != runStampNames[i] {
			t.Errorf("stamp %d is %q, want %q: %s", i, name, runStampNames[i], lines[0][0])
		}
		v, err := strconv.ParseUint(value, 10, 64)
		if err != nil {
			t.Errorf("stamp %q: %v", w, err)
		}
		run[name] = v
	}
	prev := runtimeEntry
	for _, name := range []string{"first_syscall", "first_thread", "first_stdout"} {
		if run[name] < prev {
			t.Errorf("%s = %d, before the previous stamp %d: %s", name, run[name], prev, lines[0][0])
		}
		prev = run[name]
	}
	for name, v := range run {
		if v != 0 && (v < runtimeEntry || v > run["first_stdout"]) {
			t.Errorf("%s = %d, outside runtime_entry %d .. first_stdout %d", name, v, runtimeEntry, run["first_stdout"])
		}
	}
	return run
}

// checkBootPhases checks that console has both stamp lines, every phase
// once and in order, and that the stamps never go back: entry <=
// page_tables <= long_mode <= kernel_main <= each phase's end <=
// runtime_entry, the last phase (program) ending at runtime_entry. It
// returns runtime_entry.
func checkBootPhases(t *testing.T, console string) uint64 {
	t.Helper()
	s := bootStampsLine.FindStringSubmatch(console)
	p := bootPhasesLine.FindStringSubmatch(console)
	if s == nil || p == nil {
		t.Errorf("console lacks the bootstamps or bootphases line\n%s", console)
		return 0
	}
	num := func(x string) uint64 {
		v, err := strconv.ParseUint(x, 10, 64)
		if err != nil {
			t.Errorf("stamp %q: %v", x, err)
		}
		return v
	}
	entry, tables, longMode, kernelMain, runtimeEntry := num(s[2]), num(s[3]), num(s[4]), num(s[5]), num(s[6])
	if entry > tables || tables > longMode || longMode > kernelMain || kernelMain > runtimeEntry {
		t.Errorf("bootstamps out of order: %s", s[0])
	}
	words := strings.Fields(p[1])
	if len(words) != len(bootPhaseNames) {
		t.Errorf("%d phases, want %d: %s", len(words), len(bootPhaseNames), p[0])
		return runtimeEntry
	}
	prev := kernelMain
	for i, w := range words {
		name, value, _ := strings.Cut(w, "=")
		if name != bootPhaseNames[i] {
			t.Errorf("phase %d is %q, want %q: %s", i, name, bootPhaseNames[i], p[0])
		}
		v := num(value)
		if v < prev {
			t.Errorf("phase %s ends at %d, before the previous stamp %d: %s", name, v, prev, p[0])
		}
		prev = v
	}
	if prev != runtimeEntry {
		t.Errorf("the last phase ends at %d, not at runtime_entry %d", prev, runtimeEntry)
	}
	return runtimeEntry
}
