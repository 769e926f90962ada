package main

import (
	"fmt"
)

// ratio formats a/b, "n/a" when either is 0.
func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", a/b)
}
