package main

import (
	"context"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/coracle-os/coracle/kernel/abi/cmdline"
	"github.com/coracle-os/coracle/tools/bench/internal/linuxguest"
	"github.com/coracle-os/coracle/tools/image"
	"github.com/coracle-os/coracle/tools/internal/hosttsc"
	"github.com/coracle-os/coracle/tools/qemu"
)

// The programs of the first-200 rows, built from this module.
const (
	// httpdPkg is the server both guests run, from the same source.
	httpdPkg = "github.com/coracle-os/coracle/examples/httpd"
	// netinitPkg is the Linux guest's /init: it configures eth0
	// statically and executes httpd.
	netinitPkg = "github.com/coracle-os/coracle/tools/bench/netinit"
)

// httpdModules are the modules Debian's kernel needs for a virtio-net
// NIC on virtio-mmio; the modules they depend on are loaded too.
var httpdModules = []string{"virtio_mmio", "virtio_net"}

// coracleHTTPCmdline is the coracle httpd guest's command line: the
// static address and gateway (net/stack ParseConfig), os.Args[0], and
// under TCG the host's TSC rate, as coracle run gives it.
func coracleHTTPCmdline(accel qemu.Accel, tscParam string) string {
	words := []string{"ip=" + guestAddr.String(), "gw=" + slirpHost.String(), cmdline.Argv0Word("httpd")}
	if accel == qemu.TCG && tscParam != "" {
		words = append(words, tscParam)
	}
	return strings.Join(words, " ")
}

// linuxHTTPCmdline is the Linux httpd guest's command line: base, the
// TSC rate under TCG when base does not give one (as bench-http), and
// what netinit reads: the modules in load order, the static address,
// the program.
func linuxHTTPCmdline(base string, tscKHz uint64, order []string) string {
	words := []string{base}
	if tscKHz > 0 && !strings.Contains(base, "tsc_early_khz=") {
		words = append(words, "tsc_early_khz="+strconv.FormatUint(tscKHz, 10))
	}
	words = append(words,
		"netinit.modules="+strings.Join(order, ","),
		"netinit.ip="+guestAddr.String(),
		"netinit.exec=/httpd",
	)
	return strings.TrimSpace(strings.Join(words, " "))
}

// prepareCoracleHTTP builds httpd into a coracle image, as coracle
// build does, and sets s's target.
func prepareCoracleHTTP(ctx context.Context, base qemu.Config, tmp string, log io.Writer, s *system) error {
	img, err := image.Build(ctx, image.Options{Pkg: httpdPkg, Output: filepath.Join(tmp, "httpd.img"), Progress: log})
	if err != nil {
		return err
	}
	cfg := base
	cfg.Image, cfg.Cmdline = img, coracleHTTPCmdline(base.Accel, hosttsc.CoracleParam())
	args, err := cfg.Args()
	if err != nil {
		return err
	}
	s.http = &httpTarget{args: args, machine: cfg.Machine}
	return nil
}

// prepareLinuxHTTP gets Debian's kernel with its virtio-net modules,
// builds the initramfs (netinit as /init, httpd, the modules) and sets
// s's target. Debian's kernel finds virtio-mmio devices only through
// ACPI, so on microvm the machine is linuxguest.MicrovmACPI.
func prepareLinuxHTTP(ctx context.Context, o options, base qemu.Config, tmp string, log io.Writer, s *system) error {
	k, err := linuxguest.Cache{Dir: o.CacheDir, Log: log}.DebianKernel(ctx, httpdModules...)
	if err != nil {
		return err
	}
	order, err := k.LoadOrder(httpdModules...)
	if err != nil {
		return err
	}
	initramfs, err := linuxguest.ServerInitramfs(ctx, k, order, netinitPkg, httpdPkg, tmp)
	if err != nil {
		return err
	}
	var tscKHz uint64
	if base.Accel == qemu.TCG {
		tscKHz = hosttsc.HostKHz()
	}
	cfg := base
	cfg.Image, cfg.Cmdline, cfg.Initrd = k.Vmlinux, linuxHTTPCmdline(o.LinuxCmdline, tscKHz, order), initramfs
	args, err := cfg.Args()
	if err != nil {
		return err
	}
	if cfg.Machine == qemu.Microvm {
		if args, err = linuxguest.WithMachine(args, linuxguest.MicrovmACPI); err != nil {
			return err
		}
	}
	s.http = &httpTarget{args: args, machine: cfg.Machine}
	s.name = "Linux (" + k.Label + "): examples/httpd started by netinit (" + strings.Join(order, ", ") + ")"
	return nil
}
