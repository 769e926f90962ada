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
	ran := make(chan struct{})
	c.AfterFunc(time.Millisecond, func() { close(ran) })
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Fatal("AfterFunc's function did not run")
	}

	stopped := c.AfterFunc(time.Hour, func() { t.Error("stopped timer fired") })
	if !stopped.Stop() {
		t.Fatal("Stop of a pending timer reported it had fired")
	}
}
