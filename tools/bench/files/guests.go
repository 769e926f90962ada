package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/coracle-os/coracle/kernel/abi/cmdline"
	"github.com/coracle-os/coracle/tools/bench/internal/linuxguest"
	"github.com/coracle-os/coracle/tools/bench/internal/tsc"
	"github.com/coracle-os/coracle/tools/image"
	"github.com/coracle-os/coracle/tools/qemu"
)

// probePkg is the program both guests run, from the same source.
const probePkg = "github.com/coracle-os/coracle/tools/bench/fileprobe"

// defaultLinuxCmdline puts Linux's console on the first serial port,
// prints no messages but errors, and makes a failed /init end QEMU
// (panic=-1 reboots, -no-reboot ends) rather than hang.
const defaultLinuxCmdline = "console=ttyS0 quiet panic=-1"

// guest is one system under test.
type guest struct {
	name    string // "coracle" or "Linux": columns and progress lines
	about   string // what it is, for the report's header
	args    []string
	missing string // why it is not measured at all: skipped, or failed to build
	failed  bool   // something went wrong: the run fails
	boots   []bootResult
}

// bootResult is one boot of a guest: its figures, or why there are none.
type bootResult struct {
	boot   int
	sample sample
	err    error
}

// probeArgs are fileprobe's arguments, the same for both guests but for
// -mount.
func probeArgs(o options) []string {
	return []string{"-dir", "/tmp", "-benchtime", o.benchtime.String(), "-seq-mib", strconv.Itoa(o.seqMiB)}
}

// coracleCmdline is the coracle guest's kernel command line: fileprobe's
// arguments and its os.Args[0], encoded as coracle run encodes them.
func coracleCmdline(o options) (string, error) {
	line, err := cmdline.Encode("", probeArgs(o), nil)
	if err != nil {
		return "", err
	}
	return line + " " + cmdline.Argv0Word("fileprobe"), nil
}

// linuxCmdline is the Linux guest's kernel command line: base, the TSC
// frequency when tscKHz is not 0 and base does not give one (see
// tools/bench/internal/tsc), then, after "--", /init's arguments: Linux
// passes the words after "--" to init as they are.
func linuxCmdline(base string, tscKHz uint64, probe []string) string {
	words := []string{base}
	if tscKHz > 0 && !strings.Contains(base, "tsc_early_khz=") {
		words = append(words, "tsc_early_khz="+strconv.FormatUint(tscKHz, 10))
	}
	words = append(words, "--", "-mount")
	words = append(words, probe...)
	return strings.TrimSpace(strings.Join(words, " "))
}

// qemuArgs returns the QEMU arguments of a guest: base (the machine,
// accelerator and memory, the same for both guests), the kernel and its
// command line, one vCPU, and extra.
func qemuArgs(base qemu.Config, kernel, cmdline string, extra ...string) ([]string, error) {
	cfg := base
	cfg.Image, cfg.Cmdline = kernel, cmdline
	cfg.ExtraArgs = append([]string{"-smp", "1"}, extra...)
	return cfg.Args()
}

// prepareCoracle builds fileprobe into a coracle image, as coracle build
// does (tools/image.Build is that command's code).
func prepareCoracle(ctx context.Context, o options, base qemu.Config, tmp string, log io.Writer) (*guest, error) {
	g := &guest{name: "coracle", about: "fileprobe built into a coracle image (tools/image.Build), working in /tmp of the root tmpfs"}
	line, err := coracleCmdline(o)
	if err != nil {
		return g, err
	}
	img, err := image.Build(ctx, image.Options{Pkg: probePkg, Output: filepath.Join(tmp, "fileprobe.img"), Progress: log})
	if err != nil {
		return g, err
	}
	g.args, err = qemuArgs(base, img, line)
	return g, err
}

// prepareLinux gets Debian's kernel and builds the initramfs whose /init
// is fileprobe.
func prepareLinux(ctx context.Context, o options, base qemu.Config, tmp string, log io.Writer) (*guest, error) {
	g := &guest{name: "Linux"}
	k, err := linuxguest.Cache{Dir: o.cacheDir, Log: log}.DebianKernel(ctx)
	if err != nil {
		return g, err
	}
	g.about = k.Label + " (vmlinux, PVH), fileprobe as /init, working in a tmpfs it mounts on /tmp (size=100%)"
	bin := filepath.Join(tmp, "fileprobe")
	if err := linuxguest.GoBuild(ctx, bin, probePkg); err != nil {
		return g, err
	}
	init, err := os.ReadFile(bin)
	if err != nil {
		return g, err
	}
	initramfs := filepath.Join(tmp, "initramfs.cpio")
	if err := (linuxguest.Initramfs{Init: init}).WriteFile(initramfs); err != nil {
		return g, err
	}
	var tscKHz uint64
	if base.Accel == qemu.TCG {
		tscKHz = tsc.HostKHz()
	}
	g.args, err = qemuArgs(base, k.Vmlinux, linuxCmdline(o.linuxCmdline, tscKHz, probeArgs(o)), "-initrd", initramfs)
	return g, err
}

// prepare builds the guests that are not skipped. A guest that cannot be
// prepared is reported as failed, and the other is still measured.
func prepare(ctx context.Context, o options, base qemu.Config, tmp string, log io.Writer) []*guest {
	logf := func(format string, a ...any) { fmt.Fprintf(log, "bench: "+format+"\n", a...) }
	var guests []*guest
	for _, p := range []struct {
		name string
		skip bool
		make func() (*guest, error)
	}{
		{"coracle", o.skipCoracle, func() (*guest, error) { return prepareCoracle(ctx, o, base, tmp, log) }},
		{"Linux", o.skipLinux, func() (*guest, error) { return prepareLinux(ctx, o, base, tmp, log) }},
	} {
		if p.skip {
			guests = append(guests, &guest{name: p.name, missing: "skipped (-skip-" + strings.ToLower(p.name) + ")"})
			continue
		}
		logf("preparing the %s guest", p.name)
		g, err := p.make()
		if err != nil {
			logf("%s: %v", p.name, err)
			g.missing, g.failed = "not measured: "+oneLine(err.Error()), true
		}
		guests = append(guests, g)
	}
	return guests
}
