package main

import (
	"io"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/command"
)

// defaultMemoryMiB is both guests' memory, as in the file benchmark:
// room for the kernel, the program, bbolt and a page cache.
const defaultMemoryMiB = 512

// options are the command's flags.
type options struct {
	command.GuestFlags
	command.BootFlags
	seqMiB  int
	randMiB int
	randOps int
	fsyncs  int
	kvOps   int
	diskMiB int
	coracle string // the coracle command; "" builds tools/cmd/coracle
}

func main() { command.Main(parseFlags, run) }

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := command.NewFlagSet("disk", "Times disk I/O of one program on coracle and on Linux, each on a virtio-blk ext4 disk in QEMU.", stderr)
	o.GuestFlags.Add(fs, defaultMemoryMiB, defaultLinuxCmdline, "tsc_early_khz under TCG and diskprobe's arguments are added")
	o.BootFlags.Add(fs, 3, 10*time.Minute)
	fs.IntVar(&o.seqMiB, "seq-mib", 128, "size of the sequential read and write, in MiB")
	fs.IntVar(&o.randMiB, "rand-mib", 64, "size of the file the random reads and writes go to, in MiB")
	fs.IntVar(&o.randOps, "rand-ops", 2000, "4 KiB random reads, and as many writes, each at a distinct offset")
	fs.IntVar(&o.fsyncs, "fsyncs", 200, "4 KiB appends each followed by fsync (the latency percentiles)")
	fs.IntVar(&o.kvOps, "kv-ops", 500, "kvstore PUTs, and as many GETs")
	fs.IntVar(&o.diskMiB, "disk-mib", 1024, "size of the disk image, in MiB")
	fs.StringVar(&o.coracle, "coracle", "", "the coracle command to boot coracle with (default: build tools/cmd/coracle from this tree)")
	if err := command.Parse(fs, args); err != nil {
		return options{}, err
	}
	usage := func(msg string) (options, error) { return options{}, command.Usage(fs, msg) }
	if problem := o.BootFlags.Problem(o.GuestFlags); problem != "" {
		return usage(problem)
	}
	switch {
	case o.seqMiB < 1 || o.randMiB < 1 || o.randOps < 1 || o.fsyncs < 1 || o.kvOps < 1:
		return usage("-seq-mib, -rand-mib, -rand-ops, -fsyncs and -kv-ops must be at least 1")
	case o.randOps > o.randMiB*256:
		return usage("-rand-ops is more than the 4 KiB blocks of -rand-mib")
	case o.diskMiB < 2*o.seqMiB+o.randMiB+64:
		return usage("-disk-mib must hold two -seq-mib files, the -rand-mib file and 64 MiB more")
	}
	return o, nil
}
