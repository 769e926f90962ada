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
	"github.com/coracle-os/coracle/tools/bench/internal/prepare"
	"github.com/coracle-os/coracle/tools/bench/internal/vcpus"
	"github.com/coracle-os/coracle/tools/image"
	"github.com/coracle-os/coracle/tools/internal/hosttsc"
	"github.com/coracle-os/coracle/tools/qemu"
)

// The programs the guests run, built from this module.
const (
	// httpdPkg is the server both guests run, from the same source.
	httpdPkg = "github.com/coracle-os/coracle/examples/httpd"
	// readyPrefix starts the line httpd prints when it listens.
	readyPrefix = "httpd: listening on"
	// httpPort is where httpd listens by default (":8080").
	httpPort = 8080
	// netinitPkg is the Linux guest's /init.
	netinitPkg = "github.com/coracle-os/coracle/tools/bench/netinit"
)

// linuxModules are the modules Debian's kernel needs for a virtio-net
// NIC on virtio-mmio; the modules they depend on are loaded too.
var linuxModules = []string{"virtio_mmio", "virtio_net"}

// linuxMachine is the Linux guest's QEMU machine: the coracle guest's
// with ACPI on, without which Debian's kernel finds no virtio-mmio NIC
// (see linuxguest.MicrovmACPI).
const linuxMachine = linuxguest.MicrovmACPI

// defaultLinuxCmdline puts Linux's console on the first serial port,
// prints no messages but errors, and makes a failed /init end QEMU
// (panic=-1 reboots, -no-reboot ends) rather than hang.
const defaultLinuxCmdline = "console=ttyS0 quiet panic=-1"

// guest is one system under test.
type guest struct {
	name  string // "coracle" or "Linux": columns and progress lines
	about string // what it is, for the report's header
	args  []string
	prepare.Status
	stopped bool // its QEMU could not start: it is not booted again

	results  map[config][]measurement // a measurement per round
	problems []string                 // what went wrong with the guest itself
	console  string                   // the end of its console, kept when something went wrong
}

// coracleCmdline is the coracle guest's kernel command line on cpus
// vCPUs: coracle.smp=on above one (so that httpd's threads run on every
// CPU), the static address (net/stack ParseConfig) and os.Args[0].
func coracleCmdline(cpus int) string {
	gw := hostAddr.Addr().String()
	line := "ip=" + guestAddr.String() + " gw=" + gw + " " + cmdline.Argv0Word("httpd")
	if p := vcpus.CoracleParams(cpus); p != "" {
		line = p + " " + line
	}
	return line
}

// linuxCmdline is the Linux guest's kernel command line: base, the TSC
// frequency when tscKHz is not 0 and base does not give one (see
// tools/bench/internal/tsc), then what netinit reads (tools/bench/netinit).
func linuxCmdline(base string, tscKHz uint64, modules []string) string {
	var words []string
	if tscKHz > 0 && !strings.Contains(base, "tsc_early_khz=") {
		words = append(words, "tsc_early_khz="+strconv.FormatUint(tscKHz, 10))
	}
	words = append(words,
		"netinit.modules="+strings.Join(modules, ","),
		"netinit.ip="+guestAddr.String(),
		"netinit.exec=/httpd",
	)
	return strings.TrimSpace(base + " " + strings.Join(words, " "))
}

// qemuArgs returns the QEMU arguments of a guest: base (the machine,
// accelerator, vCPUs, memory and NIC, the same for both guests), the
// kernel and its command line, and extra.
func qemuArgs(base qemu.Config, kernel, cmdline string, extra ...string) ([]string, error) {
	cfg := base
	cfg.Image, cfg.Cmdline, cfg.ExtraArgs = kernel, cmdline, extra
	return cfg.Args()
}

// baseConfig is what both guests share.
func baseConfig(o options, accel qemu.Accel, tap string) qemu.Config {
	return qemu.Config{
		Machine:   qemu.Microvm,
		MemoryMiB: o.MemoryMiB,
		CPUs:      o.cpus,
		Accel:     accel,
		Network:   qemu.Network{Mode: qemu.NetTap, Tap: tap},
	}
}

// prepareCoracle builds httpd into a coracle image, as coracle build
// does (tools/image.Build is that command's code).
func prepareCoracle(ctx context.Context, base qemu.Config, tmp string, log io.Writer) (*guest, error) {
	g := &guest{name: "coracle", about: "examples/httpd built into a coracle image (tools/image.Build), kernel command line " + strconv.Quote(coracleCmdline(base.CPUs))}
	img, err := image.Build(ctx, image.Options{Pkg: httpdPkg, Output: filepath.Join(tmp, "httpd.img"), Progress: log})
	if err != nil {
		return g, err
	}
	g.args, err = qemuArgs(base, img, coracleCmdline(base.CPUs))
	return g, err
}

// prepareLinux gets Debian's kernel with its virtio modules and builds
// the initramfs: netinit as /init, httpd, the modules.
func prepareLinux(ctx context.Context, o options, base qemu.Config, tmp string, log io.Writer) (*guest, error) {
	g := &guest{name: "Linux"}
	k, err := linuxguest.Cache{Dir: o.CacheDir, Log: log}.DebianKernel(ctx, linuxModules...)
	if err != nil {
		return g, err
	}
	order, err := k.LoadOrder(linuxModules...)
	if err != nil {
		return g, err
	}
	g.about = k.Label + " (vmlinux, PVH), examples/httpd started by tools/bench/netinit as /init after loading " + strings.Join(order, ", ")

	initBin, httpdBin := filepath.Join(tmp, "netinit"), filepath.Join(tmp, "httpd")
	if err := linuxguest.GoBuild(ctx, initBin, netinitPkg); err != nil {
		return g, err
	}
	if err := linuxguest.GoBuild(ctx, httpdBin, httpdPkg); err != nil {
		return g, err
	}
	fs := linuxguest.Initramfs{}
	if fs.Init, err = os.ReadFile(initBin); err != nil {
		return g, err
	}
	httpd, err := os.ReadFile(httpdBin)
	if err != nil {
		return g, err
	}
	fs.Files = append(fs.Files, linuxguest.File{Path: "httpd", Perm: 0o755, Data: httpd})
	for _, m := range order {
		ko, err := os.ReadFile(filepath.Join(k.ModuleDir, m+".ko"))
		if err != nil {
			return g, err
		}
		fs.Files = append(fs.Files, linuxguest.File{Path: "lib/modules/" + m + ".ko", Perm: 0o644, Data: ko})
	}
	initramfs := filepath.Join(tmp, "initramfs.cpio")
	if err := fs.WriteFile(initramfs); err != nil {
		return g, err
	}
	var tscKHz uint64
	if base.Accel == qemu.TCG {
		tscKHz = hosttsc.HostKHz()
	}
	args, err := qemuArgs(base, k.Vmlinux, linuxCmdline(o.LinuxCmdline, tscKHz, order), "-initrd", initramfs)
	if err != nil {
		return g, err
	}
	g.args, err = linuxguest.WithMachine(args, linuxMachine)
	return g, err
}

// prepareGuests builds the guests that are not skipped. A guest that
// cannot be prepared is reported as failed, and the other is still
// measured.
func prepareGuests(ctx context.Context, o options, base qemu.Config, tmp string, log io.Writer) []*guest {
	logf := func(format string, a ...any) { fmt.Fprintf(log, "bench: "+format+"\n", a...) }
	return prepare.All(logf, "", []prepare.Guest[*guest]{
		{Name: "coracle", Skip: o.skipCoracle, Make: func() (*guest, error) { return prepareCoracle(ctx, base, tmp, log) }},
		{Name: "Linux", Skip: o.SkipLinux, Make: func() (*guest, error) { return prepareLinux(ctx, o, base, tmp, log) }},
	}, func(name string) *guest { return &guest{name: name} })
}
