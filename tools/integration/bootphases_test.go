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

// coracle.bootstamps prints the boot's TSC stamps before the program
// starts: entry, kernel_main and runtime_entry on the bootstamps line,
// the end of each of kernelMain's phases on the bootphases line.
// TestCPUDiscovery checks the same lines on every machine and CPU count.
func TestBootStamps(t *testing.T) {
	console := bootHelloWith(t, qemu.Microvm, 2, "coracle.bootstamps", nil)
	checkBootPhases(t, console)
	if !strings.Contains(console, "hello from") {
		t.Errorf("hello did not run\n%s", console)
	}
}

var (
	bootStampsLine = regexp.MustCompile(`(?m)^coracle: bootstamps tsc_hz=([1-9]\d*) entry=(\d+) kernel_main=(\d+) runtime_entry=(\d+)$`)
	bootPhasesLine = regexp.MustCompile(`(?m)^coracle: bootphases (.*)$`)
)

// checkBootPhases checks that console has both stamp lines, every phase
// once and in order, and that the stamps never go back: entry <=
// kernel_main <= each phase's end <= runtime_entry, the last phase
// (program) ending at runtime_entry.
func checkBootPhases(t *testing.T, console string) {
	t.Helper()
	s := bootStampsLine.FindStringSubmatch(console)
	p := bootPhasesLine.FindStringSubmatch(console)
	if s == nil || p == nil {
		t.Errorf("console lacks the bootstamps or bootphases line\n%s", console)
		return
	}
	num := func(x string) uint64 {
		v, err := strconv.ParseUint(x, 10, 64)
		if err != nil {
			t.Errorf("stamp %q: %v", x, err)
		}
		return v
	}
	entry, kernelMain, runtimeEntry := num(s[2]), num(s[3]), num(s[4])
	if entry > kernelMain || kernelMain > runtimeEntry {
		t.Errorf("bootstamps out of order: %s", s[0])
	}
	words := strings.Fields(p[1])
	if len(words) != len(bootPhaseNames) {
		t.Errorf("%d phases, want %d: %s", len(words), len(bootPhaseNames), p[0])
		return
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
}
