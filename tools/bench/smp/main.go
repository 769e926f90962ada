package main

import (
	"io"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/command"
	"github.com/coracle-os/coracle/tools/bench/internal/vcpus"
	"github.com/coracle-os/coracle/tools/qemu"
)

// defaultCPUs are the vCPU counts measured by default.
const defaultCPUs = "1,2,4"

// options are the command's flags.
type options struct {
	command.GuestFlags
	command.BootFlags
	cpus   []int // -cpus-list, in the order given; the first is the speedups' base
	shaMiB int
	gcMiB  int
}

func main() { command.Main(parseFlags, run) }

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	o.cpus, _ = vcpus.ParseList(defaultCPUs)
	fs := command.NewFlagSet("smp", "Times parallel SHA-256 and a GC-heavy allocator in one program on coracle and on Linux at several vCPU counts.", stderr)
	o.GuestFlags.Add(fs, qemu.DefaultMemoryMiB, defaultLinuxCmdline, "tsc_early_khz under TCG and smpprobe's arguments are added")
	o.BootFlags.Add(fs, 3, 5*time.Minute)
	fs.Func("cpus-list", "comma-separated vCPU counts; speedups are over the first (default "+defaultCPUs+")", func(s string) error {
		cs, err := vcpus.ParseList(s)
		o.cpus = cs
		return err
	})
	fs.IntVar(&o.shaMiB, "sha-mib", 48, "MiB hashed with SHA-256 in 1 MiB pieces")
	fs.IntVar(&o.gcMiB, "gc-mib", 128, "MiB the allocation workload allocates in short-lived trees")
	if err := command.Parse(fs, args); err != nil {
		return options{}, err
	}
	if problem := o.BootFlags.Problem(o.GuestFlags); problem != "" {
		return options{}, command.Usage(fs, problem)
	}
	if o.shaMiB < 1 || o.gcMiB < 1 {
		return options{}, command.Usage(fs, "-sha-mib and -gc-mib must be at least 1")
	}
	return o, nil
}
