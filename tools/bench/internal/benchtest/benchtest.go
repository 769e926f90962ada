// Package benchtest holds what the benchmarks' host tests share:
// checking that a report holds the lines it should.
//
// Host only: imported by tests, never linked into an image.
package benchtest

import (
	"strings"
	"testing"
)

// Contains reports an error on t for each of wants that text (what
// names it in the message, e.g. "report") does not contain, with text
// in full so that the failure shows what came instead.
func Contains(t testing.TB, what, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %q:\n%s", what, want, text)
		}
	}
}
