package main

import (
	"testing"
	"time"
)

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
