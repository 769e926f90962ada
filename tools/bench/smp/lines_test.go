package main

import (
	"strings"
	"testing"
)

// goodConsole is what smpprobe prints on 2 vCPUs, among the kernel's
// lines.
const goodConsole = `coracle: booted
smpbench: start clocksource=tsc
smpbench: cpus gomaxprocs=2 numcpu=2
smpbench: op=sha256 n=48 ns=1000000000
smpbench: sum op=sha256 value=43117c5c7a3b0b09
smpbench: op=gc n=128 ns=2000000000
smpbench: gcs n=51
smpbench: sum op=gc value=000000004d870000
smpbench: done
`

func TestParseConsole(t *testing.T) {
	s, err := parseConsole(goodConsole)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.check(2); err != nil {
		t.Errorf("check: %v", err)
	}
	if s.gomaxprocs != 2 || s.numCPU != 2 || s.gcs != 51 || s.sums["gc"] != "000000004d870000" || s.ClockSource != "tsc" {
		t.Errorf("parsed %+v", s)
	}
	if ns, ok := workloads[0].nsOf(s); !ok || ns != 1e9 {
		t.Errorf("sha256 time %v, %v", ns, ok)
	}
}

// A boot whose runtime saw fewer CPUs than QEMU gave (coracle without
// coracle.smp=on) does not count, nor one that left a line out.
func TestCheck(t *testing.T) {
	s, err := parseConsole(goodConsole)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.check(4); err == nil || !strings.Contains(err.Error(), "saw 2 CPUs (GOMAXPROCS 2) on 4 vCPUs") {
		t.Errorf("check(4) = %v", err)
	}
	for _, drop := range []string{"smpbench: gcs", "smpbench: sum op=sha256", "smpbench: op=gc", "smpbench: cpus", "smpbench: done"} {
		var kept []string
		for line := range strings.Lines(goodConsole) {
			if !strings.HasPrefix(line, drop) {
				kept = append(kept, line)
			}
		}
		s, err := parseConsole(strings.Join(kept, ""))
		if err == nil {
			err = s.check(2)
		}
		if err == nil {
			t.Errorf("without %q: no error", drop)
		}
	}
}

func TestParseConsoleMalformed(t *testing.T) {
	for _, line := range []string{
		"smpbench: cpus gomaxprocs=x numcpu=2",
		"smpbench: gcs n=-1",
		"smpbench: sum op=gc",
		"smpbench: sum op=sha256 value=1\nsmpbench: sum op=sha256 value=2",
		"smpbench: what",
	} {
		if _, err := parseConsole(line + "\n"); err == nil {
			t.Errorf("%q: no error", line)
		}
	}
}
