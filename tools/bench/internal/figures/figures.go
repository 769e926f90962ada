// Package figures computes and formats the numbers the benchmark reports
// show: medians, a series' median, minimum and maximum, times with a
// unit, and the order in which guests take turns.
//
// Host only: never linked into an image.
package figures

import (
	"fmt"
	"slices"
	"time"
)

// Median returns the median of xs (the mean of the middle two for an
// even count), 0 for none. It does not change xs.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	xs = slices.Clone(xs)
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// Summary is what a table shows of one series of measured durations.
type Summary struct {
	N                int
	Median, Min, Max time.Duration
}

// Summarize returns the median, minimum and maximum of ds; the median of
// an even number of values is the mean of the middle two, in whole
// nanoseconds. It does not change ds. An empty series gives the zero
// Summary.
func Summarize(ds []time.Duration) Summary {
	if len(ds) == 0 {
		return Summary{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	median := s[n/2]
	if n%2 == 0 {
		median = s[n/2-1] + (s[n/2]-s[n/2-1])/2
	}
	return Summary{N: n, Median: median, Min: s[0], Max: s[n-1]}
}

// FormatNs formats a time in nanoseconds with a unit that keeps three
// significant digits: "812 ns", "12.3 µs", "1.25 ms", "2.10 s".
func FormatNs(ns float64) string {
	units := []struct {
		name  string
		scale float64
	}{{"s", 1e9}, {"ms", 1e6}, {"µs", 1e3}, {"ns", 1}}
	for _, u := range units {
		if ns >= u.scale || u.scale == 1 {
			return significant(ns/u.scale) + " " + u.name
		}
	}
	panic("unreachable")
}

// significant formats v with three significant digits (no exponent).
func significant(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// Interleaved returns the order in which guests take their turn in
// round (counted from 1): as given in odd rounds, reversed in even ones,
// so that a slow drift of the host does not favour one of them. It does
// not change guests.
func Interleaved[G any](guests []G, round int) []G {
	order := slices.Clone(guests)
	if round%2 == 0 {
		slices.Reverse(order)
	}
	return order
}
