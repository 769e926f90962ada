// Command diskprobe is the guest program of the disk benchmark
// (tools/bench/disk). It works in a directory on an ext4 disk that holds
// two files made on the host (seq.dat and rand.dat, written by
// mkfs.ext4 -d), and prints one machine-readable line per measurement on
// standard output:
//
//	diskbench: start dir=/mnt/disk0 clocksource=tsc
//	diskbench: op=seqread n=128 ns=912345678
//	diskbench: lat=fsync n=200 p50=1234567 p99=2345678
//	...
//	diskbench: done
//
// For op lines n counts the units of the operation (MiB for the
// sequential transfers, operations otherwise) and ns is their total time
// in nanoseconds; lat lines give percentiles of single operations in
// nanoseconds. A failure prints "diskbench: error op=NAME: MESSAGE" and
// exits with status 1.
//
// The measurements run in this order, so that the reads are cold: the
// program has just booted and nothing has read the two files yet.
//
//   - seqread: seq.dat read from start to end in 1 MiB reads;
//   - randread: 4 KiB preads of rand.dat at distinct random 4 KiB-aligned
//     offsets (no block is read twice);
//   - randwrite: 4 KiB pwrites over rand.dat at distinct random offsets,
//     then one fdatasync, timed together;
//   - seqwrite: a new file written in 1 MiB writes, then fsync;
//   - fsync: 4 KiB appended to a new file and fsync, again and again,
//     each pair timed alone (the latency percentiles);
//   - kvput, kvget: examples/kvstore's HTTP handler called in-process
//     (httptest requests, no network) over a bbolt database in the
//     directory: PUTs of 128-byte values under distinct keys, each
//     answered after its transaction committed, then GETs of them in
//     another order.
//
// The same binary runs built into a coracle image (coracle run --disk
// mounts the disk) and as the /init of a Linux microVM, where -mount
// first loads the modules, mounts devtmpfs and then the disk on -dir.
// Apart from -mount, nothing in it knows where it runs.
//
// Usage:
//
//	diskprobe [-dir /mnt/disk0] [-seq-mib 128] [-rand-ops 2000] [-fsyncs 200] [-kv-ops 500]
//	          [-mount /dev/vda -modules a,b,c]
package main

import (
	"flag"

	"github.com/coracle-os/coracle/tools/bench/internal/linuxinit"
	"github.com/coracle-os/coracle/tools/bench/internal/resultlines"
)

// prefix starts every line the benchmark reads.
const prefix = "diskbench:"

// out prints those lines.
var out = resultlines.Printer{Prefix: prefix}

// The files the host puts on the disk (tools/bench/disk makes them).
const (
	seqFile  = "seq.dat"
	randFile = "rand.dat"
)

func main() {
	var c config
	flag.StringVar(&c.dir, "dir", "/mnt/disk0", "the directory on the disk to work in")
	flag.IntVar(&c.seqMiB, "seq-mib", 128, "size of the sequential write, in MiB (the read reads all of "+seqFile+")")
	flag.IntVar(&c.randOps, "rand-ops", 2000, "4 KiB random reads, and as many writes")
	flag.IntVar(&c.fsyncs, "fsyncs", 200, "4 KiB appends each followed by fsync")
	flag.IntVar(&c.kvOps, "kv-ops", 500, "kvstore PUTs, and as many GETs")
	device := flag.String("mount", "", "Linux as PID 1: mount devtmpfs and sysfs, then this block device as ext4 on -dir")
	modules := flag.String("modules", "", "with -mount: comma-separated kernel modules to load from "+linuxinit.ModuleDir+" first, in order")
	flag.Parse()

	if *device != "" {
		if err := linuxinit.MountDisk(*device, c.dir, linuxinit.Modules(*modules)); err != nil {
			out.Fail("mount", err)
		}
	}
	out.Printf("start dir=%s clocksource=%s", c.dir, linuxinit.ClockSource())
	for _, m := range measurements(c) {
		line, err := m.run()
		if err != nil {
			out.Fail(m.name, err)
		}
		out.Printf("%s", line)
	}
	out.Done()
}
