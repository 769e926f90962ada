package figures

import (
	"slices"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		xs   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		in := slices.Clone(c.xs)
		if got := Median(c.xs); got != c.want {
			t.Errorf("Median(%v) = %v, want %v", in, got, c.want)
		}
		if !slices.Equal(in, c.xs) {
			t.Errorf("Median reordered its argument: %v", c.xs)
		}
	}
}

func TestSummarize(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		in   []time.Duration
		want Summary
	}{
		{"empty", nil, Summary{}},
		{"one", []time.Duration{5 * ms}, Summary{1, 5 * ms, 5 * ms, 5 * ms}},
		{"odd, unsorted", []time.Duration{9 * ms, 1 * ms, 4 * ms}, Summary{3, 4 * ms, 1 * ms, 9 * ms}},
		{"even: mean of the middle two", []time.Duration{40 * ms, 10 * ms, 20 * ms, 30 * ms}, Summary{4, 25 * ms, 10 * ms, 40 * ms}},
		{"outlier does not move the median", []time.Duration{3 * ms, 2 * ms, 1000 * ms, 2 * ms, 3 * ms}, Summary{5, 3 * ms, 2 * ms, 1000 * ms}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.in)
			if got := Summarize(tt.in); got != tt.want {
				t.Errorf("Summarize(%v) = %+v, want %+v", tt.in, got, tt.want)
			}
			if !slices.Equal(in, tt.in) {
				t.Fatalf("Summarize reordered its argument: %v, was %v", tt.in, in)
			}
		})
	}
}

func TestFormatNs(t *testing.T) {
	for _, c := range []struct {
		ns   float64
		want string
	}{
		{0.5, "0.50 ns"},
		{812, "812 ns"},
		{1000, "1.00 µs"},
		{12345, "12.3 µs"},
		{1_254_000, "1.25 ms"},
		{527_000, "527 µs"},
		{2_100_000_000, "2.10 s"},
	} {
		if got := FormatNs(c.ns); got != c.want {
			t.Errorf("FormatNs(%v) = %q, want %q", c.ns, got, c.want)
		}
	}
}

func TestInterleaved(t *testing.T) {
	guests := []string{"coracle", "Linux"}
	if got := Interleaved(guests, 1); !slices.Equal(got, []string{"coracle", "Linux"}) {
		t.Errorf("round 1: %v", got)
	}
	if got := Interleaved(guests, 2); !slices.Equal(got, []string{"Linux", "coracle"}) {
		t.Errorf("round 2: %v", got)
	}
	if guests[0] != "coracle" {
		t.Error("Interleaved reordered its argument")
	}
}
