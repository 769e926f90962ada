package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/coracle-os/coracle/tools/bench/internal/hostinfo"
	"github.com/coracle-os/coracle/tools/qemu"
)

// run is the benchmark: check the host, build the guests, boot each in
// turn -count times, print the report on stdout. Progress and problems
// go to stderr.
func run(ctx context.Context, o options, argv []string, stdout, stderr io.Writer) error {
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "bench: "+format+"\n", a...) }
	want, err := qemu.ParseAccel(o.accel)
	if err != nil {
		return err
	}
	if err := qemu.CheckMemory(o.memoryMiB, qemu.HostMemoryMiB()); err != nil {
		return err
	}
	qemuPath, err := exec.LookPath(qemu.Binary)
	if err != nil {
		return qemu.ErrNotFound
	}
	accel, err := qemu.ChooseAccel(want, qemu.LocalHost())
	if err != nil {
		return err
	}
	logf("%s", accel.Reason)

	tmp, err := os.MkdirTemp("", "coracle-bench-files-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	base := qemu.Config{Machine: qemu.Microvm, MemoryMiB: o.memoryMiB, Accel: accel.Accel}
	// The revision the guests are built from: read before they are.
	source := hostinfo.SourceRevision(ctx)
	suites := suites(ctx, o, base, tmp, stderr)
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}

	for boot := 1; boot <= o.count; boot++ {
		for _, s := range suites {
			for _, g := range bootOrder(s.guests, boot) {
				if g.missing != "" {
					continue
				}
				b := measure(ctx, qemuPath, g, s.ops, boot, o, stderr)
				if ctx.Err() != nil {
					return context.Cause(ctx)
				}
				if b.err != nil {
					g.failed = true
					logf("%s (%s), boot %d/%d: %v", g.name, s.name, boot, o.count, b.err)
				} else {
					logf("%s (%s), boot %d/%d: %s", g.name, s.name, boot, o.count, summary(b.sample, s.ops))
				}
				g.boots = append(g.boots, b)
			}
		}
	}

	r := report{
		command:   hostinfo.ShellQuote(argv),
		source:    source,
		cpu:       hostinfo.CPU(),
		qemu:      hostinfo.QEMUVersion(ctx, qemuPath),
		accel:     hostinfo.Accel(accel.Accel),
		machine:   argAfter(firstArgs(suites), "-M"),
		memoryMiB: o.memoryMiB,
		count:     o.count,
		benchtime: o.benchtime,
		suites:    suites,
	}
	r.write(stdout)

	var failed []string
	for _, s := range suites {
		for _, g := range s.guests {
			if g.failed {
				failed = append(failed, g.name+" ("+s.name+")")
			}
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%s failed (see above and the messages before)", strings.Join(failed, " and "))
	}
	return nil
}

// measure boots g once and reads its figures for ops. A boot that
// fails, or whose guest reports an error or leaves an operation out, has
// err set. A shared directory starts each boot empty.
func measure(ctx context.Context, qemuPath string, g *guest, ops []operation, boot int, o options, log io.Writer) bootResult {
	b := bootResult{boot: boot}
	if g.hostDir != "" {
		if err := emptyDir(g.hostDir); err != nil {
			b.err = err
			return b
		}
	}
	console, err := bootOnce(ctx, qemuPath, g.args, o.timeout)
	if o.verbose {
		fmt.Fprintf(log, "--- %s, boot %d: console ---\n%s\n", g.name, boot, strings.TrimSpace(console))
	}
	if err != nil {
		b.err = err
		return b
	}
	if b.sample, err = parseConsole(console); err != nil {
		b.err = err
		return b
	}
	switch {
	case b.sample.failure != "":
		b.err = fmt.Errorf("the guest failed: %s", b.sample.failure)
	case !b.sample.done:
		b.err = fmt.Errorf("no %q line", doneLine)
	default:
		if missing := missingOps(b.sample, ops); len(missing) > 0 {
			b.err = fmt.Errorf("no figures for %s", strings.Join(missing, ", "))
		}
	}
	return b
}

// summary is a progress line's account of a sample's figures for ops.
func summary(s sample, ops []operation) string {
	var parts []string
	for _, op := range ops {
		parts = append(parts, op.name+" "+formatNs(s.ops[op.name].nsPerOp()))
	}
	return strings.Join(parts, ", ")
}

// bootOrder returns the order in which the guests boot: as given in odd
// boots, reversed in even ones, so that a slow drift of the host does
// not favour one of them.
func bootOrder(guests []*guest, boot int) []*guest {
	order := slices.Clone(guests)
	if boot%2 == 0 {
		slices.Reverse(order)
	}
	return order
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

// argAfter returns the argument that follows flag in args, or "".
func argAfter(args []string, flag string) string {
	for i, a := range args[:max(len(args)-1, 0)] {
		if a == flag {
			return args[i+1]
		}
	}
	return ""
}
