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
	if !s.done || s.failure != "" || s.clockSource != "tsc" {
		t.Fatalf("done %v, failure %q, clock %q", s.done, s.failure, s.clockSource)
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
	if s.done || s.failure != "op=mount: no such file" {
		t.Fatalf("done %v, failure %q", s.done, s.failure)
	}
	if missing := missingMetrics(s); len(missing) != len(metrics) {
		t.Errorf("missing %v, want every metric", missing)
	}
}

func TestParseConsoleMalformed(t *testing.T) {
	for _, line := range []string{
		"diskbench: op=seqread n=0 ns=5",
		"diskbench: op=seqread n=1",
		"diskbench: lat=fsync n=3 p50=9 p99=8",
		"diskbench: lat=fsync n=3 p50=x p99=8",
		"diskbench: what",
		"diskbench: op=a n=1 ns=1\ndiskbench: op=a n=1 ns=1",
	} {
		if _, err := parseConsole(line + "\n"); err == nil {
			t.Errorf("%q: no error", line)
		}
	}
}

func TestGuestFinished(t *testing.T) {
	for _, c := range []struct {
		console string
		want    bool
	}{
		{"diskbench: start\n", false},
		{"diskbench: done", false}, // not yet a whole line
		{"diskbench: done\n", true},
		{"x\r\ndiskbench: error op=mount: gone\r\n", true},
	} {
		if got := guestFinished(c.console); got != c.want {
			t.Errorf("guestFinished(%q) = %v", c.console, got)
		}
	}
}
