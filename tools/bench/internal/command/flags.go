package command

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/linuxguest"
)

// ErrUsage is what Parse and Usage return for a command line that is
// not the command's: they have said why on the flag set's output.
var ErrUsage = errors.New("usage")

// NewFlagSet returns the flag set of the command name: it reports its
// errors on stderr, and its usage message says what the command does
// (about, one sentence) before the flags.
func NewFlagSet(name, about string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s [flags]\n\n%s\n\n", name, about)
		fs.PrintDefaults()
	}
	return fs
}

// Parse parses args into fs's flags; the benchmarks take no other
// arguments.
func Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return Usage(fs, fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	return nil
}

// Usage prints "bench: " and msg, then the usage message, and returns
// ErrUsage: for flags whose values do not go together.
func Usage(fs *flag.FlagSet, msg string) error {
	fmt.Fprintf(fs.Output(), "bench: %s\n", msg)
	fs.Usage()
	return ErrUsage
}

// GuestFlags are the flags every benchmark has for its QEMU guests.
type GuestFlags struct {
	Accel        string // -accel: kvm, tcg or auto
	MemoryMiB    int    // -m: each guest's memory
	SkipLinux    bool   // -skip-linux
	LinuxCmdline string // -linux-cmdline: the Linux guest's kernel command line
	CacheDir     string // -cache: where Debian's kernel is kept
}

// Add adds the flags to fs, with memoryMiB and linuxCmdline the
// defaults of -m and -linux-cmdline; cmdlineNote, unless "", ends the
// help of -linux-cmdline in parentheses (what the benchmark adds to it).
func (g *GuestFlags) Add(fs *flag.FlagSet, memoryMiB int, linuxCmdline, cmdlineNote string) {
	cmdlineHelp := "Linux kernel command line"
	if cmdlineNote != "" {
		cmdlineHelp += " (" + cmdlineNote + ")"
	}
	fs.StringVar(&g.Accel, "accel", "auto", "QEMU accelerator: kvm, tcg or auto (as coracle run chooses)")
	fs.IntVar(&g.MemoryMiB, "m", memoryMiB, "guest memory in MiB, the same for every guest")
	fs.BoolVar(&g.SkipLinux, "skip-linux", false, "do not measure Linux")
	fs.StringVar(&g.LinuxCmdline, "linux-cmdline", linuxCmdline, cmdlineHelp)
	fs.StringVar(&g.CacheDir, "cache", linuxguest.DefaultCacheDir(), "where Debian's kernel is kept between runs")
}

// BootFlags are the flags of a benchmark that boots each guest -count
// times and waits for its guest program to report everything (disk,
// files).
type BootFlags struct {
	Count       int           // -count: boots of each guest
	SkipCoracle bool          // -skip-coracle
	Timeout     time.Duration // -timeout: the longest wait for one boot
	Verbose     bool          // -v: show each guest's console
}

// Add adds the flags to fs, with count and timeout the defaults of
// -count and -timeout.
func (b *BootFlags) Add(fs *flag.FlagSet, count int, timeout time.Duration) {
	fs.IntVar(&b.Count, "count", count, "boots of each guest (the table gives medians)")
	fs.BoolVar(&b.SkipCoracle, "skip-coracle", false, "do not measure coracle")
	fs.DurationVar(&b.Timeout, "timeout", timeout, "longest wait for one boot to report everything")
	fs.BoolVar(&b.Verbose, "v", false, "show on stderr what each guest printed")
}

// Problem says what is wrong with b and g together, "" when nothing is:
// the message for Usage.
func (b BootFlags) Problem(g GuestFlags) string {
	switch {
	case b.Count < 1:
		return "-count must be at least 1"
	case b.SkipCoracle && g.SkipLinux:
		return "-skip-coracle and -skip-linux leave nothing to measure"
	}
	return ""
}
