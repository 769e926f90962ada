package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/coracle-os/coracle/tools/bench/internal/figures"
	"github.com/coracle-os/coracle/tools/bench/internal/hostinfo"
	"github.com/coracle-os/coracle/tools/bench/internal/setup"
	"github.com/coracle-os/coracle/tools/qemu"
)

// run is the benchmark: build the guests, boot them round by round,
// print the report on stdout. Progress and problems go to stderr.
func run(ctx context.Context, o options, argv []string, stdout, stderr io.Writer) error {
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "bench: "+format+"\n", a...) }
	machine, err := qemu.ParseMachine(o.machine)
	if err != nil {
		return err
	}
	started, cleanup, err := setup.Start(ctx, "boot", o.Accel, o.MemoryMiB, argv, logf)
	if err != nil {
		return err
	}
	defer cleanup()
	base := qemu.Config{Machine: machine, MemoryMiB: o.MemoryMiB, CPUs: o.cpus, Accel: started.Accel}
	systems, err := prepare(ctx, o, base, started.Tmp, stderr)
	if err != nil {
		return err
	}
	if err := measure(ctx, started.Path, systems, o, logf); err != nil {
		return err
	}

	r := report{
		header:    started.Header,
		accel:     hostinfo.Accel(started.Accel),
		machine:   hostinfo.ArgAfter(systems[0].args, "-M"),
		memoryMiB: o.MemoryMiB,
		cpus:      o.cpus,
		runs:      o.runs,
		warmups:   o.warmups,
	}
	var failed []string
	var coracle, coracleN *system
	for _, s := range systems {
		compare := s.short == compareFloorShort || s.short == compareCoracleShort
		r.rows = append(r.rows, row{system: s.name, short: s.short, line: s.line, times: figures.Summarize(s.times), missing: s.missing, baseline: s.baseline, first200: s.line == first200Line, compare: compare})
		if s.missing == "" {
			args := s.args
			if s.http != nil {
				// Each boot forwards another free port.
				args, _ = s.http.argsFor("PORT")
			}
			r.qemuLines = append(r.qemuLines, s.short+": "+hostinfo.ShellQuote(append([]string{qemu.Binary}, args...)))
		}
		switch s.short {
		case "coracle":
			coracle = s
			r.guest = summarizeStamps(s)
		case compareCoracleShort:
			coracleN = s
		}
		if s.failed {
			failed = append(failed, s.short)
		}
	}
	if coracleN != nil {
		r.compare = newComparison(o.cpus, o.compareCPUs, r.rows, coracle, coracleN)
	}
	if o.translation {
		if started.Accel != qemu.TCG {
			r.censusMissing = "not taken: QEMU logs translated code only under TCG (-accel tcg)"
		} else {
			r.census = takeCensus(ctx, started.Path, systems, started.Tmp, o.timeout, logf)
		}
	}
	r.write(stdout)
	if len(failed) > 0 {
		return fmt.Errorf("%s failed to boot (see above)", strings.Join(failed, " and "))
	}
	return nil
}
