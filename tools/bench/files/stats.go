package main

import (
	"fmt"
	"slices"
)

// median returns the median of xs (the mean of the middle two for an
// even count), 0 for none.
func median(xs []float64) float64 {
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

// formatNs formats a time in nanoseconds with a unit that keeps three
// significant digits: "812 ns", "12.3 µs", "1.25 ms", "2.10 s".
func formatNs(ns float64) string {
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

// ratio formats a/b, "n/a" when either is 0.
func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", a/b)
}
