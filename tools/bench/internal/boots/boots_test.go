package boots

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

// sample is a boot's figures for the tests: a name's value.
type sample map[string]float64

func valueOf(name string) Value[sample] {
	return func(s sample) (float64, bool) {
		v, ok := s[name]
		return v, ok
	}
}

func format(v float64) string { return fmt.Sprintf("%.0f", v) }

var series = Series[sample]{
	{Boot: 1, Sample: sample{"a": 3, "b": 1}},
	{Boot: 2, Sample: sample{"a": 100}, Err: errors.New("no figures for b\nsecond line")},
	{Boot: 3, Sample: sample{"a": 1}},
	{Boot: 4, Sample: sample{"a": 2, "b": 5}},
}

// A failed boot's figures count nowhere; a boot without a figure is
// left out of its median.
func TestMedian(t *testing.T) {
	if got := series.Median(valueOf("a")); got != 2 {
		t.Errorf("median of a = %v, want 2", got)
	}
	if got := series.Median(valueOf("b")); got != 3 {
		t.Errorf("median of b = %v, want 3", got)
	}
	if got := series.Median(valueOf("c")); got != 0 {
		t.Errorf("median of c = %v, want 0", got)
	}
}

// Values keeps boot order and leaves out failed boots and boots without
// the figure.
func TestValues(t *testing.T) {
	if got := series.Values(valueOf("a")); !slices.Equal(got, []float64{3, 1, 2}) {
		t.Errorf("values of a = %v, want [3 1 2]", got)
	}
	if got := series.Values(valueOf("b")); !slices.Equal(got, []float64{1, 5}) {
		t.Errorf("values of b = %v, want [1 5]", got)
	}
}

func TestText(t *testing.T) {
	if got := series.Text(valueOf("b"), format); got != "1, failed, failed, 5" {
		t.Errorf("Text = %q", got)
	}
	if got := (Series[sample]{}).Text(valueOf("b"), format); got != "—" {
		t.Errorf("Text without boots = %q", got)
	}
}

func TestMeasured(t *testing.T) {
	if !series.Measured() {
		t.Error("not measured with three good boots")
	}
	failed := Series[sample]{{Boot: 1, Err: errors.New("boom")}}
	if failed.Measured() || (Series[sample]{}).Measured() {
		t.Error("measured without a good boot")
	}
}

func TestProblems(t *testing.T) {
	if got, want := series.Problems("coracle (tmpfs)"), []string{"coracle (tmpfs), boot 2: no figures for b"}; !slices.Equal(got, want) {
		t.Errorf("Problems = %q, want %q", got, want)
	}
}
