package main

import (
	"time"
)

// benchmark is one timed operation. setup and teardown run outside the
// clock; op performs the operation n times.
type benchmark struct {
	name     string
	setup    func() error // may be nil
	op       func(n int) error
	teardown func() error // may be nil; runs also after a failure
	// fixed, when not 0, is the only iteration count: op runs once with
	// it, however long that takes (the sequential transfers).
	fixed int
}

// result is a timed run: n iterations in elapsed.
type result struct {
	n       int
	elapsed time.Duration
}

// maxIterations bounds the iteration count, as testing.B does.
const maxIterations = 1_000_000_000

// run times b: like testing.B, it runs op with a growing iteration
// count, predicted from the previous run, until a run lasts at least
// benchtime, and returns that run. The shorter runs before it warm the
// caches and the file system up.
func (b benchmark) run(benchtime time.Duration) (r result, err error) {
	if b.setup != nil {
		if err := b.setup(); err != nil {
			return result{}, err
		}
	}
	if b.teardown != nil {
		defer func() {
			if tErr := b.teardown(); err == nil {
				err = tErr
			}
		}()
	}
	if b.fixed > 0 {
		return timed(b.op, b.fixed)
	}
	n := 1
	for {
		r, err := timed(b.op, n)
		if err != nil || r.elapsed >= benchtime || n >= maxIterations {
			return r, err
		}
		n = nextN(n, r.elapsed, benchtime)
	}
}

// timed runs op(n) between two readings of the clock.
func timed(op func(int) error, n int) (result, error) {
	start := time.Now()
	err := op(n)
	return result{n: n, elapsed: time.Since(start)}, err
}

// nextN predicts the iteration count that lasts benchtime from n
// iterations that lasted elapsed, with 20% to spare, growing at least by
// one and at most a hundredfold per step.
func nextN(n int, elapsed, benchtime time.Duration) int {
	next := 100 * n
	if elapsed > 0 {
		next = int(float64(n) * 1.2 * float64(benchtime) / float64(elapsed))
	}
	next = max(min(next, 100*n), n+1)
	return min(next, maxIterations)
}
