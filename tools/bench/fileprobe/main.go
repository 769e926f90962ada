// Command fileprobe is the guest program of the file benchmark
// (tools/bench/files). It times file-system and pipe operations in a
// directory, of an in-memory file system or shared from the host, each
// over many iterations with
// time.Now, and prints one machine-readable line per operation on
// standard output:
//
//	filebench: start dir=/tmp benchtime=200ms clocksource=tsc
//	filebench: op=getpid n=120000 ns=212345678
//	...
//	filebench: done
//
// n is the number of iterations timed and ns their total time in
// nanoseconds; the benchmark divides. A failure prints
// "filebench: error op=NAME: MESSAGE" and exits with status 1.
//
// The same binary runs built into a coracle image, where the directory is
// the root tmpfs's /tmp, and as the /init of a Linux microVM, where -mount
// first mounts a tmpfs on the directory (and sysfs, to report the clock
// source Linux uses). Apart from -mount, nothing in it knows where it
// runs.
//
// Usage:
//
//	fileprobe [-dir /tmp] [-benchtime 200ms] [-seq-mib 256] [-mount] [-only OP,...]
package main

import (
	"flag"
	"slices"
	"strings"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/linuxinit"
	"github.com/coracle-os/coracle/tools/bench/internal/resultlines"
)

// out prints the lines the benchmark reads, each starting "filebench:".
var out = resultlines.Printer{Prefix: "filebench:"}

func main() {
	dir := flag.String("dir", "/tmp", "the directory to work in")
	benchtime := flag.Duration("benchtime", 200*time.Millisecond, "least time each operation is timed for")
	seqMiB := flag.Int("seq-mib", 256, "size of the sequential write and read, in MiB")
	mount := flag.Bool("mount", false, "mount a tmpfs on -dir, and sysfs on /sys, first (Linux as PID 1)")
	only := flag.String("only", "", "comma-separated operations to time (default all), to look at one closely")
	share := flag.String("9p", "", "with -mount: mount the virtio 9P share with this mount tag on -dir, not a tmpfs")
	shareOpts := flag.String("9p-opts", "trans=virtio,version=9p2000.L", "with -9p: the mount options")
	modules := flag.String("modules", "", "with -9p: comma-separated kernel modules to load from "+linuxinit.ModuleDir+" first, in order")
	flag.Parse()

	if *mount {
		var err error
		if *share != "" {
			err = mountShare(*dir, *share, *shareOpts, linuxinit.Modules(*modules))
		} else {
			err = mountTmpfs(*dir)
		}
		if err == nil {
			err = mountSysfs()
		}
		if err != nil {
			out.Fail("mount", err)
		}
	}
	out.Printf("start dir=%s benchtime=%v clocksource=%s", *dir, *benchtime, linuxinit.ClockSource())
	for _, b := range benchmarks(*dir, *seqMiB) {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), b.name) {
			continue
		}
		r, err := b.run(*benchtime)
		if err != nil {
			out.Fail(b.name, err)
		}
		out.Printf("op=%s n=%d ns=%d", b.name, r.n, r.elapsed.Nanoseconds())
	}
	out.Done()
}
