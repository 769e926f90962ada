package stack

import (
	"testing"
	"time"
)

func TestClockMonotonicAdvances(t *testing.T) {
	var c clock
	a := c.NowMonotonic()
	time.Sleep(5 * time.Millisecond)
	b := c.NowMonotonic()
	if d := b.Sub(a); d < 5*time.Millisecond || d > 5*time.Second {
		t.Fatalf("NowMonotonic advanced %v across a 5ms sleep", d)
	}
}

func TestClockAfterFuncRunsAndStops(t *testing.T) {
	var c clock
	ran := make(chan int, 1)
	c.AfterFunc(time.Millisecond, func() { ran <- deepCall(200) })
	select {
	case got := <-ran:
		if got != 200 {
			t.Fatalf("timer function returned %d, want 200", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("AfterFunc's function did not run")
	}

	stopped := c.AfterFunc(time.Hour, func() { t.Error("stopped timer fired") })
	if !stopped.Stop() {
		t.Fatal("Stop of a pending timer reported it had fired")
	}
}

// deepCall recurses n frames deep, as a segment's send path does.
//
//go:noinline
func deepCall(n int) int {
	var pad [64]byte
	pad[n%64] = 1
	if n == 0 {
		return 0
	}
	return deepCall(n-1) + int(pad[n%64])
}
