package main

import (
	"io"
	"syscall"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/command"
	"github.com/coracle-os/coracle/tools/bench/internal/linuxguest"
)

// options are the command's flags.
type options struct {
	guest     string // "coracle" or "linux"
	kills     int
	maxAcks   int // a kill comes after 1 to maxAcks acks of a boot
	seed      uint64
	diskMiB   int
	memoryMiB int
	accel     string
	cacheDir  string
	coracle   string // the coracle command; "" builds tools/cmd/coracle
	keep      string // where to keep the image when a check fails; "" for the temporary directory's
	timeout   time.Duration
	verbose   bool
	noSync    bool // the guest acks without fsync: the test must fail
}

func main() { command.Main(parseFlags, run, syscall.SIGINT, syscall.SIGTERM) }

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := command.NewFlagSet("crash", "Kills a guest that appends fsync-acknowledged records to an ext4 disk, again and again, and checks the disk after each kill.", stderr)
	fs.StringVar(&o.guest, "guest", "coracle", "the system under test: coracle (coracle run --disk) or linux (Debian's kernel, to check the test itself)")
	fs.IntVar(&o.kills, "kills", 20, "kills, each followed by the checks")
	fs.IntVar(&o.maxAcks, "max-acks", 40, "a boot is killed after a random number of acks from 1 to this")
	fs.Uint64Var(&o.seed, "seed", 0, "seed of the kill moments (0: from the clock; the report gives the one used)")
	fs.IntVar(&o.diskMiB, "disk-mib", 64, "size of the disk image, in MiB")
	fs.IntVar(&o.memoryMiB, "m", 256, "guest memory in MiB")
	fs.StringVar(&o.accel, "accel", "auto", "QEMU accelerator: kvm, tcg or auto (as coracle run chooses)")
	fs.StringVar(&o.cacheDir, "cache", linuxguest.DefaultCacheDir(), "where Debian's kernel is kept between runs (-guest linux)")
	fs.StringVar(&o.coracle, "coracle", "", "the coracle command (default: build tools/cmd/coracle from this tree)")
	fs.StringVar(&o.keep, "keep", "", "copy the image here when a check fails (default: say where it is and keep the temporary directory)")
	fs.DurationVar(&o.timeout, "timeout", 3*time.Minute, "longest wait for one boot to report and ack")
	fs.BoolVar(&o.verbose, "v", false, "show on stderr what each boot printed")
	fs.BoolVar(&o.noSync, "no-sync", false, "test the test: the guest acks changes without fsync, and the run must fail with losses")
	if err := command.Parse(fs, args); err != nil {
		return options{}, err
	}
	usage := func(msg string) (options, error) { return options{}, command.Usage(fs, msg) }
	switch {
	case o.guest != "coracle" && o.guest != "linux":
		return usage("-guest must be coracle or linux")
	case o.kills < 1 || o.maxAcks < 1:
		return usage("-kills and -max-acks must be at least 1")
	case o.diskMiB < 16:
		return usage("-disk-mib must be at least 16")
	}
	return o, nil
}
