package main

import (
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

// entryPhase is the breakdown's first row: from the PVH entry to the
// kernel's Go code (boot/: the entry stub's page tables and the switch
// to long mode), which has no stamp on the bootphases line.
const entryPhase = "entry -> kernel_main"

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

// phaseDurations returns the breakdown of one boot: entryPhase, then
// each kernel phase from the previous stamp to its own.
func (s bootStamps) phaseDurations() []time.Duration {
	ds := []time.Duration{s.toKernelMain()}
	prev := s.kernelMain
	for _, p := range s.phases {
		ds = append(ds, s.since(p.tsc)-s.since(prev))
		prev = p.tsc
	}
	return ds
}

// phaseNames returns the names of s's breakdown rows.
func (s bootStamps) phaseNames() []string {
	names := []string{entryPhase}
	for _, p := range s.phases {
		names = append(names, p.name)
	}
	return names
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
