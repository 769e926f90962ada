package cli

import (
	"flag"
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/coracle-os/coracle/tools/qemu"
)

// TestArgs are the arguments of coracle test: coracle's own flags, which
// say how each test binary boots, and everything else, which goes to go
// test unchanged.
type TestArgs struct {
	Guest GuestArgs
	// GoArgs are go test's arguments in order, coracle's flags removed:
	// build and test flags, package patterns and -args with what follows.
	GoArgs []string
	// Patterns are the package patterns among GoArgs (none: the package
	// in the current directory).
	Patterns []string
	// Dir is go test's -C: the directory the go command runs in. The go
	// command wants -C first, and coracle test puts its own flags first,
	// so it runs the go command there instead.
	Dir string
}

// GuestArgs say how coracle test boots each test binary; coracle
// exec-test receives them from coracle test.
type GuestArgs struct {
	MemoryMiB int
	CPUs      int // --cpus
	Machine   qemu.Machine
	Accel     qemu.Accel
	Shares    []qemu.Share // -v HOSTDIR:GUESTDIR[:ro], in order
	Disks     []qemu.Disk  // --disk FILE[:GUESTDIR][,ro], in order
	TmpDir    string       // --tmpdir: the guest's TMPDIR
	// CallerEnv undoes, in the guest's environment, the variables
	// coracle test sets for the go command (GOOS, GOARCH, CGO_ENABLED),
	// which go test passes on to the test: NAME=VALUE is the caller's
	// value, a bare NAME one the caller did not set. coracle exec-test's
	// --callerenv.
	CallerEnv []string
}

// testFlags defines coracle test's own flags. Their help is in usage.
// -v is also go test's verbose flag: coracle takes it only with a
// HOSTDIR:GUESTDIR value, which no package pattern can be (import paths
// have no ':').
func testFlags(g *GuestArgs, machine, accel *string) *flag.FlagSet {
	fs := newFlagSet("test")
	fs.IntVar(&g.MemoryMiB, "m", testMemoryMiB, "")
	fs.IntVar(&g.MemoryMiB, "mem", testMemoryMiB, "")
	fs.IntVar(&g.CPUs, "cpus", qemu.DefaultCPUs, "")
	fs.StringVar(machine, "machine", string(qemu.DefaultMachine), "")
	fs.StringVar(accel, "accel", "auto", "")
	fs.Func("v", "", func(v string) error {
		s, err := qemu.ParseShare(v)
		if err != nil {
			return err
		}
		g.Shares = append(g.Shares, s)
		return nil
	})
	fs.Func("tmpdir", "", func(v string) error {
		if !path.IsAbs(v) {
			return fmt.Errorf("want an absolute guest path, such as /mnt/disk0")
		}
		g.TmpDir = path.Clean(v)
		return nil
	})
	fs.Func("disk", "", func(v string) error {
		d, err := qemu.ParseDisk(v, len(g.Disks))
		if err != nil {
			return err
		}
		g.Disks = append(g.Disks, d)
		return nil
	})
	return fs
}

// testMemoryMiB is a test binary's default guest memory: more than a
// program's, since tests often hold their inputs and outputs in memory
// and t.TempDir lives in the guest's RAM.
const testMemoryMiB = 512

// goValueFlags are the go test flags (build flags, test flags and the
// test binary's own) whose value may be the next argument; the rest are
// boolean. coracle test needs them to tell a flag's value from a package
// pattern (go help build, go help testflag).
var goValueFlags = map[string]bool{
	"C": true, "p": true, "o": true, "asmflags": true, "buildmode": true,
	"compiler": true, "gccgoflags": true, "gcflags": true,
	"installsuffix": true, "ldflags": true, "mod": true, "modfile": true,
	"overlay": true, "pgo": true, "pkgdir": true, "tags": true,
	"toolexec": true, "exec": true, "vet": true, "covermode": true,
	"coverpkg": true, "bench": true, "benchtime": true, "count": true,
	"coverprofile": true, "cpu": true, "fuzz": true, "fuzzminimizetime": true,
	"fuzztime": true, "list": true, "parallel": true, "run": true,
	"skip": true, "timeout": true, "shuffle": true, "blockprofile": true,
	"blockprofilerate": true, "cpuprofile": true, "memprofile": true,
	"memprofilerate": true, "mutexprofile": true, "mutexprofilefraction": true,
	"outputdir": true, "trace": true,
}

// goFlagsCoracleSets are go test flags coracle test sets itself.
var goFlagsCoracleSets = map[string]string{
	"exec":    "coracle test runs every test binary with its own -exec program",
	"overlay": "coracle test adds the kernel to the test binaries with its own -overlay",
}

func parseTest(args []string) (TestArgs, error) {
	var t TestArgs
	var machine, accel string
	fs := testFlags(&t.Guest, &machine, &accel)
	// Set the defaults.
	if err := fs.Parse(nil); err != nil {
		return t, usageErrorf("test: %v", err)
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "-args" || a == "--args" {
			t.GoArgs = append(t.GoArgs, args[i:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" || a == "--" {
			if a == "--" {
				return t, usageErrorf("test: unexpected --: pass the test binary's own arguments after -args, as for go test")
			}
			t.Patterns = append(t.Patterns, a)
			t.GoArgs = append(t.GoArgs, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name == "v" && !hasValue && i+1 < len(args) && strings.Contains(args[i+1], ":") && !strings.HasPrefix(args[i+1], "-") {
			value, hasValue = args[i+1], true
			i++
		} else if name == "v" && hasValue && !strings.Contains(value, ":") {
			// go test's -v=true or -v=false.
			t.GoArgs = append(t.GoArgs, a)
			continue
		}
		if f := fs.Lookup(name); f != nil && (name != "v" || hasValue) {
			if !hasValue {
				if i+1 == len(args) {
					return t, usageErrorf("test: flag needs an argument: -%s", name)
				}
				i++
				value = args[i]
			}
			if err := fs.Set(name, value); err != nil {
				return t, usageErrorf("test: invalid value %q for flag -%s: %v", value, name, err)
			}
			continue
		}
		if why, ok := goFlagsCoracleSets[strings.TrimPrefix(name, "test.")]; ok {
			return t, usageErrorf("test: -%s: %s", name, why)
		}
		if name == "C" {
			if !hasValue && i+1 < len(args) {
				i++
				value = args[i]
			}
			t.Dir = value
			continue
		}
		t.GoArgs = append(t.GoArgs, a)
		if goValueFlags[strings.TrimPrefix(name, "test.")] && !hasValue && i+1 < len(args) {
			i++
			value = args[i]
			t.GoArgs = append(t.GoArgs, value)
		}
		if strings.TrimPrefix(name, "test.") == "fuzz" && value != "" {
			return t, usageErrorf("test: -fuzz cannot run in a guest: go test's fuzzing coordinator starts the test binary again as worker processes, and a guest runs one program (nor does the fuzzing instrumentation build with the kernel: docs/testing.md). Run the fuzz tests' seed corpora without -fuzz (coracle test runs them like any test), and fuzz natively with go test -fuzz")
		}
	}

	var err error
	if err = qemu.CheckMemory(t.Guest.MemoryMiB, 0); err != nil {
		return t, usageErrorf("test: %v", err)
	}
	if err = qemu.CheckCPUs(t.Guest.CPUs); err != nil {
		return t, usageErrorf("test: %v", err)
	}
	if t.Guest.Machine, err = qemu.ParseMachine(machine); err != nil {
		return t, usageErrorf("test: --machine: %v", err)
	}
	if t.Guest.Accel, err = qemu.ParseAccel(accel); err != nil {
		return t, usageErrorf("test: --accel: %v", err)
	}
	return t, nil
}

// execArgs encodes g as coracle exec-test's flags, which parseExecTest
// reads back.
func (g GuestArgs) execArgs() []string {
	accel := string(g.Accel)
	if g.Accel == qemu.AccelAuto {
		accel = "auto"
	}
	args := []string{"-m", strconv.Itoa(g.MemoryMiB), "--machine", string(g.Machine), "--accel", accel}
	if g.CPUs > 1 {
		args = append(args, "--cpus", strconv.Itoa(g.CPUs))
	}
	if g.TmpDir != "" {
		args = append(args, "--tmpdir", g.TmpDir)
	}
	for _, s := range g.Shares {
		v := absPath(s.HostDir) + ":" + s.GuestDir
		if s.ReadOnly {
			v += ":ro"
		}
		args = append(args, "-v", v)
	}
	for _, kv := range g.CallerEnv {
		args = append(args, "--callerenv", kv)
	}
	for _, d := range g.Disks {
		v := absPath(d.File) + ":" + d.GuestDir
		if d.ReadOnly {
			v += ",ro"
		}
		args = append(args, "--disk", v)
	}
	return append(args, "--")
}

// absPath makes a host path absolute: coracle exec-test runs in each
// package's directory, not in coracle test's.
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// ExecTestArgs are the arguments of coracle exec-test, the -exec program
// of the go test that coracle test runs: the guest's settings, the test
// binary go test built, and the binary's arguments.
type ExecTestArgs struct {
	Guest  GuestArgs
	Binary string
	Args   []string
}

func parseExecTest(args []string) (ExecTestArgs, error) {
	var e ExecTestArgs
	var machine, accel string
	fs := testFlags(&e.Guest, &machine, &accel)
	fs.Func("callerenv", "", func(v string) error {
		e.Guest.CallerEnv = append(e.Guest.CallerEnv, v)
		return nil
	})
	if err := parseFlags(fs, args); err != nil {
		return e, err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return e, usageErrorf("exec-test: missing the test binary")
	}
	e.Binary, e.Args = rest[0], rest[1:]
	var err error
	if err = qemu.CheckCPUs(e.Guest.CPUs); err != nil {
		return e, usageErrorf("exec-test: %v", err)
	}
	if e.Guest.Machine, err = qemu.ParseMachine(machine); err != nil {
		return e, usageErrorf("exec-test: --machine: %v", err)
	}
	if e.Guest.Accel, err = qemu.ParseAccel(accel); err != nil {
		return e, usageErrorf("exec-test: --accel: %v", err)
	}
	return e, nil
}
