package main

import (
	"time"
)

// ratio returns a/b, or 0 when either is missing (zero).
func ratio(a, b time.Duration) float64 {
	if a == 0 || b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
