// Package console shortens what guests and host tools print for a
// benchmark's progress lines, reports and errors: the first line of an
// error, the end of a console, and an error with both ends of a failed
// QEMU run attached.
//
// Host only: never linked into an image.
package console

import (
	"fmt"
	"strings"
)

// FirstLine returns s up to its first newline.
func FirstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// OneLine returns the first line of s with its runs of white space
// folded into single spaces: fit for a table cell or a list item.
func OneLine(s string) string {
	return strings.Join(strings.Fields(FirstLine(s)), " ")
}

// Tail returns the last n bytes of s without its surrounding white
// space, marked with "…" when that cut anything off.
func Tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return s
}

// WithEnds returns err with the last consoleMax bytes of what the guest
// printed and the last stderrMax bytes of QEMU's stderr: where a failed
// boot shows why.
func WithEnds(err error, console string, consoleMax int, stderr string, stderrMax int) error {
	return fmt.Errorf("%w\n--- console (end) ---\n%s\n--- QEMU stderr (end) ---\n%s", err, Tail(console, consoleMax), Tail(stderr, stderrMax))
}
