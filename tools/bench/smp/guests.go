package main

import (
	"context"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/coracle-os/coracle/kernel/abi/cmdline"
	"github.com/coracle-os/coracle/tools/bench/internal/boots"
	"github.com/coracle-os/coracle/tools/bench/internal/linuxguest"
	"github.com/coracle-os/coracle/tools/bench/internal/prepare"
	"github.com/coracle-os/coracle/tools/bench/internal/vcpus"
	"github.com/coracle-os/coracle/tools/image"
	"github.com/coracle-os/coracle/tools/internal/hosttsc"
	"github.com/coracle-os/coracle/tools/qemu"
)

// probePkg is the program both guests run, from the same source.
const probePkg = "github.com/coracle-os/coracle/tools/bench/smpprobe"

// defaultLinuxCmdline puts Linux's console on the first serial port,
// prints no messages but errors, and makes a failed /init end QEMU
// (panic=-1 reboots, -no-reboot ends) rather than hang. tsc=reliable
// keeps the clock source watchdog from marking the TSC unstable when
// TCG's vCPUs fall behind on a busy host (as the disk benchmark's
// does): Linux then times with refined-jiffies, in 4 ms steps, and its
// time.Now is not what coracle's (the TSC) is.
const defaultLinuxCmdline = "console=ttyS0 quiet panic=-1 tsc=reliable"

// guest is one system under test, at every vCPU count.
type guest struct {
	name  string // "coracle" or "Linux": columns and progress lines
	about string // what it is, for the report's header
	args  map[int][]string
	prepare.Status
	runs map[int]boots.Series[sample] // the boots at each vCPU count
}

// newGuest returns the guest named, not yet prepared.
func newGuest(name string) *guest {
	return &guest{name: name, args: map[int][]string{}, runs: map[int]boots.Series[sample]{}}
}

// bootResult is one boot of a guest: its figures, or why there are none.
type bootResult = boots.Result[sample]

// probeArgs are smpprobe's arguments, the same for both guests but for
// the Linux guest's -mount-sys.
func probeArgs(o options) []string {
	return []string{"-sha-mib", strconv.Itoa(o.shaMiB), "-gc-mib", strconv.Itoa(o.gcMiB)}
}

// coracleCmdline is the coracle guest's kernel command line on cpus
// vCPUs: coracle.smp=on above one, then smpprobe's arguments and its
// os.Args[0], encoded as coracle run encodes them.
func coracleCmdline(o options, cpus int) (string, error) {
	line, err := cmdline.Encode(vcpus.CoracleParams(cpus), probeArgs(o), nil)
	if err != nil {
		return "", err
	}
	return line + " " + cmdline.Argv0Word("smpprobe"), nil
}

// argsAt fills g.args: base with each of o's vCPU counts, the kernel,
// its command line for that count, and the initramfs if any.
func (g *guest) argsAt(o options, base qemu.Config, kernel, initrd string, line func(cpus int) (string, error)) error {
	for _, n := range o.cpus {
		cfg := base
		cfg.CPUs, cfg.Image, cfg.Initrd = n, kernel, initrd
		var err error
		if cfg.Cmdline, err = line(n); err != nil {
			return err
		}
		if g.args[n], err = cfg.Args(); err != nil {
			return err
		}
	}
	return nil
}

// prepareCoracle builds smpprobe into a coracle image, as coracle build
// does (tools/image.Build is that command's code).
func prepareCoracle(ctx context.Context, o options, base qemu.Config, tmp string, log io.Writer) (*guest, error) {
	g := newGuest("coracle")
	g.about = "smpprobe built into a coracle image (tools/image.Build), booted with " + vcpus.SMPParam + " above 1 vCPU"
	img, err := image.Build(ctx, image.Options{Pkg: probePkg, Output: filepath.Join(tmp, "smpprobe.img"), Progress: log})
	if err != nil {
		return g, err
	}
	return g, g.argsAt(o, base, img, "", func(n int) (string, error) { return coracleCmdline(o, n) })
}

// prepareLinux gets Debian's kernel and builds the initramfs whose /init
// is smpprobe.
func prepareLinux(ctx context.Context, o options, base qemu.Config, tmp string, log io.Writer) (*guest, error) {
	g := newGuest("Linux")
	k, err := linuxguest.Cache{Dir: o.CacheDir, Log: log}.DebianKernel(ctx)
	if err != nil {
		return g, err
	}
	g.about = k.Label + " (vmlinux, PVH), smpprobe as /init, which mounts sysfs for the clock source"
	initramfs, err := linuxguest.ProgramInitramfs(ctx, probePkg, tmp)
	if err != nil {
		return g, err
	}
	var khz uint64
	if base.Accel == qemu.TCG {
		khz = hosttsc.HostKHz()
	}
	line := linuxguest.InitCmdline(o.LinuxCmdline, khz, append([]string{"-mount-sys"}, probeArgs(o)...))
	return g, g.argsAt(o, base, k.Vmlinux, initramfs, func(int) (string, error) { return line, nil })
}

// cpusText lists vCPU counts: "1, 2, 4".
func cpusText(cpus []int) string {
	s := make([]string, len(cpus))
	for i, n := range cpus {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
