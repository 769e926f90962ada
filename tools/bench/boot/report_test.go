package main

import (
	"strings"
	"testing"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/benchtest"
	"github.com/coracle-os/coracle/tools/bench/internal/figures"
	"github.com/coracle-os/coracle/tools/bench/internal/hostinfo"
)

func sampleReport() report {
	ms := time.Millisecond
	return report{
		header: hostinfo.Header{
			Command: "bin/bench-boot -runs 3",
			Source:  "5d5d149aabbc",
			CPU:     "AMD EPYC, 2 CPUs",
			QEMU:    "QEMU emulator version 7.2.22",
		},
		accel:     "TCG (-accel tcg -cpu max)",
		machine:   "microvm,acpi=off,rtc=on",
		memoryMiB: 256,
		cpus:      4,
		runs:      3,
		warmups:   1,
		rows: []row{
			{system: "floor", line: "floor: ready", times: figures.Summary{N: 3, Median: 30 * ms, Min: 28 * ms, Max: 35 * ms}, baseline: floorBaseline},
			{system: "coracle", line: "main: ready", times: figures.Summary{N: 3, Median: 75 * ms, Min: 70 * ms, Max: 90 * ms}},
			{system: "Linux", line: "main: ready", times: figures.Summary{N: 3, Median: 1500 * ms, Min: 1400 * ms, Max: 1600 * ms}, baseline: linuxBaseline},
		},
		guest: guestTimes{
			toKernelMain: figures.Summary{N: 3, Median: 470 * time.Microsecond, Min: 460 * time.Microsecond, Max: 480 * time.Microsecond},
			toRuntime:    figures.Summary{N: 3, Median: 18 * ms, Min: 17500 * time.Microsecond, Max: 19 * ms},
			phases: []phaseTimes{
				{entryPhase, figures.Summary{N: 3, Median: 470 * time.Microsecond, Min: 460 * time.Microsecond, Max: 480 * time.Microsecond}},
				{"memory", figures.Summary{N: 3, Median: 9 * ms, Min: 8 * ms, Max: 12 * ms}},
				{"program", figures.Summary{N: 3, Median: 8530 * time.Microsecond, Min: 8 * ms, Max: 9 * ms}},
			},
		},
		qemuLines: []string{"floor: qemu-system-x86_64 -M microvm"},
	}
}

func TestReportTable(t *testing.T) {
	var b strings.Builder
	sampleReport().write(&b)
	out := b.String()
	benchtest.Contains(t, "report", out,
		"command:  bin/bench-boot -runs 3\n",
		"source:   5d5d149aabbc\n",
		"host CPU: AMD EPYC, 2 CPUs\n",
		"QEMU:     QEMU emulator version 7.2.22\n",
		"guest:    TCG (-accel tcg -cpu max), -M microvm,acpi=off,rtc=on, 256 MiB, 4 vCPU(s)\n",
		"runs:     3 per system, after 1 warm-up boot(s)",
		"| system | line waited for | median ms | min ms | max ms | x floor | x Linux |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |\n",
		"| floor | `floor: ready` | 30.0 | 28.0 | 35.0 | 1.00 | 0.02 |\n",
		"| coracle | `main: ready` | 75.0 | 70.0 | 90.0 | 2.50 | 0.05 |\n",
		"| Linux | `main: ready` | 1500.0 | 1400.0 | 1600.0 | 50.00 | 1.00 |\n",
		"coracle guest time (coracle.bootstamps, TSC, 3 runs):",
		"| PVH entry -> kernel_main | 0.470 | 0.460 | 0.480 |\n",
		"| PVH entry -> Go runtime entry | 18.000 | 17.500 | 19.000 |\n",
		"coracle boot phases (coracle.bootstamps, TSC, 3 runs; each from the previous stamp):\n\n",
		"| phase | median ms | min ms | max ms | share of entry -> runtime |\n| --- | ---: | ---: | ---: | ---: |\n",
		"| entry -> kernel_main | 0.470 | 0.460 | 0.480 | 2.6% |\n",
		"| memory | 9.000 | 8.000 | 12.000 | 50.0% |\n",
		"| program | 8.530 | 8.000 | 9.000 | 47.4% |\n",
		"  floor: qemu-system-x86_64 -M microvm\n",
	)
}

func TestReportMissingBaselinesAndStamps(t *testing.T) {
	r := sampleReport()
	r.rows[2].missing = "skipped (-skip-linux)"
	r.guest = guestTimes{missing: "n/a (kernel lacks coracle.bootstamps)"}
	var b strings.Builder
	r.write(&b)
	out := b.String()
	benchtest.Contains(t, "report", out,
		"| coracle | `main: ready` | 75.0 | 70.0 | 90.0 | 2.50 | n/a |\n",
		"| Linux | `main: ready` | skipped (-skip-linux) | | | | |\n",
		"coracle guest time, PVH entry -> Go runtime: n/a (kernel lacks coracle.bootstamps)\n",
	)
	if strings.Contains(out, "| interval |") {
		t.Errorf("a guest-time table without stamps:\n%s", out)
	}
}

func TestReportRunStamps(t *testing.T) {
	r := sampleReport()
	ms := time.Millisecond
	r.guest.endName, r.guest.toEnd = "first_stdout", figures.Summary{N: 3, Median: 36 * ms, Min: 35 * ms, Max: 40 * ms}
	r.guest.phases = append(r.guest.phases, phaseTimes{"first_stdout", figures.Summary{N: 3, Median: 18 * ms, Min: 17 * ms, Max: 21 * ms}})
	var b strings.Builder
	r.write(&b)
	benchtest.Contains(t, "report", b.String(),
		"| PVH entry -> Go runtime entry | 18.000 | 17.500 | 19.000 |\n| PVH entry -> first_stdout | 36.000 | 35.000 | 40.000 |\n",
		"| phase | median ms | min ms | max ms | share of entry -> first_stdout |\n",
		"| memory | 9.000 | 8.000 | 12.000 | 25.0% |\n",
		"| first_stdout | 18.000 | 17.000 | 21.000 | 50.0% |\n",
	)
}

func TestTimesFormat(t *testing.T) {
	for x, want := range map[float64]string{0: "n/a", 1: "1.00", 0.0432: "0.04", 57.83: "57.83", 123.4: "123"} {
		if got := times(x); got != want {
			t.Errorf("times(%v) = %q, want %q", x, got, want)
		}
	}
}

func TestReportPhasesMissing(t *testing.T) {
	r := sampleReport()
	r.guest.phases, r.guest.phasesMissing = nil, "n/a (kernel lacks the bootphases line)"
	var b strings.Builder
	r.write(&b)
	out := b.String()
	benchtest.Contains(t, "report", out,
		"| PVH entry -> Go runtime entry | 18.000 | 17.500 | 19.000 |\n",
		"coracle boot phases: n/a (kernel lacks the bootphases line)\n",
	)
	if strings.Contains(out, "| phase |") {
		t.Errorf("a phase table without phases:\n%s", out)
	}
}

func TestShareFormat(t *testing.T) {
	ms := time.Millisecond
	for _, c := range []struct {
		part, total time.Duration
		want        string
	}{{1 * ms, 4 * ms, "25.0%"}, {0, 4 * ms, "0.0%"}, {1 * ms, 0, "n/a"}} {
		if got := share(c.part, c.total); got != c.want {
			t.Errorf("share(%v, %v) = %q, want %q", c.part, c.total, got, c.want)
		}
	}
}
