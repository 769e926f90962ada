package main

import "testing"

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
