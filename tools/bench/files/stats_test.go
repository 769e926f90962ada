package main

import "testing"

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
		in := append([]float64(nil), c.xs...)
		if got := median(c.xs); got != c.want {
			t.Errorf("median(%v) = %v, want %v", in, got, c.want)
		}
		for i := range in {
			if in[i] != c.xs[i] {
				t.Errorf("median reordered its argument: %v", c.xs)
			}
		}
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
		if got := formatNs(c.ns); got != c.want {
			t.Errorf("formatNs(%v) = %q, want %q", c.ns, got, c.want)
		}
	}
}

func TestRatio(t *testing.T) {
	if got := ratio(1, 4); got != "0.25" {
		t.Errorf("ratio(1, 4) = %q", got)
	}
	if got := ratio(3, 0); got != "n/a" {
		t.Errorf("ratio(3, 0) = %q", got)
	}
	if got := ratio(0, 3); got != "n/a" {
		t.Errorf("ratio(0, 3) = %q", got)
	}
}
