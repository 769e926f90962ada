package main

import (
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		in   []time.Duration
		want summary
	}{
		{"empty", nil, summary{}},
		{"one", []time.Duration{5 * ms}, summary{1, 5 * ms, 5 * ms, 5 * ms}},
		{"odd, unsorted", []time.Duration{9 * ms, 1 * ms, 4 * ms}, summary{3, 4 * ms, 1 * ms, 9 * ms}},
		{"even: mean of the middle two", []time.Duration{40 * ms, 10 * ms, 20 * ms, 30 * ms}, summary{4, 25 * ms, 10 * ms, 40 * ms}},
		{"outlier does not move the median", []time.Duration{3 * ms, 2 * ms, 1000 * ms, 2 * ms, 3 * ms}, summary{5, 3 * ms, 2 * ms, 1000 * ms}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]time.Duration(nil), tt.in...)
			if got := summarize(tt.in); got != tt.want {
				t.Errorf("summarize(%v) = %+v, want %+v", tt.in, got, tt.want)
			}
			for i := range in {
				if in[i] != tt.in[i] {
					t.Fatalf("summarize reordered its argument: %v, was %v", tt.in, in)
				}
			}
		})
	}
}

func TestRatio(t *testing.T) {
	if got := ratio(30*time.Millisecond, 10*time.Millisecond); got != 3 {
		t.Errorf("ratio(30ms, 10ms) = %v, want 3", got)
	}
	if got := ratio(30*time.Millisecond, 0); got != 0 {
		t.Errorf("ratio against a missing baseline = %v, want 0", got)
	}
	if got := ratio(0, 10*time.Millisecond); got != 0 {
		t.Errorf("ratio of a missing series = %v, want 0", got)
	}
}
