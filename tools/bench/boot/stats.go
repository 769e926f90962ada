package main

import (
	"slices"
	"time"
)

// summary is what the table shows of one series of measurements.
type summary struct {
	n                int
	median, min, max time.Duration
}

// summarize returns the median, minimum and maximum of ds; the median of
// an even number of values is the mean of the middle two. It does not
// change ds. An empty series gives the zero summary.
func summarize(ds []time.Duration) summary {
	if len(ds) == 0 {
		return summary{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	median := s[n/2]
	if n%2 == 0 {
		median = s[n/2-1] + (s[n/2]-s[n/2-1])/2
	}
	return summary{n: n, median: median, min: s[0], max: s[n-1]}
}

// ratio returns a/b, or 0 when either is missing (zero).
func ratio(a, b time.Duration) float64 {
	if a == 0 || b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
