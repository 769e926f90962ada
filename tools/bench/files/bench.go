package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/coracle-os/coracle/tools/bench/internal/boots"
	"github.com/coracle-os/coracle/tools/bench/internal/figures"
	"github.com/coracle-os/coracle/tools/bench/internal/guestrun"
	"github.com/coracle-os/coracle/tools/bench/internal/hostinfo"
	"github.com/coracle-os/coracle/tools/bench/internal/problems"
	"github.com/coracle-os/coracle/tools/bench/internal/setup"
	"github.com/coracle-os/coracle/tools/qemu"
)

// run is the benchmark: check the host, build the guests, boot each in
// turn -count times, print the report on stdout. Progress and problems
// go to stderr.
func run(ctx context.Context, o options, argv []string, stdout, stderr io.Writer) error {
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "bench: "+format+"\n", a...) }
	started, cleanup, err := setup.Start(ctx, "files", o.Accel, o.MemoryMiB, argv, logf)
	if err != nil {
		return err
	}
	defer cleanup()
	base := qemu.Config{Machine: qemu.Microvm, MemoryMiB: o.MemoryMiB, Accel: started.Accel}
	suites := suites(ctx, o, base, started.Tmp, stderr)
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}

	for boot := 1; boot <= o.Count; boot++ {
		for _, s := range suites {
			for _, g := range figures.Interleaved(s.guests, boot) {
				if g.Missing != "" {
					continue
				}
				b := measure(ctx, started.Path, g, s.ops, boot, o, stderr)
				if ctx.Err() != nil {
					return context.Cause(ctx)
				}
				if b.Err != nil {
					g.Failed = true
					logf("%s (%s), boot %d/%d: %v", g.name, s.name, boot, o.Count, b.Err)
				} else {
					logf("%s (%s), boot %d/%d: %s", g.name, s.name, boot, o.Count, summary(b.Sample, s.ops))
				}
				g.boots = append(g.boots, b)
			}
		}
	}

	r := report{
		header:    started.Header,
		accel:     hostinfo.Accel(started.Accel),
		machine:   hostinfo.ArgAfter(firstArgs(suites), "-M"),
		memoryMiB: o.MemoryMiB,
		count:     o.Count,
		benchtime: o.benchtime,
		suites:    suites,
	}
	r.write(stdout)

	var failed []string
	for _, s := range suites {
		for _, g := range s.guests {
			if g.Failed {
				failed = append(failed, g.name+" ("+s.name+")")
			}
		}
	}
	return problems.Failed(failed)
}

// measure boots g once and reads its figures for ops. A boot that
// fails, or whose guest reports an error or leaves an operation out, has
// err set. A shared directory starts each boot empty.
func measure(ctx context.Context, qemuPath string, g *guest, ops []operation, boot int, o options, log io.Writer) bootResult {
	if g.hostDir != "" {
		if err := emptyDir(g.hostDir); err != nil {
			return bootResult{Boot: boot, Err: err}
		}
	}
	spec := guestrun.Boot{Command: append([]string{qemuPath}, g.args...), Timeout: o.Timeout, Echo: guestrun.EchoIf(o.Verbose, log), Title: fmt.Sprintf("%s, boot %d", g.name, boot)}
	return boots.Read(ctx, boot, spec, lines, parseConsole, func(s sample) error { return s.Check(lines, missingOps(s, ops)) })
}

// summary is a progress line's account of a sample's figures for ops.
func summary(s sample, ops []operation) string {
	var parts []string
	for _, op := range ops {
		parts = append(parts, op.name+" "+figures.FormatNs(s.Ops[op.name].NsPerOp()))
	}
	return strings.Join(parts, ", ")
}

// firstArgs returns the QEMU arguments of the first guest that has any.
func firstArgs(suites []*suite) []string {
	for _, s := range suites {
		for _, g := range s.guests {
			if len(g.args) > 0 {
				return g.args
			}
		}
	}
	return nil
}

// emptyDir removes everything in dir, which stays: a shared directory
// as a new boot must find it, without what an earlier boot left.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
