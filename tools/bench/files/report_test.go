package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/benchtest"
	"github.com/coracle-os/coracle/tools/bench/internal/hostinfo"
	"github.com/coracle-os/coracle/tools/bench/internal/prepare"
	"github.com/coracle-os/coracle/tools/bench/internal/resultlines"
)

// sampleOf returns a sample with every operation at ns nanoseconds per
// iteration (over 10 iterations).
func sampleOf(ns int64) sample {
	s := sample{Ops: map[string]resultlines.Timing{}, Done: true}
	for _, op := range operations {
		s.Ops[op.name] = resultlines.Timing{N: 10, Total: time.Duration(10 * ns)}
	}
	return s
}

func testReport() report {
	coracle := &guest{name: "coracle", about: "an image", args: []string{"-M", "microvm"}, boots: []bootResult{
		{Boot: 1, Sample: sampleOf(1000)},
		{Boot: 2, Sample: sampleOf(3000)},
		{Boot: 3, Err: errors.New("QEMU ended\nmore")},
	}}
	linux := &guest{name: "Linux", about: "a kernel", args: []string{"-M", "microvm"}, boots: []bootResult{
		{Boot: 1, Sample: sampleOf(4000)},
		{Boot: 2, Sample: sampleOf(4000)},
		{Boot: 3, Sample: sampleOf(4000)},
	}}
	// Linux wins the pipe round trip.
	linux.boots[0].Sample.ClockSource = "tsc-early"
	for i := range linux.boots {
		linux.boots[i].Sample.Ops["pipe-roundtrip"] = resultlines.Timing{N: 1, Total: 1000}
	}
	return report{header: hostinfo.Header{Command: "bench-files -count 3"}, count: 3, benchtime: 200 * time.Millisecond, memoryMiB: 512, machine: "microvm",
		suites: []*suite{{name: tmpfsSuite, title: "In memory", seqMiB: 256, ops: operations, guests: []*guest{coracle, linux}}}}
}

// The table has a row per operation with both medians (the failed boot
// left out) and their ratio, names where coracle is slower, lists each
// boot, and reports the failed boot.
func TestReportWrite(t *testing.T) {
	var b strings.Builder
	testReport().write(&b)
	out := b.String()
	benchtest.Contains(t, "report", out,
		"command:  bench-files -count 3\n",
		"In memory; sequential transfer of 256 MiB\n",
		"  Linux: a kernel; clock source tsc-early\n",
		"| open + fstat + close of an existing 4 KiB file | 2.00 µs | 4.00 µs | 0.50 |\n",
		"| 1 byte to a goroutine and back through two os.Pipe pipes | 2.00 µs | 1.00 µs | 2.00 |\n",
		"| sequential write to a new file, per 1 MiB write | 2.00 µs (500000 MiB/s) | 4.00 µs (250000 MiB/s) | 0.50 |\n",
		"coracle is slower than Linux in: pipe-roundtrip (2.00).\n",
		"| pread-4k | 1.00 µs, 3.00 µs, failed | 4.00 µs, 4.00 µs, 4.00 µs |\n",
		"  - coracle (tmpfs), boot 3: QEMU ended\n",
		"  coracle (tmpfs): qemu-system-x86_64 -M microvm\n",
	)
	// Every table row has as many cells as its header: no stray '|'.
	for line := range strings.Lines(out) {
		if strings.HasPrefix(line, "| ") && strings.Count(line, "|") != 5 && strings.Count(line, "|") != 4 {
			t.Errorf("table row with %d bars: %q", strings.Count(line, "|"), line)
		}
	}
}

// A skipped guest leaves its cells empty and no ratio.
func TestReportSkipped(t *testing.T) {
	r := testReport()
	r.suites[0].guests[1] = &guest{name: "Linux", Status: prepare.Status{Missing: "skipped (-skip-linux)"}}
	var b strings.Builder
	r.write(&b)
	out := b.String()
	benchtest.Contains(t, "report", out,
		"| pread of 4 KiB from a 1 MiB file in memory | 2.00 µs | — | n/a |\n",
		"  - Linux (tmpfs): skipped (-skip-linux)\n",
	)
	if strings.Contains(out, "slower than Linux") {
		t.Errorf("a verdict without Linux figures:\n%s", out)
	}
}

// The share suite has its own table, of the file operations only, after
// the tmpfs one; the header names each suite's guests.
func TestReportSuites(t *testing.T) {
	r := testReport()
	shareGuest := func(name string, ns int64) *guest {
		return &guest{name: name, about: name + " in a share", args: []string{"-M", "microvm"}, boots: []bootResult{{Boot: 1, Sample: sampleOf(ns)}}}
	}
	r.suites = append(r.suites, &suite{name: shareSuite, title: "Shared", seqMiB: 64, ops: shareOperations,
		guests: []*guest{shareGuest("coracle", 8000), shareGuest("Linux", 2000)}})
	var b strings.Builder
	r.write(&b)
	out := b.String()
	tmpfs, share := strings.Index(out, "In memory; sequential"), strings.Index(out, "Shared; sequential transfer of 64 MiB\n")
	if tmpfs < 0 || share < tmpfs {
		t.Fatalf("want the tmpfs suite, then the share suite:\n%s", out)
	}
	shared := out[share:]
	benchtest.Contains(t, "share table", shared,
		"  coracle: coracle in a share\n",
		"| pread of 4 KiB from a 1 MiB file | 8.00 µs | 2.00 µs | 4.00 |\n",
		"coracle is slower than Linux in: open-stat-close (4.00), pread-4k (4.00),",
	)
	section, _, _ := strings.Cut(shared, "QEMU command lines:")
	for _, absent := range []string{"getpid", "pipe-roundtrip"} {
		if strings.Contains(section, absent) {
			t.Errorf("share table has %s:\n%s", absent, section)
		}
	}
}
