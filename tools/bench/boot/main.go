package main

import (
	"io"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/command"
	"github.com/coracle-os/coracle/tools/qemu"
)

// options are the command's flags.
type options struct {
	command.GuestFlags
	runs, warmups int
	machine       string
	cpus          int
	compareCPUs   int    // boot the floor and bootprobe with this many vCPUs too (0: no)
	linuxKernel   string // a vmlinux or bzImage to use instead of Debian's
	timeout       time.Duration
	verbose       bool // show each guest's console of its first boot
	skipHTTP      bool // leave out the first-200 rows
	translation   bool // count the code TCG translates in one more boot of each system
}

func main() { command.Main(parseFlags, run) }

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := command.NewFlagSet("boot", "Times QEMU from exec to the guest's first line: the QEMU floor, coracle and Linux.", stderr)
	o.GuestFlags.Add(fs, qemu.DefaultMemoryMiB, defaultLinuxCmdline, "")
	fs.IntVar(&o.runs, "runs", 20, "timed boots of each system")
	fs.IntVar(&o.warmups, "warmup", 1, "untimed boots of each system first")
	fs.StringVar(&o.machine, "machine", string(qemu.Microvm), "QEMU machine: microvm, q35 or pc")
	fs.IntVar(&o.cpus, "cpus", 1, "vCPUs of every guest (QEMU -smp), as coracle run --cpus")
	fs.IntVar(&o.compareCPUs, "compare-cpus", 4, "also boot the floor and bootprobe with this many vCPUs, in the same rounds, and compare (0: do not)")
	fs.StringVar(&o.linuxKernel, "linux-kernel", "", "boot this Linux `kernel` (vmlinux ELF, or XZ bzImage) instead of Debian's")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "longest wait for one boot's line")
	fs.BoolVar(&o.skipHTTP, "skip-http", false, "leave out the exec -> first HTTP 200 rows (examples/httpd)")
	fs.BoolVar(&o.translation, "translation", false, "boot every system once more with QEMU's -d in_asm and count the blocks TCG translated, by whose code they are (TCG only)")
	fs.BoolVar(&o.verbose, "v", false, "show on stderr what each guest printed in its first boot")
	if err := command.Parse(fs, args); err != nil {
		return options{}, err
	}
	if o.runs < 1 || o.warmups < 0 {
		return options{}, command.Usage(fs, "-runs must be at least 1 and -warmup at least 0")
	}
	if err := qemu.CheckCPUs(o.cpus); err != nil {
		return options{}, command.Usage(fs, err.Error())
	}
	if o.compareCPUs == o.cpus {
		o.compareCPUs = 0 // nothing to compare
	}
	if o.compareCPUs != 0 {
		if err := qemu.CheckCPUs(o.compareCPUs); err != nil {
			return options{}, command.Usage(fs, "-compare-cpus: "+err.Error())
		}
	}
	return o, nil
}
