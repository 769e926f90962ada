package main

import (
	"fmt"
	"io"
	"time"
)

// The M10 targets for coracle's first HTTP 200: at most this much above
// the QEMU floor's median, and at least this many times sooner than
// Linux's in the same run.
const (
	first200OverFloor = 60 * time.Millisecond
	first200VsLinux   = 20.0
)

// first200Figures is one first-200 row's figures beyond its own times.
type first200Figures struct {
	row
	overFloor time.Duration // median - the floor's median; 0 without a floor
	hasFloor  bool
	// linuxOver is Linux's first-200 median over this row's: how many
	// times sooner it answers (0 without Linux).
	linuxOver float64
}

// first200Rows returns the first-200 rows with their figures.
func (r report) first200Rows() []first200Figures {
	floor, linux := r.median(floorBaseline), r.median(linuxHTTPBaseline)
	var out []first200Figures
	for _, x := range r.rows {
		if !x.first200 {
			continue
		}
		f := first200Figures{row: x}
		if x.missing == "" {
			if floor > 0 {
				f.overFloor, f.hasFloor = x.times.Median-floor, true
			}
			f.linuxOver = ratio(linux, x.times.Median)
		}
		out = append(out, f)
	}
	return out
}

// writeFirst200 prints the first-200 table, if there are such rows, and
// how coracle's row compares with its targets.
func (r report) writeFirst200(w io.Writer) {
	rows := r.first200Rows()
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w, "exec of QEMU -> first complete HTTP/1.1 200 to GET / (examples/httpd, static address, QEMU user networking):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| system | median ms | min ms | max ms | median - floor ms | Linux / this |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: |")
	for _, x := range rows {
		if x.missing != "" {
			fmt.Fprintf(w, "| %s | %s | | | | |\n", x.system, x.missing)
			continue
		}
		over := "n/a"
		if x.hasFloor {
			over = ms(x.overFloor, 1)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", x.system,
			ms(x.times.Median, 1), ms(x.times.Min, 1), ms(x.times.Max, 1), over, times(x.linuxOver))
	}
	fmt.Fprintln(w)
	for _, x := range rows {
		if x.missing != "" || x.baseline == linuxHTTPBaseline {
			continue
		}
		fmt.Fprintf(w, "%s, targets (M10): at most floor + %s ms: %s; at least %.0f times sooner than Linux: %s.\n",
			x.system, ms(first200OverFloor, 0), verdict(x.hasFloor, x.overFloor <= first200OverFloor),
			first200VsLinux, verdict(x.linuxOver > 0, x.linuxOver >= first200VsLinux))
	}
	fmt.Fprintln(w)
}

// verdict says whether a target is met, or that it cannot be told.
func verdict(known, met bool) string {
	switch {
	case !known:
		return "n/a"
	case met:
		return "met"
	}
	return "missed"
}
