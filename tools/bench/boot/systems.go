package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/coracle-os/coracle/tools/bench/internal/console"
	"github.com/coracle-os/coracle/tools/bench/internal/linuxguest"
	"github.com/coracle-os/coracle/tools/internal/hosttsc"
	"github.com/coracle-os/coracle/tools/qemu"
)

// defaultLinuxCmdline puts Linux's console on the first serial port (from
// the first instructions on, with earlyprintk, so that an early failure
// shows), prints no messages but errors (each one is serial output), and
// makes a failed /init reboot, which ends QEMU (-no-reboot), rather than
// hang. Turning off the i8042 probes (as Firecracker's examples do) made
// no measurable difference here.
const defaultLinuxCmdline = "console=ttyS0 earlyprintk=serial quiet panic=-1"

// coracleCmdline asks the kernel for its boot stamps.
const coracleCmdline = "coracle.bootstamps"

// system is one guest under test and what was measured of it.
type system struct {
	name     string // its row in the table
	short    string // in progress lines
	line     string // the line that ends a boot
	args     []string
	baseline baseline
	stamps   bool   // the console has a coracle.bootstamps line
	missing  string // why it is not (or no longer) measured
	failed   bool   // a boot failed: the run fails
	// http, for a first-200 row, is how to boot it: the boot ends with
	// the first complete HTTP/1.1 200, not a console line.
	http *httpTarget

	times  []time.Duration
	guests []bootStamps
	// stampsMissing says why guests is incomplete.
	stampsMissing string
}

// prepare builds the guests and returns the systems to boot: the floor,
// coracle, Linux, then (unless -skip-http) examples/httpd on coracle and
// on Linux, timed to their first HTTP 200. Linux is skipped, with the
// reason in its rows, when its kernel cannot be had; the others must
// build.
func prepare(ctx context.Context, o options, base qemu.Config, tmp string, stderr io.Writer) ([]*system, error) {
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "bench: "+format+"\n", a...) }
	floor := &system{name: "QEMU floor: trivial PVH guest (tools/bench/pvhfloor)", short: "floor", line: floorLine, baseline: floorBaseline}
	coracle := &system{name: "coracle: bootprobe image", short: "coracle", line: probeLine, stamps: true}
	linux := &system{name: "Linux: bootprobe as /init", short: "linux", line: probeLine, baseline: linuxBaseline}

	logf("building the guests")
	floorImg, err := buildFloor(ctx, tmp)
	if err != nil {
		return nil, err
	}
	cfg := base
	cfg.Image = floorImg
	if floor.args, err = cfg.Args(); err != nil {
		return nil, err
	}
	img := floorImg

	if img, err = buildCoracleProbe(ctx, tmp, stderr); err != nil {
		return nil, err
	}
	cfg.Image, cfg.Cmdline = img, coracleCmdline
	if cfg.Accel == qemu.TCG {
		// What coracle run gives a guest under TCG: the host's TSC rate,
		// so that the kernel does not measure it against the PIT.
		cfg.Cmdline = strings.TrimSpace(cfg.Cmdline + " " + hosttsc.CoracleParam())
	}
	if coracle.args, err = cfg.Args(); err != nil {
		return nil, err
	}
	var compare []*system
	if n := o.compareCPUs; n != 0 {
		floorN := &system{name: fmt.Sprintf("QEMU floor, %d vCPU(s)", n), short: compareFloorShort, line: floorLine}
		coracleN := &system{name: fmt.Sprintf("coracle: bootprobe image, %d vCPU(s)", n), short: compareCoracleShort, line: probeLine, stamps: true}
		other := cfg
		other.CPUs = n
		if coracleN.args, err = other.Args(); err != nil {
			return nil, err
		}
		other.Image, other.Cmdline = floorImg, ""
		if floorN.args, err = other.Args(); err != nil {
			return nil, err
		}
		compare = []*system{floorN, coracleN}
	}

	if o.SkipLinux {
		linux.missing = "skipped (-skip-linux)"
	} else if err := prepareLinux(ctx, o, base, tmp, stderr, linux); err != nil {
		logf("skipping Linux: %v", err)
		linux.missing = "skipped: " + console.FirstLine(err.Error())
	}
	systems := append([]*system{floor, coracle}, compare...)
	systems = append(systems, linux)
	if o.skipHTTP {
		return systems, nil
	}
	coracleHTTP := &system{name: "coracle: examples/httpd image, ip= on the command line", short: "coracle-httpd", line: first200Line}
	linuxHTTP := &system{name: "Linux: examples/httpd started by netinit", short: "linux-httpd", line: first200Line, baseline: linuxHTTPBaseline}
	if err := prepareCoracleHTTP(ctx, base, tmp, stderr, coracleHTTP); err != nil {
		return nil, err
	}
	switch {
	case o.SkipLinux:
		linuxHTTP.missing = "skipped (-skip-linux)"
	case o.linuxKernel != "":
		linuxHTTP.missing = "skipped (-linux-kernel: its virtio-net modules are not at hand)"
	default:
		if err := prepareLinuxHTTP(ctx, o, base, tmp, stderr, linuxHTTP); err != nil {
			logf("skipping Linux httpd: %v", err)
			linuxHTTP.missing = "skipped: " + console.FirstLine(err.Error())
		}
	}
	return append(systems, coracleHTTP, linuxHTTP), nil
}

// prepareLinux gets the kernel, builds the initramfs and sets linux's
// name and QEMU arguments.
func prepareLinux(ctx context.Context, o options, base qemu.Config, tmp string, stderr io.Writer, linux *system) error {
	var k linuxguest.Kernel
	var err error
	if o.linuxKernel != "" {
		k, err = linuxguest.UserKernel(ctx, o.linuxKernel, tmp)
	} else {
		k, err = linuxguest.Cache{Dir: o.CacheDir, Log: stderr}.DebianKernel(ctx)
	}
	if err != nil {
		return err
	}
	initramfs, err := linuxguest.ProgramInitramfs(ctx, probePkg, tmp)
	if err != nil {
		return err
	}
	cfg := base
	cfg.Image, cfg.Cmdline = k.Vmlinux, o.LinuxCmdline
	args, err := cfg.Args()
	if err != nil {
		return err
	}
	linux.args = append(args, "-initrd", initramfs)
	linux.name = "Linux (" + k.Label + "): bootprobe as /init"
	return nil
}
