package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/command"
	"github.com/coracle-os/coracle/tools/bench/internal/vcpus"
	"github.com/coracle-os/coracle/tools/qemu"
)

// options are the command's flags.
type options struct {
	command.GuestFlags
	rounds           int
	duration, warmup time.Duration
	wrkTimeout       time.Duration
	connections      []int
	threads          int
	cpus             int // vCPUs of both guests
	path             string
	skipCoracle      bool
	bootTimeout      time.Duration
	verbose          bool
}

func main() {
	// SIGTERM and SIGHUP too: a closed terminal must not leave the
	// namespace behind.
	command.Main(parseFlags, run, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	o := options{connections: []int{1, 64}}
	fs := command.NewFlagSet("http", "Measures wrk against examples/httpd on coracle and on Linux, in QEMU on a tap device.", stderr)
	o.GuestFlags.Add(fs, qemu.DefaultMemoryMiB, defaultLinuxCmdline, "netinit's words are added")
	fs.IntVar(&o.rounds, "rounds", 3, "rounds; each boots each guest and runs every configuration (the table gives medians)")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "length of each measured wrk run (whole seconds)")
	fs.DurationVar(&o.warmup, "warmup", 3*time.Second, "length of the unreported wrk run before each measured one (0: none)")
	fs.DurationVar(&o.wrkTimeout, "wrk-timeout", 5*time.Second, "wrk's --timeout: a slower response counts as a timeout error")
	fs.Func("connections", "comma-separated wrk connection counts (default 1,64)", func(s string) error {
		cs, err := parseConnections(s)
		o.connections = cs
		return err
	})
	fs.IntVar(&o.threads, "threads", 1, "wrk threads (at most the connections)")
	fs.IntVar(&o.cpus, "cpus", 1, "vCPUs of both guests (QEMU -smp); coracle gets "+vcpus.SMPParam+" above 1")
	fs.StringVar(&o.path, "path", "/", "the URL path to GET")
	fs.BoolVar(&o.skipCoracle, "skip-coracle", false, "do not measure coracle")
	fs.DurationVar(&o.bootTimeout, "boot-timeout", time.Minute, "longest wait for a guest's server to answer after QEMU starts")
	fs.BoolVar(&o.verbose, "v", false, "show on stderr what each guest printed")
	if err := command.Parse(fs, args); err != nil {
		return options{}, err
	}
	usage := func(msg string) (options, error) { return options{}, command.Usage(fs, msg) }
	switch {
	case o.rounds < 1:
		return usage("-rounds must be at least 1")
	case o.duration < time.Second || o.duration%time.Second != 0:
		return usage("-duration must be whole seconds, at least 1s")
	case o.warmup < 0 || o.warmup%time.Second != 0:
		return usage("-warmup must be whole seconds, or 0")
	case o.wrkTimeout < time.Second || o.wrkTimeout%time.Second != 0:
		return usage("-wrk-timeout must be whole seconds, at least 1s")
	case o.threads < 1:
		return usage("-threads must be at least 1")
	case !strings.HasPrefix(o.path, "/") || strings.ContainsAny(o.path, " \t\n"):
		return usage("-path must start with / and have no spaces")
	case o.skipCoracle && o.SkipLinux:
		return usage("-skip-coracle and -skip-linux leave nothing to measure")
	}
	if err := qemu.CheckCPUs(o.cpus); err != nil {
		return usage(err.Error())
	}
	return o, nil
}

// parseConnections parses "1,64".
func parseConnections(s string) ([]int, error) {
	var cs []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a connection count", f)
		}
		cs = append(cs, n)
	}
	return cs, nil
}
