package main

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFindPhases(t *testing.T) {
	console := "coracle: banner\r\n" +
		"coracle: bootstamps tsc_hz=1000000 entry=0 kernel_main=500 runtime_entry=20000\r\n" +
		"coracle: bootphases cpu=1500 memory=11500 program=20000\r\n" +
		"main: ready\r\n"
	s, ok, err := findStamps([]byte(console))
	if err != nil || !ok {
		t.Fatalf("findStamps: ok %v, err %v", ok, err)
	}
	want := []phaseStamp{{"cpu", 1500}, {"memory", 11500}, {"program", 20000}}
	if !reflect.DeepEqual(s.phases, want) {
		t.Fatalf("phases = %+v, want %+v", s.phases, want)
	}
	if got, want := s.phaseNames(), []string{entryPhase, "cpu", "memory", "program"}; !reflect.DeepEqual(got, want) {
		t.Errorf("phaseNames = %q, want %q", got, want)
	}
	us := time.Microsecond
	if got, want := s.phaseDurations(), []time.Duration{500 * us, 1000 * us, 10000 * us, 8500 * us}; !reflect.DeepEqual(got, want) {
		t.Errorf("phaseDurations = %v, want %v", got, want)
	}

	// A kernel without the line: the stamps, no phases.
	s, ok, err = findStamps([]byte("coracle: bootstamps tsc_hz=1000000 entry=0 kernel_main=500 runtime_entry=20000\n"))
	if err != nil || !ok || s.phases != nil {
		t.Errorf("without a bootphases line: ok %v, err %v, phases %v", ok, err, s.phases)
	}
}

func TestParsePhases(t *testing.T) {
	s := bootStamps{tscHz: 100, entry: 1, kernelMain: 10, runtimeEntry: 100}
	if _, err := parsePhases("a=10 b=10 c=100", s); err != nil {
		t.Errorf("empty phases and one ending at runtime_entry: %v", err)
	}
	bad := map[string]string{
		"none":                    "",
		"not name=value":          "a=20 b",
		"no name":                 "=20",
		"not a number":            "a=x",
		"twice":                   "a=20 a=30",
		"backwards":               "a=30 b=20",
		"before kernel_main":      "a=5",
		"after runtime_entry":     "a=20 b=101",
		"negative":                "a=-1",
		"duplicate after another": "a=20 b=30 a=40",
	}
	for name, words := range bad {
		if _, err := parsePhases(words, s); err == nil {
			t.Errorf("%s: parsePhases(%q) succeeded", name, words)
		}
	}
	_, ok, err := findStamps([]byte("coracle: bootstamps tsc_hz=1 entry=0 kernel_main=1 runtime_entry=2\n" + phasesPrefix + "a=3\n"))
	if !ok || err == nil || !strings.Contains(err.Error(), "bootphases") {
		t.Errorf("a malformed bootphases line: ok %v, err %v; want true and an error quoting the line", ok, err)
	}
}

func TestSummarizePhases(t *testing.T) {
	run := func(cpu, program uint64) bootStamps {
		return bootStamps{tscHz: 1000000, entry: 0, kernelMain: 1000, runtimeEntry: program,
			phases: []phaseStamp{{"cpu", cpu}, {"program", program}}}
	}
	rows, missing := summarizePhases([]bootStamps{run(2000, 10000), run(4000, 20000), run(3000, 12000)})
	if missing != "" || len(rows) != 3 {
		t.Fatalf("summarizePhases: %+v, %q", rows, missing)
	}
	ms := time.Millisecond
	for i, want := range []struct {
		name             string
		median, min, max time.Duration
	}{
		{entryPhase, 1 * ms, 1 * ms, 1 * ms},
		{"cpu", 2 * ms, 1 * ms, 3 * ms},
		{"program", 9 * ms, 8 * ms, 16 * ms},
	} {
		r := rows[i]
		if r.name != want.name || r.times.Median != want.median || r.times.Min != want.min || r.times.Max != want.max || r.times.N != 3 {
			t.Errorf("row %d = %+v, want %+v", i, r, want)
		}
	}

	noPhases := run(2000, 10000)
	noPhases.phases = nil
	if _, missing := summarizePhases([]bootStamps{run(2000, 10000), noPhases}); missing != "n/a (kernel lacks the bootphases line)" {
		t.Errorf("a run without phases: %q", missing)
	}
	other := run(2000, 10000)
	other.phases[0].name = "cpus"
	if _, missing := summarizePhases([]bootStamps{run(2000, 10000), other}); missing != "n/a (the runs' phases differ)" {
		t.Errorf("runs with other phases: %q", missing)
	}
}
