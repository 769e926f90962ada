package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/coracle-os/coracle/tools/bench/internal/figures"
	"github.com/coracle-os/coracle/tools/bench/internal/hostinfo"
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
	host, err := hostinfo.FindQEMU(o.Accel, o.MemoryMiB)
	if err != nil {
		return err
	}
	logf("%s", host.Reason)

	tmp, err := os.MkdirTemp("", "coracle-bench-boot-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	base := qemu.Config{Machine: machine, MemoryMiB: o.MemoryMiB, CPUs: o.cpus, Accel: host.Accel}
	// The revision the guests are built from: read before they are.
	header := hostinfo.ReadHeader(ctx, argv, host.Path)
	systems, err := prepare(ctx, o, base, tmp, stderr)
	if err != nil {
		return err
	}
	if err := measure(ctx, host.Path, systems, o, logf); err != nil {
		return err
	}

	r := report{
		header:    header,
		accel:     hostinfo.Accel(host.Accel),
		machine:   hostinfo.ArgAfter(systems[0].args, "-M"),
		memoryMiB: o.MemoryMiB,
		cpus:      o.cpus,
		runs:      o.runs,
		warmups:   o.warmups,
	}
	var failed []string
	for _, s := range systems {
		r.rows = append(r.rows, row{system: s.name, line: s.line, times: figures.Summarize(s.times), missing: s.missing, baseline: s.baseline})
		if s.missing == "" {
			r.qemuLines = append(r.qemuLines, s.short+": "+hostinfo.ShellQuote(append([]string{qemu.Binary}, s.args...)))
		}
		if s.stamps {
			r.guest = summarizeStamps(s)
		}
		if s.failed {
			failed = append(failed, s.short)
		}
	}
	r.write(stdout)
	if len(failed) > 0 {
		return fmt.Errorf("%s failed to boot (see above)", strings.Join(failed, " and "))
	}
	return nil
}
