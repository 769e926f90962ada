package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

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

	tmp, err := os.MkdirTemp("", "coracle-bench-boot-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	base := qemu.Config{Machine: machine, MemoryMiB: o.memoryMiB, Accel: accel.Accel}
	systems, err := prepare(ctx, o, base, tmp, stderr)
	if err != nil {
		return err
	}
	if err := measure(ctx, qemuPath, systems, o, logf); err != nil {
		return err
	}

	r := report{
		command:   hostinfo.ShellQuote(argv),
		source:    hostinfo.SourceRevision(ctx),
		cpu:       hostinfo.CPU(),
		qemu:      hostinfo.QEMUVersion(ctx, qemuPath),
		accel:     hostinfo.Accel(accel.Accel),
		machine:   argAfter(systems[0].args, "-M"),
		memoryMiB: o.memoryMiB,
		runs:      o.runs,
		warmups:   o.warmups,
	}
	var failed []string
	for _, s := range systems {
		r.rows = append(r.rows, row{system: s.name, line: s.line, times: summarize(s.times), missing: s.missing, baseline: s.baseline})
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

// argAfter returns the argument that follows flag in args, or "".
func argAfter(args []string, flag string) string {
	for i, a := range args[:max(len(args)-1, 0)] {
		if a == flag {
			return args[i+1]
		}
	}
	return ""
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
