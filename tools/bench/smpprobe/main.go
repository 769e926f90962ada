// Command smpprobe is the guest program of the SMP benchmark
// (tools/bench/smp). It runs two workloads, each a fixed total amount of
// work split over GOMAXPROCS goroutines, times each with time.Now, and
// prints one machine-readable line per figure on standard output:
//
//	smpbench: start clocksource=tsc
//	smpbench: cpus gomaxprocs=4 numcpu=4
//	smpbench: op=sha256 n=48 ns=912345678
//	smpbench: sum op=sha256 value=1f2e3d4c5b6a7988
//	smpbench: op=gc n=128 ns=2345678901
//	smpbench: gcs n=71
//	smpbench: sum op=gc value=00000000deadbeef
//	smpbench: done
//
// The op lines' n is MiB: hashed (sha256), or allocated by the workload
// (gc, from runtime.MemStats.TotalAlloc); gcs counts the garbage
// collections the gc workload caused (MemStats.NumGC). The sum lines are
// the workloads' results, the same on every system and at every CPU
// count: the host compares them. A failure prints
// "smpbench: error op=NAME: MESSAGE" and exits with status 1.
//
// The same binary runs built into a coracle image and as the /init of a
// Linux microVM, where -mount-sys first mounts sysfs to report the clock
// source Linux times with. Apart from that, nothing in it knows where it
// runs.
//
// Usage:
//
//	smpprobe [-sha-mib 48] [-gc-mib 128] [-mount-sys]
package main

import (
	"flag"
	"runtime"

	"github.com/coracle-os/coracle/tools/bench/internal/linuxinit"
	"github.com/coracle-os/coracle/tools/bench/internal/resultlines"
)

// out prints the lines the benchmark reads.
var out = resultlines.Printer{Prefix: "smpbench:"}

func main() {
	shaMiB := flag.Int("sha-mib", 48, "MiB to hash with SHA-256, in 1 MiB pieces")
	gcMiB := flag.Int("gc-mib", 128, "MiB the allocation workload allocates in short-lived trees")
	mountSys := flag.Bool("mount-sys", false, "mount sysfs on /sys first (Linux as PID 1), for the clock source")
	flag.Parse()

	if *mountSys {
		if err := linuxinit.Mount("sysfs", "/sys", "sysfs", ""); err != nil {
			out.Fail("mount", err)
		}
	}
	out.Printf("start clocksource=%s", linuxinit.ClockSource())
	procs := runtime.GOMAXPROCS(0)
	out.Printf("cpus gomaxprocs=%d numcpu=%d", procs, runtime.NumCPU())

	r := hashAll(*shaMiB, procs)
	out.Printf("op=sha256 n=%d ns=%d", *shaMiB, r.elapsed.Nanoseconds())
	out.Printf("sum op=sha256 value=%016x", r.sum)

	g := allocate(*gcMiB, procs)
	out.Printf("op=gc n=%d ns=%d", max(g.allocated>>20, 1), g.elapsed.Nanoseconds())
	out.Printf("gcs n=%d", g.gcs)
	out.Printf("sum op=gc value=%016x", g.sum)
	out.Done()
}
