//go:build !amd64

package main

// rdtsc is not available: hostTSCkHz returns 0 before calling it.
func rdtsc() uint64 { return 0 }
