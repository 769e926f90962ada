package main

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/figures"
)

// phasesPrefix starts the line that follows the bootstamps line: the TSC
// at the end of each of the kernel's boot phases, in boot order
// (kernel/diag_bootstamps.go names them):
//
//	coracle: bootphases cpu=<tsc> cpus=<tsc> memory=<tsc> ... program=<tsc>
const phasesPrefix = "coracle: bootphases "

// runPrefix starts the line the kernel prints after the Go runtime's
// entry, when the program first writes to descriptor 1 or exits
// (kernel/diag_runstamps.go names the stamps; 0 is one not reached):
//
//	coracle: runstamps first_syscall=<tsc> first_thread=<tsc> ... first_stdout=<tsc>
const runPrefix = "coracle: runstamps "

// entryPhase is the breakdown's first row when the bootstamps line does
// not split it: from the PVH entry to the kernel's Go code (boot/: the
// entry stub's page tables and the switch to long mode).
const entryPhase = "entry -> kernel_main"

// The rows that split entryPhase when the line has page_tables and
// long_mode: the identity map, the GDT and switch to long mode, and the
// 64-bit set-up with the decoding of the start info.
var entryPhases = []string{"page_tables", "long_mode", "kernel_main"}

// phaseStamp is one word of the bootphases line.
type phaseStamp struct {
	name string
	tsc  uint64
}

// parsePhases parses the words after phasesPrefix. The names are the
// kernel's; each must come once. A phase runs from the previous stamp
// (s.kernelMain for the first), so the stamps must never go back, and
// none may be later than s.runtimeEntry.
func parsePhases(words string, s bootStamps) ([]phaseStamp, error) {
	var phases []phaseStamp
	prev := s.kernelMain
	for _, w := range strings.Fields(words) {
		name, value, found := strings.Cut(w, "=")
		if !found || name == "" {
			return nil, fmt.Errorf("%q is not name=tsc", w)
		}
		if slices.ContainsFunc(phases, func(p phaseStamp) bool { return p.name == name }) {
			return nil, fmt.Errorf("phase %s given twice", name)
		}
		tsc, err := strconv.ParseUint(value, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("phase %s: %w", name, err)
		}
		if tsc < prev || tsc > s.runtimeEntry {
			return nil, fmt.Errorf("phase %s out of order", name)
		}
		prev = tsc
		phases = append(phases, phaseStamp{name, tsc})
	}
	if len(phases) == 0 {
		return nil, errors.New("no phases")
	}
	return phases, nil
}

// parseRunStamps parses the words after runPrefix. The names are the
// kernel's; each must come once. A stamp of 0 was not reached and is
// left out; the others cannot be earlier than s.runtimeEntry. It returns
// them in time order (the network's, first_listen and first_stdout
// need not come in the line's order), ties in the line's order.
func parseRunStamps(words string, s bootStamps) ([]phaseStamp, error) {
	var run []phaseStamp
	var names []string
	for _, w := range strings.Fields(words) {
		name, value, found := strings.Cut(w, "=")
		if !found || name == "" {
			return nil, fmt.Errorf("%q is not name=tsc", w)
		}
		if slices.Contains(names, name) {
			return nil, fmt.Errorf("stamp %s given twice", name)
		}
		names = append(names, name)
		tsc, err := strconv.ParseUint(value, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("stamp %s: %w", name, err)
		}
		if tsc == 0 {
			continue
		}
		if tsc < s.runtimeEntry {
			return nil, fmt.Errorf("stamp %s before runtime_entry", name)
		}
		run = append(run, phaseStamp{name, tsc})
	}
	if len(run) == 0 {
		return nil, errors.New("no stamps")
	}
	slices.SortStableFunc(run, func(a, b phaseStamp) int { return cmp.Compare(a.tsc, b.tsc) })
	return run, nil
}

// phaseDurations returns the breakdown of one boot: entryPhase (or
// entryPhases), then each kernel phase, then each stamp of the
// runstamps line, each from the previous stamp to its own.
func (s bootStamps) phaseDurations() []time.Duration {
	var ds []time.Duration
	prev := s.entry
	add := func(tsc uint64) {
		ds = append(ds, s.since(tsc)-s.since(prev))
		prev = tsc
	}
	if s.splitEntry() {
		add(s.pageTables)
		add(s.longMode)
	}
	add(s.kernelMain)
	for _, p := range s.phases {
		add(p.tsc)
	}
	for _, p := range s.run {
		add(p.tsc)
	}
	return ds
}

// phaseNames returns the names of s's breakdown rows.
func (s bootStamps) phaseNames() []string {
	names := []string{entryPhase}
	if s.splitEntry() {
		names = slices.Clone(entryPhases)
	}
	for _, p := range s.phases {
		names = append(names, p.name)
	}
	for _, p := range s.run {
		names = append(names, p.name)
	}
	return names
}

// summarizeEnd summarizes PVH entry -> the last stamp of every run
// (bootStamps.end), with the stamp's name; when the runs end at
// different stamps, it summarizes PVH entry -> runtime entry instead.
func summarizeEnd(runs []bootStamps) (string, figures.Summary) {
	var ds []time.Duration
	name := ""
	for i, r := range runs {
		n, tsc := r.end()
		if i == 0 {
			name = n
		}
		if n != name {
			return summarizeEnd(withoutRun(runs))
		}
		ds = append(ds, r.since(tsc))
	}
	return name, figures.Summarize(ds)
}

// withoutRun returns runs without their runstamps.
func withoutRun(runs []bootStamps) []bootStamps {
	out := slices.Clone(runs)
	for i := range out {
		out[i].run = nil
	}
	return out
}

// phaseTimes is one row of the breakdown table.
type phaseTimes struct {
	name  string
	times figures.Summary
}

// summarizePhases summarizes the breakdown of every run, or says why
// there is none: a run without the bootphases line, or runs whose
// kernels name other phases.
func summarizePhases(runs []bootStamps) ([]phaseTimes, string) {
	if len(runs) == 0 {
		return nil, "n/a (no runs)"
	}
	names := runs[0].phaseNames()
	series := make([][]time.Duration, len(names))
	for _, r := range runs {
		if r.phases == nil {
			return nil, "n/a (kernel lacks the bootphases line)"
		}
		if !slices.Equal(r.phaseNames(), names) {
			return nil, "n/a (the runs' phases differ)"
		}
		for i, d := range r.phaseDurations() {
			series[i] = append(series[i], d)
		}
	}
	rows := make([]phaseTimes, len(names))
	for i, name := range names {
		rows[i] = phaseTimes{name, figures.Summarize(series[i])}
	}
	return rows, ""
}
