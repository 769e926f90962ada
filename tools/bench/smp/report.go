package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/coracle-os/coracle/tools/bench/internal/figures"
	"github.com/coracle-os/coracle/tools/bench/internal/hostinfo"
	"github.com/coracle-os/coracle/tools/bench/internal/problems"
	"github.com/coracle-os/coracle/tools/bench/internal/resultlines"
	"github.com/coracle-os/coracle/tools/bench/internal/vcpus"
	"github.com/coracle-os/coracle/tools/qemu"
)

// report is everything the benchmark prints on stdout.
type report struct {
	header   hostinfo.Header // command line, source, host CPU, QEMU
	accel    string          // accelerator and CPU model, as passed to QEMU
	hostCPUs int
	o        options
	guests   []*guest // coracle, then Linux
}

// write prints the report: a header, then a table per workload in
// Markdown, so that it can be pasted into docs as it is.
func (r report) write(w io.Writer) {
	o := r.o
	fmt.Fprintf(w, "SMP benchmark: the same program (tools/bench/smpprobe) on coracle and on Linux at %s vCPUs\n\n", cpusText(o.cpus))
	r.header.Write(w)
	fmt.Fprintf(w, "guests:   %s, -M %s, %d MiB, no network, QEMU -smp N; one guest at a time (coracle first in odd rounds, Linux in even ones)\n",
		r.accel, hostinfo.ArgAfter(r.anyArgs(), "-M"), o.MemoryMiB)
	for _, g := range r.guests {
		if g.about != "" {
			fmt.Fprintf(w, "  %s: %s%s\n", g.name, g.about, g.clockText())
		}
	}
	fmt.Fprintf(w, "method:   each workload a fixed amount of work split over GOMAXPROCS goroutines (the runtime's default, N),\n")
	fmt.Fprintf(w, "          timed in the guest with time.Now; %d round(s), each booting each guest once at each vCPU count\n", o.Count)
	if note := vcpus.HostNote(r.hostCPUs, o.cpus); note != "" {
		fmt.Fprintf(w, "host:     %s\n", note)
	} else {
		fmt.Fprintf(w, "host:     %d CPUs, as many as the most vCPUs measured or more\n", r.hostCPUs)
	}
	for _, wl := range workloads {
		fmt.Fprintln(w)
		r.writeWorkload(w, wl)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Times are the median (minimum-maximum) in ms over the rounds; a system's speedup at N vCPUs is its median\n")
	fmt.Fprintf(w, "at %s over its median at N; coracle/Linux is coracle's median over Linux's at the same count, both\n", vcpus.Text(o.cpus[0]))
	fmt.Fprintf(w, "measured in this run: below 1 means coracle is faster.\n")

	problems.Write(w, r.problems())
	fmt.Fprintln(w)
	fmt.Fprintln(w, "QEMU command lines:")
	for _, g := range r.guests {
		for _, n := range o.cpus {
			if args := g.args[n]; len(args) > 0 {
				fmt.Fprintf(w, "  %s, %s: %s\n", g.name, vcpus.Text(n), hostinfo.ShellQuote(append([]string{qemu.Binary}, args...)))
			}
		}
	}
}

// writeWorkload prints one workload's table.
func (r report) writeWorkload(w io.Writer, wl workload) {
	fmt.Fprintf(w, "%s\n\n", wl.title(r.o))
	coracle, linux := r.guest("coracle"), r.guest("Linux")
	head := "| vCPUs | coracle ms | Linux ms | coracle speedup | Linux speedup | coracle/Linux |"
	rule := "| ---: | ---: | ---: | ---: | ---: | ---: |"
	if wl.gcs {
		head += " GCs coracle / Linux |"
		rule += " ---: |"
	}
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, rule)
	first := r.o.cpus[0]
	for _, n := range r.o.cpus {
		c, l := coracle.summary(n, wl), linux.summary(n, wl)
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s |", n, c.text(), l.text(),
			speedup(coracle.summary(first, wl), c), speedup(linux.summary(first, wl), l), ratio(c.median, l.median))
		if wl.gcs {
			fmt.Fprintf(w, " %s / %s |", coracle.gcsText(n), linux.gcsText(n))
		}
		fmt.Fprintln(w)
	}
}

// spread is a series of times in ns: its median, minimum and maximum.
type spread struct{ median, min, max float64 }

// summary is g's spread of wl's time on n vCPUs; zero without figures.
func (g *guest) summary(n int, wl workload) spread {
	xs := g.runs[n].Values(wl.nsOf)
	if len(xs) == 0 {
		return spread{}
	}
	return spread{median: figures.Median(xs), min: slices.Min(xs), max: slices.Max(xs)}
}

// text is a table cell: "1234 (1200-1300)" in ms, the range left out for
// one value; "—" without figures.
func (s spread) text() string {
	switch {
	case s.median == 0:
		return "—"
	case s.min == s.max:
		return ms(s.median)
	}
	return fmt.Sprintf("%s (%s-%s)", ms(s.median), ms(s.min), ms(s.max))
}

// ms formats ns as whole milliseconds.
func ms(ns float64) string { return fmt.Sprintf("%.0f", ns/1e6) }

// speedup is base's median over s's, "—" unless both are measured.
func speedup(base, s spread) string { return ratio(base.median, s.median) }

// ratio is a over b with two decimals, "—" unless both are measured.
func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// gcsText is the median number of collections of g's boots on n vCPUs.
func (g *guest) gcsText(n int) string {
	xs := g.runs[n].Values(gcsOf)
	if len(xs) == 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f", figures.Median(xs))
}

// guest returns the guest named, or one without boots.
func (r report) guest(name string) *guest {
	for _, g := range r.guests {
		if g.name == name {
			return g
		}
	}
	return newGuest(name)
}

// anyArgs returns the QEMU arguments of the first guest that has any.
func (r report) anyArgs() []string {
	for _, g := range r.guests {
		for _, n := range r.o.cpus {
			if len(g.args[n]) > 0 {
				return g.args[n]
			}
		}
	}
	return nil
}

// problems lists what went wrong: guests not measured, failed boots, and
// workloads whose result differs between boots (every guest at every
// count must compute the same).
func (r report) problems() []string {
	var ps []string
	seen := map[string]map[string][]string{} // op -> sum -> where
	for _, g := range r.guests {
		if g.Missing != "" {
			ps = append(ps, g.name+": "+g.Missing)
		}
		for _, n := range r.o.cpus {
			who := g.name + ", " + vcpus.Text(n)
			ps = append(ps, g.runs[n].Problems(who)...)
			for _, b := range g.runs[n] {
				if b.Err != nil {
					continue
				}
				for op, sum := range b.Sample.sums {
					if seen[op] == nil {
						seen[op] = map[string][]string{}
					}
					seen[op][sum] = append(seen[op][sum], fmt.Sprintf("%s round %d", who, b.Boot))
				}
			}
		}
	}
	for _, op := range slices.Sorted(maps.Keys(seen)) {
		if len(seen[op]) > 1 {
			var parts []string
			for _, sum := range slices.Sorted(maps.Keys(seen[op])) {
				parts = append(parts, sum+" ("+strings.Join(seen[op][sum], ", ")+")")
			}
			ps = append(ps, fmt.Sprintf("%s: the results differ: %s", op, strings.Join(parts, "; ")))
		}
	}
	return ps
}

// clockText names the clock sources the guest reported, if any did.
func (g *guest) clockText() string {
	var sources []string
	for _, n := range slices.Sorted(maps.Keys(g.runs)) {
		for _, b := range g.runs[n] {
			sources = append(sources, b.Sample.ClockSource)
		}
	}
	return resultlines.ClockText(sources)
}
