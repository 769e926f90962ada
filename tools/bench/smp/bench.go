package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/coracle-os/coracle/tools/bench/internal/boots"
	"github.com/coracle-os/coracle/tools/bench/internal/figures"
	"github.com/coracle-os/coracle/tools/bench/internal/guestrun"
	"github.com/coracle-os/coracle/tools/bench/internal/hostinfo"
	"github.com/coracle-os/coracle/tools/bench/internal/prepare"
	"github.com/coracle-os/coracle/tools/bench/internal/setup"
	"github.com/coracle-os/coracle/tools/qemu"
)

// run is the benchmark: check the host, build the guests, boot each at
// every vCPU count in turn, -count rounds, print the report on stdout.
// Progress and problems go to stderr.
func run(ctx context.Context, o options, argv []string, stdout, stderr io.Writer) error {
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "bench: "+format+"\n", a...) }
	started, cleanup, err := setup.Start(ctx, "smp", o.Accel, o.MemoryMiB, argv, logf)
	if err != nil {
		return err
	}
	defer cleanup()
	base := qemu.Config{Machine: qemu.Microvm, MemoryMiB: o.MemoryMiB, Accel: started.Accel}
	guests := prepare.All(logf, "", []prepare.Guest[*guest]{
		{Name: "coracle", Skip: o.SkipCoracle, Make: func() (*guest, error) { return prepareCoracle(ctx, o, base, started.Tmp, stderr) }},
		{Name: "Linux", Skip: o.SkipLinux, Make: func() (*guest, error) { return prepareLinux(ctx, o, base, started.Tmp, stderr) }},
	}, newGuest)
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}

	for round := 1; round <= o.Count; round++ {
		for _, n := range o.cpus {
			for _, g := range figures.Interleaved(guests, round) {
				if g.Missing != "" {
					continue
				}
				b := measure(ctx, started.Path, g, n, round, o, stderr)
				if ctx.Err() != nil {
					return context.Cause(ctx)
				}
				if b.Err != nil {
					g.Failed = true
					logf("%s, %d vCPU(s), round %d/%d: %v", g.name, n, round, o.Count, b.Err)
				} else {
					logf("%s, %d vCPU(s), round %d/%d: %s", g.name, n, round, o.Count, summary(b.Sample))
				}
				g.runs[n] = append(g.runs[n], b)
			}
		}
	}

	r := report{
		header:   started.Header,
		accel:    hostinfo.Accel(started.Accel),
		hostCPUs: runtime.NumCPU(),
		o:        o,
		guests:   guests,
	}
	r.write(stdout)
	return prepare.Failed(guests, func(g *guest) string { return g.name })
}

// measure boots g once on cpus vCPUs and reads its figures. A boot that
// fails, or whose guest reports an error, leaves a figure out or saw
// another number of CPUs, has err set.
func measure(ctx context.Context, qemuPath string, g *guest, cpus, round int, o options, log io.Writer) bootResult {
	spec := guestrun.Boot{Command: append([]string{qemuPath}, g.args[cpus]...), Timeout: o.Timeout,
		Echo: guestrun.EchoIf(o.Verbose, log), Title: fmt.Sprintf("%s, %d vCPU(s), round %d", g.name, cpus, round)}
	return boots.Read(ctx, round, spec, lines, parseConsole, func(s sample) error { return s.check(cpus) })
}

// summary is a progress line's account of a sample.
func summary(s sample) string {
	var parts []string
	for _, w := range workloads {
		ns, _ := w.nsOf(s)
		parts = append(parts, w.op+" "+figures.FormatNs(ns))
	}
	return strings.Join(parts, ", ") + fmt.Sprintf(" (%d GCs)", s.gcs)
}
