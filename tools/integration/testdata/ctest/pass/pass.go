// Package pass has tests that pass under go test and under coracle test:
// they read testdata/, write to t.TempDir, read the caller's environment
// and the working directory, and a benchmark.
package pass

// Sum returns 0 + 1 + ... + n-1.
func Sum(n int) int {
	s := 0
	for i := range n {
		s += i
	}
	return s
}
