package kernel

import "testing"

const ms = int64(1_000_000)

// A clock that runs without a pause ticks every interval, and ticks
// that fell due together (a CPU that ran long in the kernel) count once.
func TestProfClockTicksByInterval(t *testing.T) {
	var p profClock
	p.set(0, 10*ms)
	for _, c := range []struct {
		now  int64
		want bool
	}{{5 * ms, false}, {10 * ms, true}, {15 * ms, false}, {20 * ms, true}, {55 * ms, true}, {60 * ms, false}, {65 * ms, true}} {
		if got := p.tick(c.now, 10*ms); got != c.want {
			t.Errorf("tick at %d ms = %v, want %v", c.now/ms, got, c.want)
		}
	}
}

// Idle time does not count: a CPU busy 1 ms of every 5 takes a tick per
// 10 ms of its busy time, one per 50 ms of wall time.
func TestProfClockStopsWhileIdle(t *testing.T) {
	var p profClock
	p.set(0, 10*ms)
	ticks := 0
	for cycle := range int64(100) { // 500 ms
		start := cycle * 5 * ms
		for now := start; now <= start+ms; now += ms / 4 {
			if p.tick(now, 10*ms) {
				ticks++
			}
		}
		p.pause(start + ms)
		if p.tick(start+3*ms, 10*ms) {
			t.Fatal("a paused clock ticked")
		}
		p.resume(start + 5*ms)
	}
	if ticks < 9 || ticks > 11 {
		t.Errorf("%d ticks in 100 ms of busy time spread over 500 ms, want 10", ticks)
	}
}

// What getitimer reports, running and paused, and a clock set while its
// CPU idles starts when the CPU runs again.
func TestProfClockRemaining(t *testing.T) {
	var p profClock
	if r := p.remaining(0); r != 0 {
		t.Errorf("off: remaining %d, want 0", r)
	}
	p.pause(0)
	p.set(1*ms, 10*ms)
	if r := p.remaining(50 * ms); r != 10*ms {
		t.Errorf("set while paused: remaining %d, want %d", r, 10*ms)
	}
	p.resume(100 * ms)
	if p.tick(109*ms, 10*ms) || !p.tick(110*ms, 10*ms) {
		t.Error("a clock set while paused did not start when resumed")
	}
	if r := p.remaining(113 * ms); r != 7*ms {
		t.Errorf("running: remaining %d, want %d", r, 7*ms)
	}
	if r := p.remaining(200 * ms); r != 1000 {
		t.Errorf("overdue: remaining %d, want 1000 (still running)", r)
	}
	p.set(0, 0)
	if r := p.remaining(0); r != 0 || p.tick(300*ms, 10*ms) {
		t.Errorf("stopped: remaining %d, or it ticked", r)
	}
}

// A one-shot timer (interval 0) ticks once.
func TestProfClockOneShot(t *testing.T) {
	var p profClock
	p.set(0, 3*ms)
	if !p.tick(3*ms, 0) || p.tick(10*ms, 0) || p.remaining(10*ms) != 0 {
		t.Error("a one-shot timer did not tick exactly once")
	}
}
