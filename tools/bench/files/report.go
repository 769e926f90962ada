package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/figures"
	"github.com/coracle-os/coracle/tools/bench/internal/hostinfo"
	"github.com/coracle-os/coracle/tools/bench/internal/problems"
	"github.com/coracle-os/coracle/tools/bench/internal/resultlines"
	"github.com/coracle-os/coracle/tools/qemu"
)

// report is everything the benchmark prints on stdout.
type report struct {
	header    hostinfo.Header // command line, source, host CPU, QEMU
	accel     string          // accelerator and CPU model, as passed to QEMU
	machine   string
	memoryMiB int
	count     int
	benchtime time.Duration
	suites    []*suite
}

// write prints the report: a header, then the tables in Markdown, so
// that it can be pasted into docs as it is.
func (r report) write(w io.Writer) {
	fmt.Fprintf(w, "File benchmark: the same program (tools/bench/fileprobe) on coracle and on Linux\n\n")
	r.header.Write(w)
	fmt.Fprintf(w, "guests:   %s, -M %s, 1 vCPU, %d MiB, no network; one guest at a time (coracle first in odd boots, Linux in even ones)\n",
		r.accel, r.machine, r.memoryMiB)
	fmt.Fprintf(w, "method:   each operation timed with time.Now over a growing iteration count until one run lasts %v (that run counts);\n", r.benchtime)
	fmt.Fprintf(w, "          the sequential transfer once per boot; medians over %d boot(s) of each guest\n", r.count)
	for _, s := range r.suites {
		fmt.Fprintln(w)
		r.writeSuite(w, s)
	}

	var ps []string
	for _, s := range r.suites {
		for _, g := range s.guests {
			who := fmt.Sprintf("%s (%s)", g.name, s.name)
			if g.Missing != "" {
				ps = append(ps, who+": "+g.Missing)
			}
			ps = append(ps, g.boots.Problems(who)...)
		}
	}
	problems.Write(w, ps)

	fmt.Fprintln(w)
	fmt.Fprintln(w, "QEMU command lines:")
	for _, s := range r.suites {
		for _, g := range s.guests {
			if len(g.args) > 0 {
				fmt.Fprintf(w, "  %s (%s): %s\n", g.name, s.name, hostinfo.ShellQuote(append([]string{qemu.Binary}, g.args...)))
			}
		}
	}
}

// writeSuite prints one suite's tables: the medians with their ratios,
// and each boot's figures.
func (r report) writeSuite(w io.Writer, s *suite) {
	fmt.Fprintf(w, "%s; sequential transfer of %d MiB\n", s.title, s.seqMiB)
	for _, g := range s.guests {
		if g.about != "" {
			fmt.Fprintf(w, "  %s: %s%s\n", g.name, g.about, g.clockText())
		}
	}
	fmt.Fprintln(w)
	coracle, linux := s.guest("coracle"), s.guest("Linux")
	fmt.Fprintln(w, "| operation | coracle | Linux | coracle/Linux |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: |")
	var slower []string
	for _, op := range s.ops {
		c, l := coracle.boots.Median(op.nsPerOp), linux.boots.Median(op.nsPerOp)
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", op.about, figure(c, op), figure(l, op), ratio(c, l))
		if c > 0 && l > 0 && c > l {
			slower = append(slower, fmt.Sprintf("%s (%s)", op.name, ratio(c, l)))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Figures are median times per operation (and MiB/s for the sequential transfer); the ratio is")
	fmt.Fprintln(w, "coracle's median over Linux's, both measured in this run: below 1 means coracle is faster.")
	if coracle.boots.Measured() && linux.boots.Measured() {
		if len(slower) == 0 {
			fmt.Fprintln(w, "coracle is slower than Linux in: none of the operations.")
		} else {
			fmt.Fprintf(w, "coracle is slower than Linux in: %s.\n", strings.Join(slower, ", "))
		}
	}

	if r.count > 1 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Each boot (time per operation, in boot order):")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| operation | coracle | Linux |")
		fmt.Fprintln(w, "| --- | --- | --- |")
		for _, op := range s.ops {
			fmt.Fprintf(w, "| %s | %s | %s |\n", op.name, coracle.boots.Text(op.nsPerOp, figures.FormatNs), linux.boots.Text(op.nsPerOp, figures.FormatNs))
		}
	}
}

// guest returns the suite's guest named, or one without boots.
func (s *suite) guest(name string) *guest {
	for _, g := range s.guests {
		if g.name == name {
			return g
		}
	}
	return &guest{name: name}
}

// figure is a table cell: the time per operation, with the throughput
// for a transfer; "—" without a figure.
func figure(ns float64, op operation) string {
	if ns == 0 {
		return "—"
	}
	s := figures.FormatNs(ns)
	if op.mibPerOp > 0 {
		s += fmt.Sprintf(" (%.0f MiB/s)", op.mibPerOp*1e9/ns)
	}
	return s
}

// clockText names the clock sources the guest reported, if any did.
func (g *guest) clockText() string {
	var sources []string
	for _, b := range g.boots {
		sources = append(sources, b.Sample.ClockSource)
	}
	return resultlines.ClockText(sources)
}
