package main

import (
	"testing"
	"time"
)

func TestSummarizeStamps(t *testing.T) {
	s := &system{stamps: true}
	s.addStamps([]byte("coracle: bootstamps tsc_hz=1000000 entry=0 kernel_main=1000 runtime_entry=20000\r\ncoracle: bootphases cpu=5000 program=20000\r\nmain: ready\r\n"))
	s.addStamps([]byte("coracle: bootstamps tsc_hz=1000000 entry=0 kernel_main=3000 runtime_entry=40000\r\ncoracle: bootphases cpu=10000 program=40000\r\nmain: ready\r\n"))
	g := summarizeStamps(s)
	if g.missing != "" || g.toKernelMain.Median != 2*time.Millisecond || g.toRuntime.Max != 40*time.Millisecond {
		t.Errorf("summarizeStamps = %+v", g)
	}
	if g.phasesMissing != "" || len(g.phases) != 3 || g.phases[1].name != "cpu" || g.phases[1].times.Median != 5500*time.Microsecond {
		t.Errorf("summarizeStamps phases = %+v, %q", g.phases, g.phasesMissing)
	}

	// One run without the line makes the whole series n/a: a median of
	// some runs only would mislead.
	s.addStamps([]byte("main: ready\r\n"))
	s.addStamps([]byte("coracle: bootstamps tsc_hz=1000000 entry=0 kernel_main=1000 runtime_entry=20000\r\n"))
	if g := summarizeStamps(s); g.missing != "n/a (kernel lacks coracle.bootstamps)" {
		t.Errorf("with a run lacking stamps: %+v", g)
	}

	bad := &system{stamps: true}
	bad.addStamps([]byte("coracle: bootstamps tsc_hz=0 entry=0 kernel_main=1 runtime_entry=2\n"))
	if g := summarizeStamps(bad); g.missing == "" {
		t.Error("a malformed stamps line was summarized")
	}
	if g := summarizeStamps(&system{stamps: true, missing: "failed"}); g.missing != "n/a (not measured)" {
		t.Errorf("a coracle that did not boot: %+v", g)
	}
}
