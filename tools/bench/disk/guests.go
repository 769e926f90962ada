package main

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/coracle-os/coracle/tools/bench/internal/boots"
	"github.com/coracle-os/coracle/tools/bench/internal/linuxguest"
	"github.com/coracle-os/coracle/tools/bench/internal/prepare"
	"github.com/coracle-os/coracle/tools/qemu"
)

// probePkg is the program both guests run, from the same source.
const probePkg = "github.com/coracle-os/coracle/tools/bench/diskprobe"

// guestDir is where both guests mount the disk: coracle run --disk's
// default for the first disk.
const guestDir = "/mnt/disk0"

// defaultLinuxCmdline puts Linux's console on the first serial port,
// prints no messages but errors, and makes a failed /init end QEMU
// (panic=-1 reboots, -no-reboot ends) rather than hang. tsc=reliable
// keeps the clock source watchdog from marking the TSC unstable when
// TCG falls behind the ACPI PM timer on a busy host: Linux then times
// with refined-jiffies (4 ms steps), which makes fsync latencies
// meaningless. coracle times with the TSC too.
const defaultLinuxCmdline = "console=ttyS0 quiet panic=-1 tsc=reliable"

// driveCache is QEMU's cache mode for the disk on both sides: writeback,
// QEMU's default, which goes through the host's page cache and makes a
// guest's FLUSH an fdatasync of the image file, so that an fsync in the
// guest costs what a durable write costs.
const driveCache = "writeback"

// guest is one system under test.
type guest struct {
	name    string // "coracle" or "Linux": columns and progress lines
	about   string // what it is, for the report's header
	command []string
	disk    string // the image it boots with, copied from the template before each boot
	prepare.Status
	boots boots.Series[sample]
}

// newGuest returns the guest named, not yet prepared.
func newGuest(name string) *guest { return &guest{name: name} }

// bootResult is one boot of a guest: its figures, or why there are none.
type bootResult = boots.Result[sample]

// probeArgs are diskprobe's arguments, the same for both guests but for
// the Linux guest's mounting.
func probeArgs(o options) []string {
	return []string{
		"-dir", guestDir,
		"-seq-mib", strconv.Itoa(o.seqMiB),
		"-rand-ops", strconv.Itoa(o.randOps),
		"-fsyncs", strconv.Itoa(o.fsyncs),
		"-kv-ops", strconv.Itoa(o.kvOps),
	}
}

// prepareLinux gets Debian's kernel with the disk modules and builds the
// initramfs whose /init is diskprobe; the guest boots QEMU directly.
func prepareLinux(ctx context.Context, o options, host hostQEMU, tmp string) (*guest, error) {
	g := &guest{name: "Linux", disk: filepath.Join(tmp, "disk-linux.img")}
	lg, err := linuxguest.NewDiskGuest(ctx, linuxguest.Cache{Dir: o.CacheDir, Log: host.log}, probePkg, tmp)
	if err != nil {
		return g, err
	}
	probe := append([]string{"-mount", "/dev/vda", "-modules", strings.Join(lg.Modules, ",")}, probeArgs(o)...)
	args, err := lg.Args(host.accel, o.MemoryMiB, o.LinuxCmdline, g.disk, driveCache, probe)
	if err != nil {
		return g, err
	}
	g.command = append([]string{host.path}, args...)
	g.about = lg.Kernel.Label + " (vmlinux, PVH), diskprobe as /init, which loads " + strings.Join(lg.Modules, ", ") +
		" and mounts /dev/vda (ext4, default options) on " + guestDir + "; machine " + linuxguest.MicrovmACPI +
		" (ACPI, to find the device); -drive cache=" + driveCache
	return g, nil
}

// prepareCoracle builds the coracle command unless -coracle names one;
// the guest is booted by coracle run, which builds diskprobe into an
// image with the disk service, attaches the image as a virtio-blk device
// and mounts it on guestDir.
func prepareCoracle(ctx context.Context, o options, host hostQEMU, tmp string) (*guest, error) {
	g := &guest{name: "coracle", disk: filepath.Join(tmp, "disk-coracle.img")}
	bin := o.coracle
	if bin == "" {
		bin = filepath.Join(tmp, "coracle")
		if err := linuxguest.GoBuild(ctx, bin, "github.com/coracle-os/coracle/tools/cmd/coracle"); err != nil {
			return g, err
		}
	}
	g.command = append([]string{bin, "run",
		"--accel", string(host.accel), "-m", strconv.Itoa(o.MemoryMiB), "--net", "none",
		"--disk", g.disk, probePkg, "--"}, probeArgs(o)...)
	g.about = "diskprobe booted by coracle run --disk (the disk mounted on " + guestDir + " by the kernel's disk service), " + string(qemu.Microvm) + ", the QEMU coracle run chooses"
	return g, nil
}
