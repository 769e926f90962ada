package cli

import (
	"errors"
	"flag"
	"reflect"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/tools/image"
	"github.com/coracle-os/coracle/tools/qemu"
)

func TestParseRun(t *testing.T) {
	defaults := func(target string) RunArgs {
		return RunArgs{MemoryMiB: 256, CPUs: 1, Machine: qemu.Microvm, Accel: qemu.AccelAuto, Target: target,
			Cmdline: "coracle.argv0=" + map[string]string{"./examples/hello": "hello", "p": "p"}[target]}
	}
	tests := []struct {
		name string
		args []string
		want RunArgs
	}{
		{"package only", []string{"./examples/hello"}, defaults("./examples/hello")},
		{"image with all flags", []string{"-m", "64", "-e", "A=1", "--cmdline", "quiet  debug", "--machine", "q35", "--accel", "tcg", "hello.img", "--", "x", "y z"},
			RunArgs{MemoryMiB: 64, CPUs: 1, Env: []string{"A=1"}, Params: "quiet  debug", Machine: qemu.Q35, Accel: qemu.TCG,
				Target: "hello.img", Args: []string{"x", "y z"}, Cmdline: "quiet debug coracle.env=A=1 coracle.arg=x coracle.arg=y%20z coracle.argv0=hello"}},
		{"double-dash flags and =", []string{"--m=32", "--machine=pc", "--accel=kvm", "img"},
			RunArgs{MemoryMiB: 32, CPUs: 1, Machine: qemu.PC, Accel: qemu.KVM, Target: "img", Cmdline: "coracle.argv0=img"}},
		{"repeated -e keeps order", []string{"-e", "B=2", "-e", "A=x=y", "--e", "EMPTY=", "p"},
			RunArgs{MemoryMiB: 256, CPUs: 1, Env: []string{"B=2", "A=x=y", "EMPTY="}, Machine: qemu.Microvm, Target: "p",
				Cmdline: "coracle.env=B=2 coracle.env=A=x=y coracle.env=EMPTY= coracle.argv0=p"}},
		{"guest arguments that look like flags", []string{"p", "--", "-m", "--", "-e"},
			RunArgs{MemoryMiB: 256, CPUs: 1, Machine: qemu.Microvm, Target: "p", Args: []string{"-m", "--", "-e"},
				Cmdline: "coracle.arg=-m coracle.arg=-- coracle.arg=-e coracle.argv0=p"}},
		{"empty guest argument list", []string{"p", "--"}, defaults("p")},
		{"-- before the target", []string{"-m", "20", "--", "p"}, RunArgs{MemoryMiB: 20, CPUs: 1, Machine: qemu.Microvm, Target: "p", Cmdline: "coracle.argv0=p"}},
		{"argv0 given as a parameter wins", []string{"--cmdline", "coracle.argv0=mine", "p"},
			RunArgs{MemoryMiB: 256, CPUs: 1, Params: "coracle.argv0=mine", Machine: qemu.Microvm, Target: "p", Cmdline: "coracle.argv0=mine"}},
		{"program name of an image path", []string{"/tmp/dir/my%app.img"},
			RunArgs{MemoryMiB: 256, CPUs: 1, Machine: qemu.Microvm, Target: "/tmp/dir/my%app.img", Cmdline: "coracle.argv0=my%25app"}},
		{"auto accelerator", []string{"--accel", "auto", "p"}, defaults("p")},
		{"port forwards", []string{"-p", "8080:80", "--p", "5353:53/udp", "p"},
			RunArgs{MemoryMiB: 256, CPUs: 1, Machine: qemu.Microvm, Target: "p", Cmdline: "coracle.argv0=p",
				Network: qemu.Network{Mode: qemu.NetUser, Forwards: []qemu.Forward{{Proto: "tcp", HostPort: 8080, GuestPort: 80}, {Proto: "udp", HostPort: 5353, GuestPort: 53}}}}},
		{"tap", []string{"--tap", "tap0", "p"},
			RunArgs{MemoryMiB: 256, CPUs: 1, Machine: qemu.Microvm, Target: "p", Cmdline: "coracle.argv0=p", Network: qemu.Network{Mode: qemu.NetTap, Tap: "tap0"}}},
		{"time zone database", []string{"--tzdata", "p"},
			RunArgs{MemoryMiB: 256, CPUs: 1, Machine: qemu.Microvm, Target: "p", Cmdline: "coracle.argv0=p", TZData: true}},
		{"gdb stub on the default port", []string{"--gdb", "p"},
			RunArgs{MemoryMiB: 256, CPUs: 1, Machine: qemu.Microvm, Target: "p", Cmdline: "coracle.argv0=p", GDBPort: DefaultGDBPort}},
		{"four vCPUs", []string{"--cpus", "4", "p"},
			RunArgs{MemoryMiB: 256, CPUs: 4, Machine: qemu.Microvm, Target: "p", Cmdline: "coracle.argv0=p"}},
		{"gdb stub on a port", []string{"--gdb=4321", "p"},
			RunArgs{MemoryMiB: 256, CPUs: 1, Machine: qemu.Microvm, Target: "p", Cmdline: "coracle.argv0=p", GDBPort: 4321}},
		{"no network", []string{"--net", "none", "p"},
			RunArgs{MemoryMiB: 256, CPUs: 1, Machine: qemu.Microvm, Target: "p", Cmdline: "coracle.argv0=p", Network: qemu.Network{Mode: qemu.NetNone}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := Parse(append([]string{"run"}, tt.args...))
			if err != nil {
				t.Fatal(err)
			}
			if inv.Command != "run" {
				t.Errorf("command %q, want run", inv.Command)
			}
			if tt.want.Network.Mode == "" {
				tt.want.Network.Mode = qemu.NetUser // the default
			}
			if !reflect.DeepEqual(inv.Run, tt.want) {
				t.Errorf("Parse:\n got %+v\nwant %+v", inv.Run, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "missing command"},
		{"unknown command", []string{"boot", "x"}, `unknown command "boot"`},
		{"run: missing target", []string{"run"}, "missing PKG or IMAGE"},
		{"run: missing target after flags", []string{"run", "-m", "64"}, "missing PKG or IMAGE"},
		{"run: trailing flag", []string{"run", "p", "-m", "64"}, `unexpected "-m" after p: put coracle flags before PKG|IMAGE and the program's arguments after --`},
		{"run: trailing word", []string{"run", "p", "arg"}, `unexpected "arg" after p`},
		{"run: bad -m", []string{"run", "-m", "lots", "p"}, `invalid value "lots" for flag -m`},
		{"run: bad -p", []string{"run", "-p", "8080", "p"}, "want HOST:GUEST"},
		{"run: -p without a network", []string{"run", "--net", "none", "-p", "1:2", "p"}, "--net none"},
		{"run: --net tap without --tap", []string{"run", "--net", "tap", "p"}, "--net tap needs --tap NAME"},
		{"run: --tap with --net none", []string{"run", "--tap", "t0", "--net", "none", "p"}, "conflicts with --net none"},
		{"run: unknown --net", []string{"run", "--net", "bridge", "p"}, `unknown network "bridge"`},
		{"run: too little memory", []string{"run", "-m", "8", "p"}, "-m 8: a guest needs at least 16 MiB"},
		{"run: negative memory", []string{"run", "-m", "-1", "p"}, "at least 16 MiB"},
		{"run: no vCPUs", []string{"run", "--cpus", "0", "p"}, "--cpus 0: want 1 to 256"},
		{"run: too many vCPUs", []string{"run", "--cpus=257", "p"}, "--cpus 257: want 1 to 256"},
		{"test: too many vCPUs", []string{"test", "--cpus", "300", "./p"}, "--cpus 300: want 1 to 256"},
		{"run: bad machine", []string{"run", "--machine", "virt", "p"}, `unknown machine "virt": use microvm, q35 or pc`},
		{"run: bad accel", []string{"run", "--accel", "hvf", "p"}, `unknown accelerator "hvf": use kvm, tcg or auto`},
		{"run: -e without =", []string{"run", "-e", "HOME", "p"}, `invalid value "HOME" for flag -e: want NAME=VALUE`},
		{"run: --gdb port not a number", []string{"run", "--gdb=x", "p"}, "want --gdb or --gdb=PORT"},
		{"run: --gdb port out of range", []string{"run", "--gdb=70000", "p"}, "a TCP port from 1 to 65535"},
		{"run: -e without name", []string{"run", "-e", "=x", "p"}, "want NAME=VALUE"},
		{"run: unknown flag", []string{"run", "-q", "p"}, "flag provided but not defined: -q"},
		{"run: share without a guest directory", []string{"run", "-v", "p", "p"}, "want HOSTDIR:GUESTDIR"},
		{"run: share on the root", []string{"run", "-v", ".:/", "p"}, "not / itself"},
		{"run: share of a missing directory", []string{"run", "-v", "/nonexistent-dir:/data", "p"}, "name an existing directory"},
		{"run: share with a relative guest directory", []string{"run", "-v", ".:data", "p"}, "must be absolute"},
		{"run: disk on the root", []string{"run", "--disk", "d.img:/", "p"}, "must not be / itself"},
		{"run: disk without a file", []string{"run", "--disk", ":/data", "p"}, "name the image file"},
		{"run: too many mounts", []string{"run", "--disk", "a", "--disk", "b", "--disk", "c", "--disk", "d", "--disk", "e",
			"--disk", "f", "--disk", "g", "--disk", "h", "--disk", "i", "p"}, "at most 8"},
		{"run: flag without value", []string{"run", "p", "-m"}, `unexpected "-m"`},
		{"run: control character in --cmdline", []string{"run", "--cmdline", "a\x01b", "p"}, "control character"},
		{"build: missing package", []string{"build"}, "missing PKG"},
		{"build: missing package after -o", []string{"build", "-o", "x.img"}, "missing PKG"},
		{"build: two packages", []string{"build", "./a", "./b"}, `unexpected "./b" after ./a`},
		{"build: trailing flag", []string{"build", "./a", "-o", "x.img"}, `unexpected "-o" after ./a`},
		{"build: -o without value", []string{"build", "-o"}, "flag needs an argument: -o"},
		{"build: unknown flag", []string{"build", "-m", "3", "p"}, "flag provided but not defined: -m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.args)
			var usageErr *UsageError
			if !errors.As(err, &usageErr) {
				t.Fatalf("Parse(%q) = %v, want a *UsageError", tt.args, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestParseBuild(t *testing.T) {
	tests := []struct {
		args []string
		want BuildArgs
	}{
		{[]string{"./examples/hello"}, BuildArgs{Pkg: "./examples/hello"}},
		{[]string{"-o", "out.img", "example.com/cmd/x"}, BuildArgs{Output: "out.img", Pkg: "example.com/cmd/x"}},
		{[]string{"--o=/tmp/a b.img", "."}, BuildArgs{Output: "/tmp/a b.img", Pkg: "."}},
		{[]string{"--files", "..", "--files=..:/srv/x/", "."}, BuildArgs{Pkg: ".", Files: []image.Files{
			{HostDir: "..", GuestDir: "/"}, {HostDir: "..", GuestDir: "/srv/x"}}}},
		{[]string{"--tzdata", "."}, BuildArgs{Pkg: ".", TZData: true}},
	}
	for _, tt := range tests {
		inv, err := Parse(append([]string{"build"}, tt.args...))
		if err != nil {
			t.Errorf("Parse(build %q): %v", tt.args, err)
			continue
		}
		if inv.Command != "build" || !reflect.DeepEqual(inv.Build, tt.want) {
			t.Errorf("Parse(build %q) = %s %+v, want build %+v", tt.args, inv.Command, inv.Build, tt.want)
		}
	}
}

func TestParseHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"-help"}} {
		inv, err := Parse(args)
		if err != nil || inv.Command != "help" {
			t.Errorf("Parse(%q) = %q, %v; want help", args, inv.Command, err)
		}
	}
	for _, args := range [][]string{{"run", "-h"}, {"run", "--help", "p"}, {"build", "-h"}} {
		if _, err := Parse(args); !errors.Is(err, flag.ErrHelp) {
			t.Errorf("Parse(%q) = %v, want flag.ErrHelp", args, err)
		}
	}
}

func TestParseFilesErrors(t *testing.T) {
	for _, tt := range []struct{ arg, want string }{
		{"..:srv", "not absolute"},
		{"..:", "not absolute"},
		{"no-such-dir", "name an existing directory"},
		{"parse.go", "is not a directory"},
		{":/srv", "want DIR[:GUESTDIR]"},
	} {
		_, err := Parse([]string{"build", "--files", tt.arg, "."})
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "files") {
			t.Errorf("build --files %s: %v, want an error about --files containing %q", tt.arg, err, tt.want)
		}
	}
}

// --disk takes FILE[:GUESTDIR][,ro]; disks without a directory are
// mounted at /mnt/diskN by their position, and their words follow the
// shares' on the kernel command line, in order.
func TestParseDisks(t *testing.T) {
	inv, err := Parse([]string{"run", "--disk", "a.img", "--disk", "b:c.img:/data/x/,ro", "--disk", "d.img,ro", "p"})
	if err != nil {
		t.Fatal(err)
	}
	want := []qemu.Disk{
		{File: "a.img", GuestDir: "/mnt/disk0"},
		{File: "b:c.img", GuestDir: "/data/x", ReadOnly: true},
		{File: "d.img", GuestDir: "/mnt/disk2", ReadOnly: true},
	}
	if !reflect.DeepEqual(inv.Run.Disks, want) {
		t.Errorf("disks = %+v\nwant %+v", inv.Run.Disks, want)
	}
	if !strings.HasSuffix(inv.Run.Cmdline, " coracle.disk=/mnt/disk0 coracle.disk=/data/x:ro coracle.disk=/mnt/disk2:ro") {
		t.Errorf("command line %q lacks the disk words", inv.Run.Cmdline)
	}
	inv, err = Parse([]string{"build", "--disks", "p"})
	if err != nil || !inv.Build.Disks {
		t.Errorf("build --disks: %+v, %v", inv.Build, err)
	}
}
