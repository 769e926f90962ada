// Package goroutines prints what a program can see of the goroutines in
// it: runtime.NumGoroutine and the goroutine profile. In a coracle guest
// that must be what the same program sees natively on Linux, however
// many goroutines coracle's own services run (kernel/sysgo).
//
// Host and guest: the probes that use it are built both as native Linux
// programs and as coracle images; nothing here runs in the kernel.
package goroutines

import (
	"bytes"
	"runtime"
	"runtime/pprof"
	"strings"

	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"
)

// Count prints "prefix: goroutines at WHEN: N". It yields first, so that
// a goroutine that is only passing through (a timer's function, started by
// time.AfterFunc, that is ready to run) has ended before it counts.
func Count(p probe.P, when string) {
	settle()
	p.Printf("goroutines at %s: %d", when, runtime.NumGoroutine())
}

// Profile prints the goroutine profile (debug=1) as lines that do not
// depend on addresses or file paths: "profile: total N", then for each
// stack "profile: stack of C" and one "profile: frame F" a function,
// innermost first.
func Profile(p probe.P) {
	settle()
	var b bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&b, 1); err != nil {
		p.Fail("goroutine profile: %v", err)
	}
	for _, line := range strings.Split(b.String(), "\n") {
		switch {
		case strings.HasPrefix(line, "goroutine profile: "):
			p.Printf("profile: %s", strings.TrimPrefix(line, "goroutine profile: "))
		case strings.HasPrefix(line, "#\t"):
			// #	0x4a1b2c	main.main+0x45	/path/main.go:12
			f := strings.Split(line, "\t")
			if len(f) >= 3 {
				name, _, _ := strings.Cut(f[2], "+0x")
				p.Printf("profile: frame %s", name)
			}
		case strings.Contains(line, " @ 0x"):
			// 1 @ 0x4a1b2c 0x...: how many goroutines have this stack
			count, _, _ := strings.Cut(line, " @ ")
			p.Printf("profile: stack of %s", count)
		}
	}
}

// settle lets the goroutines that are ready to run have the CPU.
func settle() {
	for range 3 {
		runtime.Gosched()
	}
}

// Crash starts a goroutine of the program's own that waits forever and
// panics, so that the traceback shows the goroutines GOTRACEBACK lets it
// show: this one always (with all or system), coracle's services only
// with system.
func Crash(p probe.P) {
	started := make(chan struct{})
	go programWaiter(started)
	<-started
	p.Printf("crashing")
	panic("goroutines: crash")
}

// programWaiter is the program's goroutine that Crash's traceback must
// show; its name is what the test looks for.
func programWaiter(started chan<- struct{}) {
	close(started)
	select {}
}
