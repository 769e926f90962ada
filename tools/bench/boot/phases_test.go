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

func TestFindRunStamps(t *testing.T) {
	console := "coracle: bootstamps tsc_hz=1000000 entry=0 page_tables=100 long_mode=300 kernel_main=500 runtime_entry=20000\r\n" +
		"coracle: bootphases cpu=1500 program=20000\r\n" +
		"coracle: runstamps first_syscall=21000 first_thread=30000 net_start=0 first_listen=45000 sockets_ready=40000 first_stdout=50000\r\n" +
		"main: ready\r\n"
	s, ok, err := findStamps([]byte(console))
	if err != nil || !ok {
		t.Fatalf("findStamps: ok %v, err %v", ok, err)
	}
	// net_start (0) left out; sockets_ready before first_listen.
	want := []phaseStamp{{"first_syscall", 21000}, {"first_thread", 30000}, {"sockets_ready", 40000}, {"first_listen", 45000}, {"first_stdout", 50000}}
	if !reflect.DeepEqual(s.run, want) {
		t.Fatalf("run = %+v, want %+v", s.run, want)
	}
	wantNames := []string{"page_tables", "long_mode", "kernel_main", "cpu", "program",
		"first_syscall", "first_thread", "sockets_ready", "first_listen", "first_stdout"}
	if got := s.phaseNames(); !reflect.DeepEqual(got, wantNames) {
		t.Errorf("phaseNames = %q, want %q", got, wantNames)
	}
	us := time.Microsecond
	wantDs := []time.Duration{100 * us, 200 * us, 200 * us, 1000 * us, 18500 * us,
		1000 * us, 9000 * us, 10000 * us, 5000 * us, 5000 * us}
	if got := s.phaseDurations(); !reflect.DeepEqual(got, wantDs) {
		t.Errorf("phaseDurations = %v, want %v", got, wantDs)
	}
	if name, tsc := s.end(); name != "first_stdout" || tsc != 50000 {
		t.Errorf("end = %s %d, want first_stdout 50000", name, tsc)
	}
}

func TestParseRunStamps(t *testing.T) {
	s := bootStamps{tscHz: 100, entry: 1, kernelMain: 10, runtimeEntry: 100}
	bad := map[string]string{
		"none":                  "",
		"all zero":              "a=0 b=0",
		"not name=value":        "a=200 b",
		"no name":               "=200",
		"not a number":          "a=x",
		"twice":                 "a=200 a=300",
		"twice, once zero":      "a=0 a=300",
		"before runtime_entry":  "a=200 b=99",
		"negative":              "a=-1",
		"duplicate far apart":   "a=200 b=300 a=400",
		"fraction":              "a=200.5",
		"zero then bad ordered": "a=0 b=50",
	}
	for name, words := range bad {
		if _, err := parseRunStamps(words, s); err == nil {
			t.Errorf("%s: parseRunStamps(%q) succeeded", name, words)
		}
	}
	// Equal stamps keep the line's order.
	run, err := parseRunStamps("b=300 a=300 c=100", s)
	if want := []phaseStamp{{"c", 100}, {"b", 300}, {"a", 300}}; err != nil || !reflect.DeepEqual(run, want) {
		t.Errorf("parseRunStamps = %+v, %v; want %+v", run, err, want)
	}
	_, ok, err := findStamps([]byte("coracle: bootstamps tsc_hz=1 entry=0 kernel_main=1 runtime_entry=2\n" + runPrefix + "a=1\n"))
	if !ok || err == nil || !strings.Contains(err.Error(), "runstamps") {
		t.Errorf("a malformed runstamps line: ok %v, err %v; want true and an error quoting the line", ok, err)
	}
}

func TestSummarizeEnd(t *testing.T) {
	run := func(run ...phaseStamp) bootStamps {
		return bootStamps{tscHz: 1000, entry: 0, kernelMain: 1, runtimeEntry: 10, run: run}
	}
	name, sum := summarizeEnd([]bootStamps{run(phaseStamp{"first_stdout", 20}), run(phaseStamp{"first_stdout", 40})})
	if name != "first_stdout" || sum.N != 2 || sum.Max != 40*time.Millisecond {
		t.Errorf("summarizeEnd = %s %+v", name, sum)
	}
	// Runs that end at different stamps: back to the runtime's entry.
	name, sum = summarizeEnd([]bootStamps{run(phaseStamp{"first_stdout", 20}), run(phaseStamp{"first_listen", 40})})
	if name != "runtime" || sum.Max != 10*time.Millisecond {
		t.Errorf("summarizeEnd of differing runs = %s %+v", name, sum)
	}
}
