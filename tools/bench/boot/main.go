package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/command"
	"github.com/coracle-os/coracle/tools/bench/internal/linuxguest"
	"github.com/coracle-os/coracle/tools/qemu"
)

// options are the command's flags.
type options struct {
	runs, warmups int
	accel         string
	machine       string
	memoryMiB     int
	skipLinux     bool
	linuxKernel   string // a vmlinux or bzImage to use instead of Debian's
	linuxCmdline  string
	cacheDir      string
	timeout       time.Duration
	verbose       bool // show each guest's console of its first boot
}

func main() { command.Main(parseFlags, run) }

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("boot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.runs, "runs", 20, "timed boots of each system")
	fs.IntVar(&o.warmups, "warmup", 1, "untimed boots of each system first")
	fs.StringVar(&o.accel, "accel", "auto", "QEMU accelerator: kvm, tcg or auto (as coracle run chooses)")
	fs.StringVar(&o.machine, "machine", string(qemu.Microvm), "QEMU machine: microvm, q35 or pc")
	fs.IntVar(&o.memoryMiB, "m", qemu.DefaultMemoryMiB, "guest memory in MiB, the same for every system")
	fs.BoolVar(&o.skipLinux, "skip-linux", false, "do not boot the Linux baseline")
	fs.StringVar(&o.linuxKernel, "linux-kernel", "", "boot this Linux `kernel` (vmlinux ELF, or XZ bzImage) instead of Debian's")
	fs.StringVar(&o.linuxCmdline, "linux-cmdline", defaultLinuxCmdline, "Linux kernel command line")
	fs.StringVar(&o.cacheDir, "cache", linuxguest.DefaultCacheDir(), "where Debian's kernel is kept between runs")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "longest wait for one boot's line")
	fs.BoolVar(&o.verbose, "v", false, "show on stderr what each guest printed in its first boot")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: boot [flags]\n\nTimes QEMU from exec to the guest's first line: the QEMU floor, coracle and Linux.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bench: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return options{}, errors.New("usage")
	}
	if o.runs < 1 || o.warmups < 0 {
		fmt.Fprintln(stderr, "bench: -runs must be at least 1 and -warmup at least 0")
		return options{}, errors.New("usage")
	}
	return o, nil
}
