package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/coracle-os/coracle/kernel/abi/cmdline"
	"github.com/coracle-os/coracle/kernel/abi/shares"
	"github.com/coracle-os/coracle/tools/image"
	"github.com/coracle-os/coracle/tools/qemu"
)

// Invocation is a parsed coracle command line.
type Invocation struct {
	Command string // "build", "run", "test", "exec-test", "inspect", "disk create", "crash" or "help"
	Build   BuildArgs
	Run     RunArgs
	Disk    DiskArgs
	Test    TestArgs
	// ExecTest is coracle exec-test, which coracle test runs as go
	// test's -exec program.
	ExecTest ExecTestArgs
	Crash    CrashArgs
	Inspect  InspectArgs
}

// BuildArgs are the arguments of coracle build.
type BuildArgs struct {
	Output string        // -o; empty for the default
	Files  []image.Files // --files DIR[:GUESTDIR], in order
	TZData bool          // --tzdata
	Shares bool          // --shares
	Disks  bool          // --disks
	Pkg    string
}

// RunArgs are the arguments of coracle run.
type RunArgs struct {
	MemoryMiB int
	CPUs      int      // --cpus: the guest's vCPUs
	Env       []string // -e NAME=VALUE, in order
	Params    string   // --cmdline
	Machine   qemu.Machine
	Accel     qemu.Accel    // qemu.AccelAuto unless forced
	Target    string        // PKG or IMAGE
	Files     []image.Files // --files DIR[:GUESTDIR], in order
	TZData    bool          // --tzdata
	Shares    []qemu.Share  // -v HOSTDIR:GUESTDIR[:ro], in order
	Disks     []qemu.Disk   // --disk FILE[:GUESTDIR][,ro], in order
	Args      []string      // the program's arguments, after --
	// Cmdline is the kernel command line: cmdline.Encode of Params,
	// Args and Env.
	Cmdline string
	// Network is the guest's NIC: -p, --tap, --net.
	Network qemu.Network
	// GDBPort is --gdb's port on 127.0.0.1; 0 without --gdb.
	GDBPort int
}

// UsageError is a mistake in the command line: coracle prints it with the
// usage and exits 2.
type UsageError struct{ msg string }

func (e *UsageError) Error() string { return e.msg }

func usageErrorf(format string, a ...any) error {
	return &UsageError{fmt.Sprintf(format, a...)}
}

// Parse parses coracle's arguments (without the program name).
func Parse(args []string) (Invocation, error) {
	if len(args) == 0 {
		return Invocation{}, usageErrorf("missing command")
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "build":
		b, err := parseBuild(rest)
		return Invocation{Command: cmd, Build: b}, err
	case "run":
		r, err := parseRun(rest)
		return Invocation{Command: cmd, Run: r}, err
	case "test":
		t, err := parseTest(rest)
		return Invocation{Command: cmd, Test: t}, err
	case "exec-test":
		e, err := parseExecTest(rest)
		return Invocation{Command: cmd, ExecTest: e}, err
	case "inspect":
		i, err := parseInspect(rest)
		return Invocation{Command: cmd, Inspect: i}, err
	case "disk":
		d, err := parseDisk(rest)
		return Invocation{Command: "disk create", Disk: d}, err
	case "crash":
		c, err := parseCrash(rest)
		return Invocation{Command: cmd, Crash: c}, err
	case "help", "-h", "-help", "--help":
		return Invocation{Command: "help"}, nil
	default:
		return Invocation{}, usageErrorf("unknown command %q", cmd)
	}
}

// newFlagSet returns a flag set that reports errors to Parse instead of
// printing them.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags runs fs over args; -h and --help ask for the usage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return flag.ErrHelp
	}
	if err != nil {
		return usageErrorf("%s: %v", fs.Name(), err)
	}
	return nil
}

// buildFlags defines coracle build's flags. Their help is in usage.
func buildFlags(b *BuildArgs) *flag.FlagSet {
	fs := newFlagSet("build")
	fs.StringVar(&b.Output, "o", "", "")
	filesFlag(fs, &b.Files)
	fs.BoolVar(&b.TZData, "tzdata", false, "")
	fs.BoolVar(&b.Shares, "shares", false, "")
	fs.BoolVar(&b.Disks, "disks", false, "")
	return fs
}

// runFlags defines coracle run's flags. Their help is in usage.
func runFlags(r *RunArgs, machine, accel *string) *flag.FlagSet {
	fs := newFlagSet("run")
	fs.IntVar(&r.MemoryMiB, "m", qemu.DefaultMemoryMiB, "")
	fs.IntVar(&r.CPUs, "cpus", qemu.DefaultCPUs, "")
	fs.Func("e", "", func(v string) error {
		if name, _, ok := strings.Cut(v, "="); !ok || name == "" {
			return fmt.Errorf("want NAME=VALUE")
		}
		r.Env = append(r.Env, v)
		return nil
	})
	fs.StringVar(&r.Params, "cmdline", "", "")
	filesFlag(fs, &r.Files)
	fs.BoolVar(&r.TZData, "tzdata", false, "")
	fs.StringVar(machine, "machine", string(qemu.DefaultMachine), "")
	fs.StringVar(accel, "accel", "auto", "")
	fs.Func("p", "", func(v string) error {
		f, err := qemu.ParseForward(v)
		if err != nil {
			return err
		}
		r.Network.Forwards = append(r.Network.Forwards, f)
		return nil
	})
	fs.StringVar(&r.Network.Tap, "tap", "", "")
	fs.Var(gdbFlag{&r.GDBPort}, "gdb", "")
	fs.Func("v", "", func(v string) error {
		s, err := qemu.ParseShare(v)
		if err != nil {
			return err
		}
		r.Shares = append(r.Shares, s)
		return nil
	})
	fs.Func("disk", "", func(v string) error {
		d, err := qemu.ParseDisk(v, len(r.Disks))
		if err != nil {
			return err
		}
		r.Disks = append(r.Disks, d)
		return nil
	})
	fs.Func("net", "", func(v string) error {
		switch m := qemu.NetMode(v); m {
		case qemu.NetUser, qemu.NetTap, qemu.NetNone:
			r.Network.Mode = m
			return nil
		}
		return fmt.Errorf("unknown network %q: use user, tap or none", v)
	})
	return fs
}

// filesFlag defines --files, which may be repeated.
func filesFlag(fs *flag.FlagSet, files *[]image.Files) {
	fs.Func("files", "", func(v string) error {
		f, err := image.ParseFiles(v)
		if err != nil {
			return err
		}
		*files = append(*files, f)
		return nil
	})
}

func parseBuild(args []string) (BuildArgs, error) {
	var b BuildArgs
	fs := buildFlags(&b)
	if err := parseFlags(fs, args); err != nil {
		return b, err
	}
	switch rest := fs.Args(); {
	case len(rest) == 0:
		return b, usageErrorf("build: missing PKG")
	case len(rest) > 1:
		return b, usageErrorf("build: unexpected %q after %s: put flags before PKG, and build one package at a time", rest[1], rest[0])
	default:
		b.Pkg = rest[0]
	}
	return b, nil
}

func parseRun(args []string) (RunArgs, error) {
	var r RunArgs
	var machine, accel string
	fs := runFlags(&r, &machine, &accel)
	if err := parseFlags(fs, args); err != nil {
		return r, err
	}

	rest := fs.Args()
	if len(rest) == 0 {
		return r, usageErrorf("run: missing PKG or IMAGE")
	}
	r.Target, rest = rest[0], rest[1:]
	if len(rest) > 0 {
		if rest[0] != "--" {
			return r, usageErrorf("run: unexpected %q after %s: put coracle flags before PKG|IMAGE and the program's arguments after --", rest[0], r.Target)
		}
		if len(rest) > 1 {
			r.Args = rest[1:]
		}
	}

	var err error
	if err = qemu.CheckMemory(r.MemoryMiB, 0); err != nil {
		return r, usageErrorf("run: %v", err)
	}
	if err = qemu.CheckCPUs(r.CPUs); err != nil {
		return r, usageErrorf("run: %v", err)
	}
	if r.Machine, err = qemu.ParseMachine(machine); err != nil {
		return r, usageErrorf("run: --machine: %v", err)
	}
	if r.Accel, err = qemu.ParseAccel(accel); err != nil {
		return r, usageErrorf("run: --accel: %v", err)
	}
	if r.Network, err = settleNetwork(r.Network); err != nil {
		return r, usageErrorf("run: %v", err)
	}
	if r.Cmdline, err = cmdline.Encode(r.Params, r.Args, r.Env); err != nil {
		return r, usageErrorf("run: %v", err)
	}
	if name := programName(r.Target); name != "" && !strings.Contains(r.Params, cmdline.Argv0Key+"=") {
		r.Cmdline = strings.TrimSpace(r.Cmdline + " " + cmdline.Argv0Word(name))
	}
	if n := len(r.Shares) + len(r.Disks); n > shares.MaxMounts {
		return r, usageErrorf("run: %d shares and disks; a guest may have at most %d", n, shares.MaxMounts)
	}
	if len(r.Shares)+len(r.Disks) > 0 {
		words := append(qemu.ShareWords(r.Shares), qemu.DiskWords(r.Disks)...)
		r.Cmdline = strings.TrimSpace(r.Cmdline + " " + strings.Join(words, " "))
		if len(r.Cmdline) > cmdline.MaxLen {
			return r, usageErrorf("run: the kernel command line is %d bytes with the shares and disks; the limit is %d", len(r.Cmdline), cmdline.MaxLen)
		}
	}
	return r, nil
}

// programName is the os.Args[0] a program booted from target sees: the
// last element of the package path or the image's file name, without
// ".img".
func programName(target string) string {
	name := strings.TrimSuffix(filepath.Base(filepath.Clean(target)), ".img")
	if name == "." || name == "/" || name == ".." {
		return ""
	}
	return name
}

// settleNetwork applies the defaults: user networking, or a tap when
// --tap names one; --net tap needs --tap.
func settleNetwork(n qemu.Network) (qemu.Network, error) {
	switch {
	case n.Mode == "" && n.Tap != "":
		n.Mode = qemu.NetTap
	case n.Mode == "":
		n.Mode = qemu.NetUser
	case n.Mode == qemu.NetTap && n.Tap == "":
		return n, fmt.Errorf("--net tap needs --tap NAME")
	case n.Mode != qemu.NetTap && n.Tap != "":
		return n, fmt.Errorf("--tap %s conflicts with --net %s", n.Tap, n.Mode)
	}
	if _, err := n.Args(qemu.Microvm); err != nil {
		return n, err
	}
	return n, nil
}
