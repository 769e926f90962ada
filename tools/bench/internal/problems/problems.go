// Package problems is how a benchmark reports what went wrong: the
// report's list of problems, and the error that fails the run when a
// guest failed.
//
// Host only: never linked into an image.
package problems

import (
	"fmt"
	"io"
	"strings"
)

// Write prints the report's "Problems:" section, after an empty line,
// one item a problem; nothing without problems.
func Write(w io.Writer, problems []string) {
	if len(problems) == 0 {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Problems:")
	for _, p := range problems {
		fmt.Fprintf(w, "  - %s\n", p)
	}
}

// Failed is the run's error when the guests named failed (the report
// and the progress lines said how), nil when none did.
func Failed(guests []string) error {
	if len(guests) == 0 {
		return nil
	}
	return fmt.Errorf("%s failed (see above and the messages before)", strings.Join(guests, " and "))
}
