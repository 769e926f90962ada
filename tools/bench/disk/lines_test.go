package main

import (
	"testing"
	"time"
)

const goodConsole = "[    0.3] PCI: Fatal: No config space access function found\r\n" +
	"diskbench: start dir=/mnt/disk0 clocksource=tsc\n" +
	"diskbench: op=seqread n=128 ns=1000000000\n" +
	"diskbench: op=randread n=2000 ns=500000000\n" +
	"diskbench: op=randwrite n=2000 ns=250000000\n" +
	"diskbench: op=seqwrite n=128 ns=2000000000\n" +
	"diskbench: lat=fsync n=200 p50=2000000 p99=5000000\n" +
	"diskbench: op=kvput n=500 ns=2500000000\n" +
	"diskbench: op=kvget n=500 ns=50000000\n" +
	"diskbench: done\n"

func TestParseConsole(t *testing.T) {
	s, err := parseConsole(goodConsole)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Done || s.Failure != "" || s.ClockSource != "tsc" {
		t.Fatalf("done %v, failure %q, clock %q", s.Done, s.Failure, s.ClockSource)
	}
	if missing := missingMetrics(s); len(missing) > 0 {
		t.Fatalf("missing %v", missing)
	}
	want := map[string]float64{
		"seqread": 128, "seqwrite": 64, "randread": 4000, "randwrite": 8000,
		"fsync p50": float64(2 * time.Millisecond), "fsync p99": float64(5 * time.Millisecond),
		"kvput": 200, "kvget": 10000,
	}
	for _, m := range metrics {
		if v, _ := m.value(s); v != want[m.name] {
			t.Errorf("%s = %v, want %v", m.name, v, want[m.name])
		}
	}
}

func TestParseConsoleFailure(t *testing.T) {
	s, err := parseConsole("diskbench: start dir=/d clocksource=unknown\ndiskbench: error op=mount: no such file\n")
	if err != nil {
		t.Fatal(err)
	}
	if s.Done || s.Failure != "op=mount: no such file" {
		t.Fatalf("done %v, failure %q", s.Done, s.Failure)
	}
	if missing := missingMetrics(s); len(missing) != len(metrics) {
		t.Errorf("missing %v, want every metric", missing)
	}
}

// Malformed lines are errors, diskprobe's lat lines among them.
func TestParseConsoleMalformed(t *testing.T) {
	for _, line := range []string{
		"diskbench: op=seqread n=0 ns=5",
		"diskbench: op=seqread n=1 ns=0",
		"diskbench: op=seqread n=1",
		"diskbench: lat=fsync n=3 p50=9 p99=8",
		"diskbench: lat=fsync n=3 p50=x p99=8",
		"diskbench: lat= n=3 p50=1 p99=8",
		"diskbench: lat=fsync n=3 p50=1 p99=8 junk",
		"diskbench: lat=fsync n=1 p50=1 p99=1\ndiskbench: lat=fsync n=1 p50=1 p99=1",
		"diskbench: what",
		"diskbench: op=a n=1 ns=1\ndiskbench: op=a n=1 ns=1",
	} {
		if _, err := parseConsole(line + "\n"); err == nil {
			t.Errorf("%q: no error", line)
		}
	}
}
