package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/command"
)

// defaultMemoryMiB is both guests' memory: the 256 MiB file of the
// sequential transfer must fit beside the kernel and the program, which
// qemu.DefaultMemoryMiB (256) leaves no room for.
const defaultMemoryMiB = 512

// options are the command's flags.
type options struct {
	command.GuestFlags
	command.BootFlags
	benchtime   time.Duration
	seqMiB      int
	tmpfs       bool     // time the operations in a tmpfs
	shares      bool     // time them in a directory shared from the host
	shareSeqMiB int      // the sequential transfer's size in the share
	coracleEnv  []string // NAME=VALUE for coracle's guests (coracle run -e)
}

func main() { command.Main(parseFlags, run) }

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := command.NewFlagSet("files", "Times file and pipe operations of one program on coracle and on Linux, in QEMU.", stderr)
	o.GuestFlags.Add(fs, defaultMemoryMiB, defaultLinuxCmdline, "tsc_early_khz under TCG and fileprobe's arguments are added")
	o.BootFlags.Add(fs, 5, 5*time.Minute)
	fs.DurationVar(&o.benchtime, "benchtime", 200*time.Millisecond, "least time the guest times each operation for")
	fs.IntVar(&o.seqMiB, "seq-mib", 256, "size of the sequential write and read, in MiB")
	fs.BoolVar(&o.tmpfs, "tmpfs", true, "time the operations in an in-memory file system (coracle's root, Linux's tmpfs)")
	fs.BoolVar(&o.shares, "shares", true, "time the file operations in a directory shared from the host over virtio-9p")
	fs.IntVar(&o.shareSeqMiB, "share-seq-mib", 64, "size of the sequential write and read in the shared directory, in MiB")
	fs.Func("coracle-env", "NAME=VALUE in the coracle guests' environment, as coracle run -e (repeatable; e.g. GOMAXPROCS=2)", func(v string) error {
		if name, _, ok := strings.Cut(v, "="); !ok || name == "" {
			return fmt.Errorf("want NAME=VALUE")
		}
		o.coracleEnv = append(o.coracleEnv, v)
		return nil
	})
	if err := command.Parse(fs, args); err != nil {
		return options{}, err
	}
	usage := func(msg string) (options, error) { return options{}, command.Usage(fs, msg) }
	if problem := o.BootFlags.Problem(o.GuestFlags); problem != "" {
		return usage(problem)
	}
	switch {
	case o.benchtime <= 0:
		return usage("-benchtime must be positive")
	case o.seqMiB < 1 || o.shareSeqMiB < 1:
		return usage("-seq-mib and -share-seq-mib must be at least 1")
	case !o.tmpfs && !o.shares:
		return usage("-tmpfs=false and -shares=false leave nothing to measure")
	}
	return o, nil
}
