package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/coracle-os/coracle/tools/bench/internal/boots"
	"github.com/coracle-os/coracle/tools/bench/internal/figures"
	"github.com/coracle-os/coracle/tools/bench/internal/guestrun"
	"github.com/coracle-os/coracle/tools/bench/internal/hostinfo"
	"github.com/coracle-os/coracle/tools/bench/internal/prepare"
	"github.com/coracle-os/coracle/tools/bench/internal/setup"
	"github.com/coracle-os/coracle/tools/qemu"
)

// hostQEMU is the QEMU both guests run on and where progress goes.
type hostQEMU struct {
	path  string
	accel qemu.Accel
	log   io.Writer
}

// run is the benchmark: check the host, make the disk image, build the
// guests, boot each in turn -count times, print the report on stdout.
// Progress and problems go to stderr.
func run(ctx context.Context, o options, argv []string, stdout, stderr io.Writer) error {
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "bench: "+format+"\n", a...) }
	started, cleanup, err := setup.Start(ctx, "disk", o.Accel, o.MemoryMiB, argv, logf)
	if err != nil {
		return err
	}
	defer cleanup()
	host := hostQEMU{path: started.Path, accel: started.Accel, log: stderr}
	logf("making the %d MiB disk image (coracle disk create --from a tree with %s and %s)", o.diskMiB, seqFile, randFile)
	template, err := makeTemplate(ctx, o, started.Tmp)
	if err != nil {
		return fmt.Errorf("making the disk image: %w", err)
	}

	guests := prepare.All(logf, "", []prepare.Guest[*guest]{
		{Name: "coracle", Skip: o.SkipCoracle, Make: func() (*guest, error) { return prepareCoracle(ctx, o, host, started.Tmp) }},
		{Name: "Linux", Skip: o.SkipLinux, Make: func() (*guest, error) { return prepareLinux(ctx, o, host, started.Tmp) }},
	}, newGuest)
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}

	for boot := 1; boot <= o.Count; boot++ {
		for _, g := range figures.Interleaved(guests, boot) {
			if g.Missing != "" {
				continue
			}
			b := measure(ctx, g, template, boot, o, stderr)
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			if b.Err != nil {
				g.Failed = true
				logf("%s, boot %d/%d: %v", g.name, boot, o.Count, b.Err)
			} else {
				logf("%s, boot %d/%d: %s", g.name, boot, o.Count, summary(b.Sample))
			}
			g.boots = append(g.boots, b)
		}
	}

	report{header: started.Header, accel: hostinfo.Accel(host.accel), memoryMiB: o.MemoryMiB, o: o, guests: guests}.write(stdout)
	return prepare.Failed(guests, func(g *guest) string { return g.name })
}

// measure boots g once on a fresh copy of the template image and reads
// its figures. A boot that fails, or whose guest reports an error or
// leaves a figure out, has err set.
func measure(ctx context.Context, g *guest, template string, boot int, o options, log io.Writer) bootResult {
	if err := freshCopy(ctx, template, g.disk); err != nil {
		return bootResult{Boot: boot, Err: err}
	}
	spec := guestrun.Boot{Command: g.command, Timeout: o.Timeout, Echo: guestrun.EchoIf(o.Verbose, log), Title: fmt.Sprintf("%s, boot %d", g.name, boot)}
	return boots.Read(ctx, boot, spec, lines, parseConsole, func(s sample) error { return s.Check(lines, missingMetrics(s)) })
}

// summary is a progress line's account of a sample.
func summary(s sample) string {
	var parts []string
	for _, m := range metrics {
		v, _ := m.value(s)
		parts = append(parts, m.name+" "+m.format(v))
	}
	return strings.Join(parts, ", ")
}
