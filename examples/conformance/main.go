// Conformance checks, from inside a coracle guest, that the Go runtime
// and standard library see the Linux they expect: CPU count, clocks,
// sleeps, many goroutines, the garbage collector in a small VM, the
// arguments and environment from `coracle run`, the user and groups
// (root, no supplementary groups), and exit statuses.
//
// Usage (arguments after `coracle run IMAGE --`):
//
//	conformance all [ARG...]   run every check; ARGs must come back in os.Args;
//	                           CONFORMANCE_ENV must be "hello world"
//	conformance exit3          exit with status 3
//	conformance panic          panic("x"): Go prints the panic and exits 2
//
// Each check prints "PASS name: detail" or "FAIL name: detail"; all
// exits 0 only if every check passed.
package main

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: conformance all [ARG...] | exit3 | panic")
		os.Exit(64)
	}
	switch os.Args[1] {
	case "exit3":
		os.Exit(3)
	case "panic":
		panic("x")
	case "all":
	default:
		fmt.Fprintf(os.Stderr, "conformance: unknown mode %q\n", os.Args[1])
		os.Exit(64)
	}
	checks := []struct {
		name string
		run  func() (string, bool)
	}{
		{"cpus", cpus},
		{"monotonic", monotonic},
		{"walltime", walltime},
		{"sleep", sleep},
		{"goroutines", goroutines},
		{"gc", gc},
		{"args", args},
		{"env", env},
		{"ids", ids},
	}
	failed := 0
	for _, c := range checks {
		detail, ok := c.run()
		verdict := "PASS"
		if !ok {
			verdict = "FAIL"
			failed++
		}
		fmt.Printf("%s %s: %s\n", verdict, c.name, detail)
	}
	if failed > 0 {
		fmt.Printf("%d of %d checks failed\n", failed, len(checks))
		os.Exit(1)
	}
	fmt.Printf("all %d checks passed\n", len(checks))
}

func cpus() (string, bool) {
	n, procs := runtime.NumCPU(), runtime.GOMAXPROCS(0)
	return fmt.Sprintf("NumCPU %d, GOMAXPROCS %d", n, procs), n >= 1 && procs == n
}

func monotonic() (string, bool) {
	start := time.Now()
	prev := start
	for range 100_000 {
		now := time.Now()
		if now.Before(prev) {
			return fmt.Sprintf("time went backwards: %v after %v", now, prev), false
		}
		prev = now
	}
	return fmt.Sprintf("100000 readings in order over %v", prev.Sub(start)), prev.After(start)
}

func walltime() (string, bool) {
	now := time.Now().UTC()
	return now.Format(time.RFC3339), now.Year() >= 2025
}

func sleep() (string, bool) {
	start := time.Now()
	time.Sleep(50 * time.Millisecond)
	d := time.Since(start)
	// Not early, and over well before a broken timer would end it: how
	// close to 50 ms it ends depends on the host's load, which is for
	// benchmarks to measure.
	return fmt.Sprintf("50ms sleep took %v", d.Round(time.Microsecond)), d >= 50*time.Millisecond && d <= 2*time.Second
}

func goroutines() (string, bool) {
	const n = 10_000
	var wg sync.WaitGroup
	var done atomic.Int64
	release := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-release
			done.Add(1)
		}()
	}
	peak := runtime.NumGoroutine()
	close(release)
	wg.Wait()
	return fmt.Sprintf("%d goroutines alive at once, %d finished", peak, done.Load()), peak > n && done.Load() == n
}

// gc allocates far more than the VM's memory (run with -m 64) in
// short-lived blocks: only a working collector returns it in time.
func gc() (string, bool) {
	const total, block = 512 << 20, 256 << 10
	var live [][]byte
	for allocated := 0; allocated < total; allocated += block {
		b := make([]byte, block)
		b[len(b)-1] = 1
		live = append(live, b)
		if len(live) > 16 {
			live = live[1:]
		}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return fmt.Sprintf("allocated %d MiB, %d collections, heap %d MiB", total>>20, ms.NumGC, ms.HeapAlloc>>20),
		ms.NumGC > 0 && ms.HeapAlloc < 32<<20
}

func args() (string, bool) {
	want := []string{"one", "two words", `"quoted"`, "", "ünïcode"}
	got := os.Args[2:]
	return fmt.Sprintf("os.Args[0] = %q, os.Args[2:] = %q", os.Args[0], got),
		slices.Equal(got, want) && os.Args[0] == "conformance"
}

func env() (string, bool) {
	v, ok := os.LookupEnv("CONFORMANCE_ENV")
	return fmt.Sprintf("CONFORMANCE_ENV=%q (set %v)", v, ok), v == "hello world"
}

func ids() (string, bool) {
	groups, err := os.Getgroups()
	return fmt.Sprintf("uid %d, gid %d, groups %v (err %v)", os.Getuid(), os.Getgid(), groups, err),
		os.Getuid() == 0 && os.Getgid() == 0 && err == nil && len(groups) == 0
}
