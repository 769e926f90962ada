package main

import (
	"errors"
	"os"
	"testing"
	"time"
)

func TestNextN(t *testing.T) {
	for _, c := range []struct {
		n                  int
		elapsed, benchtime time.Duration
		want               int
	}{
		{1, 0, time.Second, 100},                                   // no time measured: the most growth
		{1, time.Millisecond, time.Second, 100},                    // capped at 100x
		{100, 10 * time.Millisecond, 100 * time.Millisecond, 1200}, // 10x, with 20% to spare
		{5, time.Second, time.Millisecond, 6},                      // at least one more
		{maxIterations, time.Nanosecond, time.Hour, maxIterations},
	} {
		if got := nextN(c.n, c.elapsed, c.benchtime); got != c.want {
			t.Errorf("nextN(%d, %v, %v) = %d, want %d", c.n, c.elapsed, c.benchtime, got, c.want)
		}
	}
}

// run grows the count until a run lasts benchtime, calls setup and
// teardown once each, and passes op's and teardown's errors on.
func TestRun(t *testing.T) {
	setups, teardowns, total := 0, 0, 0
	b := benchmark{
		setup:    func() error { setups++; return nil },
		op:       func(n int) error { total += n; time.Sleep(time.Duration(n) * 10 * time.Microsecond); return nil },
		teardown: func() error { teardowns++; return nil },
	}
	r, err := b.run(20 * time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if r.elapsed < 20*time.Millisecond || r.n < 2 || setups != 1 || teardowns != 1 || total <= r.n {
		t.Errorf("result %+v, %d setups, %d teardowns, %d iterations in all", r, setups, teardowns, total)
	}

	boom := errors.New("boom")
	b = benchmark{op: func(int) error { return boom }, teardown: func() error { teardowns++; return nil }}
	if _, err := b.run(time.Second); err != boom || teardowns != 2 {
		t.Errorf("op error: %v, teardowns %d", err, teardowns)
	}
	b = benchmark{op: func(int) error { return nil }, teardown: func() error { return boom }, fixed: 3}
	if r, err := b.run(time.Hour); err != boom || r.n != 3 {
		t.Errorf("fixed run with teardown error: %+v, %v", r, err)
	}
}

func TestCountDirents(t *testing.T) {
	// Three records of 24, 32 and 24 bytes, then a torn one: 30 bytes
	// long, 20 of them there.
	b := make([]byte, 24+32+24+20)
	for _, off := range []struct{ at, len int }{{0, 24}, {24, 32}, {56, 24}, {80, 30}} {
		b[off.at+16] = byte(off.len)
	}
	if got := countDirents(b); got != 3 {
		t.Errorf("countDirents = %d, want 3", got)
	}
}

// Every benchmark runs and cleans up after itself on the host's file
// system, in a short version.
func TestBenchmarksOnHost(t *testing.T) {
	dir := t.TempDir()
	for _, b := range benchmarks(dir, 2) {
		if _, err := b.run(time.Millisecond); err != nil {
			t.Errorf("%s: %v", b.name, err)
		}
	}
	left, err := os.ReadDir(dir)
	if err != nil || len(left) != 0 {
		t.Errorf("left in the directory: %v, %v", left, err)
	}
}
