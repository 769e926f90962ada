package benchtest

import (
	"fmt"
	"testing"
)

// recorder is a testing.TB that keeps its errors.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestContains(t *testing.T) {
	r := &recorder{TB: t}
	Contains(r, "report", "| a | 1 |\n| b | 2 |\n", "| a | 1 |", "| c |", "| b | 2 |\n", "| d |")
	want := []string{"report lacks \"| c |\":\n| a | 1 |\n| b | 2 |\n", "report lacks \"| d |\":\n| a | 1 |\n| b | 2 |\n"}
	if fmt.Sprint(r.errors) != fmt.Sprint(want) {
		t.Errorf("errors %q, want %q", r.errors, want)
	}
}
