package main

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/tools/bench/internal/benchtest"
	"github.com/coracle-os/coracle/tools/bench/internal/command"
	"github.com/coracle-os/coracle/tools/bench/internal/hostinfo"
	"github.com/coracle-os/coracle/tools/bench/internal/prepare"
)

// sampleOf returns a parsed sample on cpus vCPUs with the SHA-256 and gc
// times in ms and the gc workload's sum.
func sampleOf(t *testing.T, cpus int, shaMs, gcMs int, gcSum string) sample {
	t.Helper()
	r := strings.NewReplacer(
		"gomaxprocs=2 numcpu=2", "gomaxprocs="+strconv.Itoa(cpus)+" numcpu="+strconv.Itoa(cpus),
		"op=sha256 n=48 ns=1000000000", "op=sha256 n=48 ns="+strconv.Itoa(shaMs)+"000000",
		"op=gc n=128 ns=2000000000", "op=gc n=128 ns="+strconv.Itoa(gcMs)+"000000",
		"value=000000004d870000", "value="+gcSum,
	)
	s, err := parseConsole(r.Replace(goodConsole))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.check(cpus); err != nil {
		t.Fatal(err)
	}
	return s
}

func testReport(t *testing.T) report {
	o := options{BootFlags: command.BootFlags{Count: 3}, GuestFlags: command.GuestFlags{MemoryMiB: 256}, cpus: []int{1, 2, 4}, shaMiB: 48, gcMiB: 128}
	const sum = "000000004d870000"
	coracle, linux := newGuest("coracle"), newGuest("Linux")
	for _, n := range o.cpus {
		coracle.args[n] = []string{"-M", "microvm,acpi=off,rtc=on", "-smp", strconv.Itoa(n)}
		linux.args[n] = []string{"-M", "microvm,acpi=off,rtc=on", "-smp", strconv.Itoa(n)}
	}
	// coracle: SHA-256 1000, 500, 500 ms; gc 2000 ms at 1 vCPU, 4000 at 2.
	coracle.runs[1] = []bootResult{{Boot: 1, Sample: sampleOf(t, 1, 900, 2000, sum)}, {Boot: 2, Sample: sampleOf(t, 1, 1000, 2000, sum)}, {Boot: 3, Sample: sampleOf(t, 1, 1100, 2000, sum)}}
	coracle.runs[2] = []bootResult{{Boot: 1, Sample: sampleOf(t, 2, 500, 4000, sum)}}
	coracle.runs[4] = []bootResult{{Boot: 1, Err: errors.New("no \"smpbench: done\" line within 5m0s\nconsole")}}
	// Linux: SHA-256 1000, 800 ms; gc 2000, 1000 ms; its gc result differs at 2.
	linux.runs[1] = []bootResult{{Boot: 1, Sample: sampleOf(t, 1, 1000, 2000, sum)}}
	linux.runs[2] = []bootResult{{Boot: 1, Sample: sampleOf(t, 2, 800, 1000, "0000000000000bad")}}
	return report{header: hostinfo.Header{Command: "bin/bench-smp", CPU: "AMD EPYC, 2 CPUs"}, accel: "TCG", hostCPUs: 2, o: o, guests: []*guest{coracle, linux}}
}

// Each workload has its table: medians with their spread, each system's
// speedup over its 1-vCPU median, the ratio, and for gc the collections;
// the header says what the host can show; failures and differing
// results are problems.
func TestReportWrite(t *testing.T) {
	var b strings.Builder
	testReport(t).write(&b)
	out := b.String()
	benchtest.Contains(t, "report", out,
		"on coracle and on Linux at 1, 2, 4 vCPUs\n",
		"host:     this host has 2 CPUs, so it cannot show scaling beyond 2 vCPUs: 4 vCPUs oversubscribe it",
		"Parallel SHA-256: 48 MiB in 1 MiB pieces",
		"| 1 | 1000 (900-1100) | 1000 | 1.00 | 1.00 | 1.00 |\n",
		"| 2 | 500 | 800 | 2.00 | 1.25 | 0.62 |\n",
		"| 4 | — | — | — | — | — |\n",
		"| vCPUs | coracle ms | Linux ms | coracle speedup | Linux speedup | coracle/Linux | GCs coracle / Linux |\n",
		"| 2 | 4000 | 1000 | 0.50 | 2.00 | 4.00 | 51 / 51 |\n",
		"  - coracle, 4 vCPUs, boot 1: no \"smpbench: done\" line within 5m0s\n",
		"  - gc: the results differ: 0000000000000bad (Linux, 2 vCPUs round 1); 000000004d870000 (",
		"  coracle, 4 vCPUs: qemu-system-x86_64 -M microvm,acpi=off,rtc=on -smp 4\n",
	)
	if strings.Contains(out, "sha256: the results differ") {
		t.Errorf("equal SHA-256 results reported as differing:\n%s", out)
	}
}

// A skipped guest leaves its columns empty and says why.
func TestReportSkipped(t *testing.T) {
	r := testReport(t)
	r.guests[1] = newGuest("Linux")
	r.guests[1].Status = prepare.Status{Missing: "skipped (-skip-linux)"}
	r.hostCPUs = 8
	var b strings.Builder
	r.write(&b)
	benchtest.Contains(t, "report", b.String(),
		"| 2 | 500 | — | 2.00 | — | — |\n",
		"  - Linux: skipped (-skip-linux)\n",
		"host:     8 CPUs, as many as the most vCPUs measured or more\n",
	)
}
