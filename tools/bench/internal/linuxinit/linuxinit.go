// Package linuxinit is what a benchmark program does first when it is the
// /init of a Linux microVM (tools/bench/internal/linuxguest builds it):
// load the kernel modules its initramfs brings and mount what it works on.
// In a coracle guest none of it is called.
//
// Runs in the guest program (Linux or coracle), never in trap context.
package linuxinit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// ModuleDir holds the kernel modules a Linux guest's initramfs brings,
// NAME.ko, uncompressed (tools/bench/internal/linuxguest).
const ModuleDir = "/lib/modules"

// MountDisk is what a Linux guest's /init does before measuring: load
// the modules named, in order (virtio-mmio, virtio-blk, ext4 and what
// they need), mount devtmpfs on /dev for the block device's node and
// sysfs on /sys for ClockSource, and mount device as ext4 on dir with
// the default options (data=ordered, barriers on: fsync flushes the
// device's cache, as coracle's does).
func MountDisk(device, dir string, modules []string) error {
	for _, m := range modules {
		if err := LoadModule(m); err != nil {
			return err
		}
	}
	for _, m := range []struct{ source, target, fstype string }{
		{"devtmpfs", "/dev", "devtmpfs"},
		{"sysfs", "/sys", "sysfs"},
	} {
		if err := os.MkdirAll(m.target, 0o755); err != nil {
			return err
		}
		if err := syscall.Mount(m.source, m.target, m.fstype, 0, ""); err != nil {
			return fmt.Errorf("mount -t %s %s %s: %w", m.fstype, m.source, m.target, err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := syscall.Mount(device, dir, "ext4", 0, ""); err != nil {
		return fmt.Errorf("mount -t ext4 %s %s: %w", device, dir, err)
	}
	return nil
}

// LoadModule loads ModuleDir/name.ko with finit_module(2), without
// parameters. A module that is already there (EEXIST) is fine.
func LoadModule(name string) error {
	f, err := os.Open(filepath.Join(ModuleDir, name+".ko"))
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.FinitModule(int(f.Fd()), "", 0); err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("loading module %s: %w", name, err)
	}
	return nil
}

// ClockSource names the clock source Linux reads time from, or
// "unknown" where there is no sysfs (coracle).
func ClockSource() string {
	b, err := os.ReadFile("/sys/devices/system/clocksource/clocksource0/current_clocksource")
	if s := strings.TrimSpace(string(b)); err == nil && s != "" {
		return s
	}
	return "unknown"
}
