//go:build !amd64

package hosttsc

// rdtsc is not available: HostKHz returns 0 before calling it.
func rdtsc() uint64 { return 0 }
