// Command profprobe takes CPU profiles of itself (runtime/pprof, which
// asks the kernel for SIGPROF with setitimer(ITIMER_PROF)) and prints
// each, base64-encoded, for the test to read with go tool pprof:
//
//   - "duty": one goroutine busy 1 ms and then asleep 4 ms, over and
//     over for -seconds (about a fifth of one CPU's time; the line
//     "profprobe: duty busy MS" gives the milliseconds it spun);
//   - "parallel": GOMAXPROCS goroutines busy for -seconds (every CPU's
//     time).
//
// A profile's samples count CPU time, the program's on every CPU, as on
// Linux: the first should come to about the time spun, the second to
// about GOMAXPROCS times its duration.
//
// Output lines: "profprobe: NAME BASE64" for each profile, then
// "profprobe: done".
package main

import (
	"bytes"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

// sink keeps the busy loops from being optimised away.
var sink uint64

// spin keeps the calling goroutine on its CPU until d has passed.
func spin(d time.Duration) {
	end := time.Now().Add(d)
	var x uint64
	for time.Now().Before(end) {
		for i := range 1000 {
			x += uint64(i) * x
		}
	}
	sink += x
}

// duty is busy for 1 ms and asleep for 4, over and over until d has
// passed, and returns the time it was busy.
func duty(d time.Duration) time.Duration {
	var busy time.Duration
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		start := time.Now()
		spin(time.Millisecond)
		busy += time.Since(start)
		time.Sleep(4 * time.Millisecond)
	}
	return busy
}

// parallel keeps every P busy for d.
func parallel(d time.Duration) {
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() { spin(d) })
	}
	wg.Wait()
}

// profile runs work under the CPU profiler and prints the profile.
func profile(name string, work func()) error {
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		return err
	}
	work()
	pprof.StopCPUProfile()
	fmt.Printf("profprobe: %s %s\n", name, base64.StdEncoding.EncodeToString(buf.Bytes()))
	return nil
}

func main() {
	seconds := flag.Int("seconds", 2, "length of each profile")
	flag.Parse()
	d := time.Duration(*seconds) * time.Second
	for _, p := range []struct {
		name string
		work func()
	}{
		{"duty", func() { fmt.Printf("profprobe: duty busy %d\n", duty(d).Milliseconds()) }},
		{"parallel", func() { parallel(d) }},
	} {
		if err := profile(p.name, p.work); err != nil {
			fmt.Fprintf(os.Stderr, "profprobe: %s: %v\n", p.name, err)
			os.Exit(1)
		}
	}
	fmt.Println("profprobe: done")
}
