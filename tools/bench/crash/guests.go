package main

import (
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/coracle-os/coracle/tools/bench/internal/linuxguest"
	"github.com/coracle-os/coracle/tools/qemu"
)

// probePkg is the program the guest runs.
const probePkg = "github.com/coracle-os/coracle/tools/bench/crashprobe"

// probeDir is where it works: a directory the image is made with, on the
// first disk, where coracle run --disk mounts it.
const (
	mountDir = "/mnt/disk0"
	probeDir = mountDir + "/crash"
)

// linuxCmdline is the Linux guest's kernel command line before the TSC
// frequency and /init's arguments: the console on the serial port, no
// messages but errors, a failed /init ends QEMU.
const linuxCmdline = "console=ttyS0 quiet panic=-1"

// linuxDriveCache is QEMU's cache mode for the Linux guest's disk:
// writeback, QEMU's default, where a guest's FLUSH is an fdatasync of the
// image file. A SIGKILL of QEMU loses nothing the host kernel has, so
// what the test finds lost, the guest lost.
const linuxDriveCache = "writeback"

// linuxCommand returns the QEMU command line that boots crashprobe as
// Linux's /init with the image as its disk.
func linuxCommand(ctx context.Context, o options, log io.Writer, qemuPath string, accel qemu.Accel, image, tmp string) ([]string, error) {
	g, err := linuxguest.NewDiskGuest(ctx, linuxguest.Cache{Dir: o.cacheDir, Log: log}, probePkg, tmp)
	if err != nil {
		return nil, err
	}
	init := append([]string{"-mount", "/dev/vda", "-modules", strings.Join(g.Modules, ",")}, probeArgs(o)...)
	args, err := g.Args(accel, o.memoryMiB, linuxCmdline, image, linuxDriveCache, init)
	if err != nil {
		return nil, err
	}
	return append([]string{qemuPath}, args...), nil
}

// coracleCommand returns the coracle run command line that boots
// crashprobe with the image as its disk, mounted on mountDir.
func coracleCommand(o options, coracleBin string, accel qemu.Accel, image string) []string {
	return append([]string{coracleBin, "run", "--accel", string(accel), "-m", strconv.Itoa(o.memoryMiB), "--net", "none",
		"--disk", image, probePkg, "--"}, probeArgs(o)...)
}

// probeArgs are crashprobe's arguments on both guests.
func probeArgs(o options) []string {
	args := []string{"-dir", probeDir}
	if o.noSync {
		args = append(args, "-no-sync")
	}
	return args
}
