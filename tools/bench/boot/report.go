package main

import (
	"fmt"
	"io"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/figures"
	"github.com/coracle-os/coracle/tools/bench/internal/hostinfo"
)

// report is everything the benchmark prints on stdout.
type report struct {
	header    hostinfo.Header // command line, source, host CPU, QEMU
	accel     string          // accelerator and CPU model, as passed to QEMU
	machine   string          // the -M value
	memoryMiB int
	cpus      int
	runs      int
	warmups   int

	rows []row // the floor first, then coracle, then Linux
	// guest is coracle's own view of its boot, from coracle.bootstamps.
	guest guestTimes
	// qemuLines are the QEMU command lines, one per system.
	qemuLines []string
	// compare, with -compare-cpus, sets boots with another vCPU count
	// against these.
	compare *comparison
	// census, with -translation, counts the code TCG translated per
	// system; censusMissing says why there is none.
	census        []censusRow
	censusMissing string
}

// row is one system's line in the table.
type row struct {
	system  string
	short   string // the system's name in progress lines
	line    string // the line waited for
	times   figures.Summary
	missing string // why there are no times: skipped or failed
	// baseline marks the floor and Linux rows: their medians are the
	// denominators of the ratio columns.
	baseline baseline
	// first200 rows are timed to the first HTTP 200 and have a table
	// of their own.
	first200 bool
	// compare rows are the boots with the other vCPU count, which the
	// comparison shows.
	compare bool
}

type baseline int

const (
	notBaseline baseline = iota
	floorBaseline
	linuxBaseline
	// linuxHTTPBaseline is Linux's first-200 row.
	linuxHTTPBaseline
)

// guestTimes summarizes the bootstamps of the coracle runs, or says why
// there are none.
type guestTimes struct {
	toKernelMain, toRuntime figures.Summary
	missing                 string
	// phases break PVH entry -> the last stamp down by the kernel's
	// bootstamps, bootphases and runstamps lines, or phasesMissing says
	// why they cannot.
	phases        []phaseTimes
	phasesMissing string
	// toEnd is PVH entry -> the runs' last stamp, endName that stamp's
	// name ("runtime" for the runtime's entry, "" when not summarized).
	toEnd   figures.Summary
	endName string
}

// write prints the report: a header, then the table in Markdown, so that
// it can be pasted into docs as it is.
func (r report) write(w io.Writer) {
	fmt.Fprintf(w, "boot time: exec of QEMU -> the guest's first line on the serial console\n\n")
	r.header.Write(w)
	fmt.Fprintf(w, "guest:    %s, -M %s, %d MiB, %d vCPU(s)\n", r.accel, r.machine, r.memoryMiB, r.cpus)
	fmt.Fprintf(w, "runs:     %d per system, after %d warm-up boot(s), interleaved round by round\n\n", r.runs, r.warmups)

	floor, linux := r.median(floorBaseline), r.median(linuxBaseline)
	fmt.Fprintln(w, "| system | line waited for | median ms | min ms | max ms | x floor | x Linux |")
	fmt.Fprintln(w, "| --- | --- | ---: | ---: | ---: | ---: | ---: |")
	for _, x := range r.rows {
		if x.first200 || x.compare {
			continue
		}
		if x.missing != "" {
			fmt.Fprintf(w, "| %s | `%s` | %s | | | | |\n", x.system, x.line, x.missing)
			continue
		}
		fmt.Fprintf(w, "| %s | `%s` | %s | %s | %s | %s | %s |\n", x.system, x.line,
			ms(x.times.Median, 1), ms(x.times.Min, 1), ms(x.times.Max, 1),
			times(ratio(x.times.Median, floor)), times(ratio(x.times.Median, linux)))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Ratios are of medians, against the baselines measured in this same run.")
	fmt.Fprintln(w)
	r.writeFirst200(w)
	if r.compare != nil {
		r.compare.write(w)
	}

	if r.guest.missing != "" {
		fmt.Fprintf(w, "coracle guest time, PVH entry -> Go runtime: %s\n", r.guest.missing)
	} else {
		fmt.Fprintf(w, "coracle guest time (coracle.bootstamps, TSC, %d runs):\n\n", r.guest.toRuntime.N)
		fmt.Fprintln(w, "| interval | median ms | min ms | max ms |")
		fmt.Fprintln(w, "| --- | ---: | ---: | ---: |")
		type interval struct {
			name string
			s    figures.Summary
		}
		intervals := []interval{
			{"PVH entry -> kernel_main", r.guest.toKernelMain},
			{"PVH entry -> Go runtime entry", r.guest.toRuntime},
		}
		if r.guest.toEnd.N > 0 && r.guest.endName != "runtime" {
			// The runstamps line's last stamp, first_stdout for bootprobe.
			intervals = append(intervals, interval{"PVH entry -> " + r.guest.endName, r.guest.toEnd})
		}
		for _, g := range intervals {
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", g.name, ms(g.s.Median, 3), ms(g.s.Min, 3), ms(g.s.Max, 3))
		}
		fmt.Fprintln(w)
		r.guest.writePhases(w)
	}
	switch {
	case r.censusMissing != "":
		fmt.Fprintf(w, "\nCode translated by TCG (-translation): %s\n", r.censusMissing)
	case r.census != nil:
		writeCensus(w, r.census)
	}
	if len(r.qemuLines) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "QEMU command lines:")
		for _, l := range r.qemuLines {
			fmt.Fprintf(w, "  %s\n", l)
		}
	}
}

// median returns the median of the measured baseline row b, or 0.
func (r report) median(b baseline) time.Duration {
	for _, x := range r.rows {
		if x.baseline == b && x.missing == "" {
			return x.times.Median
		}
	}
	return 0
}

// ms formats d in milliseconds with the given decimals.
func ms(d time.Duration, decimals int) string {
	return fmt.Sprintf("%.*f", decimals, float64(d)/float64(time.Millisecond))
}

// times formats a ratio, "n/a" when it is missing.
func times(x float64) string {
	if x == 0 {
		return "n/a"
	}
	if x >= 100 {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.2f", x)
}

// writePhases prints the breakdown of PVH entry -> the last stamp (the
// runtime's entry without a runstamps line): each phase from the
// previous stamp, and its median's share of the total's median (medians
// do not add up exactly, so neither do the shares).
func (g guestTimes) writePhases(w io.Writer) {
	if g.phasesMissing != "" {
		fmt.Fprintf(w, "coracle boot phases: %s\n", g.phasesMissing)
		return
	}
	endName, total := g.endName, g.toEnd
	if total.N == 0 {
		endName, total = "runtime", g.toRuntime
	}
	fmt.Fprintf(w, "coracle boot phases (coracle.bootstamps, TSC, %d runs; each from the previous stamp):\n\n", g.toRuntime.N)
	fmt.Fprintf(w, "| phase | median ms | min ms | max ms | share of entry -> %s |\n", endName)
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: |")
	for _, p := range g.phases {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", p.name,
			ms(p.times.Median, 3), ms(p.times.Min, 3), ms(p.times.Max, 3), share(p.times.Median, total.Median))
	}
}

// share formats part/total as a percentage, "n/a" without a total.
func share(part, total time.Duration) string {
	if total <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(part)/float64(total))
}
