package sysgo

import (
	"sync"
	"testing"
)

// deep recurses n frames of about 200 bytes, the depth of a segment sent
// through netstack, and returns n.
//
//go:noinline
func deep(n int) int {
	var pad [160]byte
	pad[n%len(pad)] = 1
	if n == 0 {
		return 0
	}
	return deep(n-1) + int(pad[n%len(pad)])
}

func TestGoDeepRuns(t *testing.T) {
	const n = 100
	results := make(chan int, n)
	for i := range n {
		GoDeep(func() { results <- deep(i) })
	}
	sum := 0
	for range n {
		sum += <-results
	}
	if want := n * (n - 1) / 2; sum != want {
		t.Errorf("sum of results = %d, want %d", sum, want)
	}
}

// BenchmarkDeepGoroutine starts goroutines that each make one 10 KiB
// deep call: with Go the stack grows 2 -> 4 -> 8 -> 16 KiB, copying the
// frames each time; with GoDeep it is copied once, nearly empty.
func BenchmarkDeepGoroutine(b *testing.B) {
	for _, start := range []struct {
		name string
		goFn func(func())
	}{{"Go", Go}, {"GoDeep", GoDeep}} {
		b.Run(start.name, func(b *testing.B) {
			var wg sync.WaitGroup
			for range b.N {
				wg.Add(1)
				start.goFn(func() {
					deep(50)
					wg.Done()
				})
				wg.Wait()
			}
		})
	}
}
