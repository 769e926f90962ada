package main

import (
	"fmt"
	"io"

	"github.com/coracle-os/coracle/tools/bench/internal/hostinfo"
	"github.com/coracle-os/coracle/tools/bench/internal/problems"
	"github.com/coracle-os/coracle/tools/bench/internal/resultlines"
)

// report is everything the benchmark prints on stdout.
type report struct {
	header    hostinfo.Header
	accel     string // accelerator and CPU model, as passed to QEMU
	memoryMiB int
	o         options
	guests    []*guest
}

// write prints the report: a header, then the table in Markdown, so that
// it can be pasted into docs as it is.
func (r report) write(w io.Writer) {
	o := r.o
	fmt.Fprintf(w, "Disk benchmark: the same program (tools/bench/diskprobe) on coracle and on Linux, each on a virtio-blk ext4 disk\n\n")
	r.header.Write(w)
	fmt.Fprintf(w, "guests:   %s, microvm, 1 vCPU, %d MiB, no network; one guest at a time (coracle first in odd boots, Linux in even ones)\n", r.accel, r.memoryMiB)
	fmt.Fprintf(w, "disk:     a fresh copy for every boot of one %d MiB raw image made by coracle disk create (mkfs.ext4 -d) with %s (%d MiB) and %s (%d MiB)\n",
		o.diskMiB, seqFile, o.seqMiB, randFile, o.randMiB)
	fmt.Fprintf(w, "method:   reads are cold in the guest (a fresh boot; nothing read the files before); %d random reads and %d writes,\n", o.randOps, o.randOps)
	fmt.Fprintf(w, "          %d appends + fsync, %d kvstore PUTs then GETs; medians over %d boot(s) of each guest\n", o.fsyncs, o.kvOps, o.Count)
	for _, g := range r.guests {
		if g.about != "" {
			fmt.Fprintf(w, "  %s: %s%s\n", g.name, g.about, g.clockText())
		}
	}
	fmt.Fprintln(w)
	coracle, linux := r.guest("coracle"), r.guest("Linux")
	fmt.Fprintln(w, "| measurement | coracle | Linux | coracle/Linux | better |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | --- |")
	for _, m := range metrics {
		c, l := coracle.boots.Median(m.value), linux.boots.Median(m.value)
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", m.about, cell(c, m), cell(l, m), ratio(c, l), m.faster)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "The ratio is coracle's median over Linux's, both measured in this run: for rates (MiB/s, IOPS, requests/s)")
	fmt.Fprintln(w, "above 1 means coracle is faster; for latencies below 1 does. QEMU's cache mode for the image decides what")
	fmt.Fprintln(w, "a FLUSH costs on the host; it is named for each guest above or in its command line below.")

	if r.o.Count > 1 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Each boot (in boot order):")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| measurement | coracle | Linux |")
		fmt.Fprintln(w, "| --- | --- | --- |")
		for _, m := range metrics {
			fmt.Fprintf(w, "| %s | %s | %s |\n", m.name, coracle.boots.Text(m.value, m.format), linux.boots.Text(m.value, m.format))
		}
	}

	var ps []string
	for _, g := range r.guests {
		if g.Missing != "" {
			ps = append(ps, fmt.Sprintf("%s: %s", g.name, g.Missing))
		}
		ps = append(ps, g.boots.Problems(g.name)...)
	}
	problems.Write(w, ps)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Command lines:")
	for _, g := range r.guests {
		if len(g.command) > 0 {
			fmt.Fprintf(w, "  %s: %s\n", g.name, hostinfo.ShellQuote(g.command))
		}
	}
}

// guest returns the guest named, or one without boots.
func (r report) guest(name string) *guest {
	for _, g := range r.guests {
		if g.name == name {
			return g
		}
	}
	return &guest{name: name}
}

// cell is a table cell: the figure, or "—" without one.
func cell(v float64, m metric) string {
	if v == 0 {
		return "—"
	}
	return m.format(v)
}

// ratio is a over b with two decimals, "—" unless both are measured.
func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// clockText names the clock sources the guest reported, if any did.
func (g *guest) clockText() string {
	var sources []string
	for _, b := range g.boots {
		sources = append(sources, b.Sample.ClockSource)
	}
	return resultlines.ClockText(sources)
}
