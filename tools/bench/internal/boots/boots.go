// Package boots holds a guest's boots in a benchmark that boots each
// guest several times and reports medians (tools/bench/disk,
// tools/bench/files, tools/bench/smp): a boot read into its figures or
// why there are none, their median, each boot's figure for a table, and
// the failed boots for the report's problems.
//
// Host only: never linked into an image.
package boots

import (
	"fmt"
	"strings"

	"github.com/coracle-os/coracle/tools/bench/internal/console"
	"github.com/coracle-os/coracle/tools/bench/internal/figures"
)

// Result is one boot of a guest: its sample (what the guest reported),
// or why there is none.
type Result[S any] struct {
	Boot   int // counted from 1
	Sample S
	Err    error
}

// Series is a guest's boots, in boot order.
type Series[S any] []Result[S]

// Value reads one figure out of a sample, reporting whether it has it.
type Value[S any] func(s S) (float64, bool)

// Values returns value of each boot without error that has it, in boot
// order.
func (bs Series[S]) Values(value Value[S]) []float64 {
	var xs []float64
	for _, b := range bs {
		if v, ok := value(b.Sample); ok && b.Err == nil {
			xs = append(xs, v)
		}
	}
	return xs
}

// Median is the median of value over the boots without error that have
// it; 0 for none.
func (bs Series[S]) Median(value Value[S]) float64 {
	return figures.Median(bs.Values(value))
}

// Text lists value boot by boot, formatted with format, "failed" for a
// boot without it; "—" without boots.
func (bs Series[S]) Text(value Value[S], format func(float64) string) string {
	if len(bs) == 0 {
		return "—"
	}
	var parts []string
	for _, b := range bs {
		if v, ok := value(b.Sample); ok && b.Err == nil {
			parts = append(parts, format(v))
		} else {
			parts = append(parts, "failed")
		}
	}
	return strings.Join(parts, ", ")
}

// Measured reports whether at least one boot has figures.
func (bs Series[S]) Measured() bool {
	for _, b := range bs {
		if b.Err == nil {
			return true
		}
	}
	return false
}

// Problems lists the failed boots for a report, one line each: "who,
// boot N: " and the first line of the error.
func (bs Series[S]) Problems(who string) []string {
	var ps []string
	for _, b := range bs {
		if b.Err != nil {
			ps = append(ps, fmt.Sprintf("%s, boot %d: %s", who, b.Boot, console.OneLine(b.Err.Error())))
		}
	}
	return ps
}
