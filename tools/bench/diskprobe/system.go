package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// moduleDir holds the kernel modules a Linux guest's initramfs brings,
// NAME.ko, uncompressed (tools/bench/internal/linuxguest).
const moduleDir = "/lib/modules"

// mountDisk is what a Linux guest's /init does before measuring: load
// the modules named, in order (virtio-mmio, virtio-blk, ext4 and what
// they need), mount devtmpfs on /dev for the block device's node and
// sysfs on /sys for clockSource, and mount device as ext4 on dir with
// the default options (data=ordered, barriers on: fsync flushes the
// device's cache, as coracle's does).
func mountDisk(device, dir string, modules []string) error {
	for _, m := range modules {
		if err := loadModule(m); err != nil {
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

// loadModule loads moduleDir/name.ko with finit_module(2), without
// parameters. A module that is already there (EEXIST) is fine.
func loadModule(name string) error {
	f, err := os.Open(filepath.Join(moduleDir, name+".ko"))
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.FinitModule(int(f.Fd()), "", 0); err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("loading module %s: %w", name, err)
	}
	return nil
}

// clockSource names the clock source Linux reads time from, or
// "unknown" where there is no sysfs (coracle).
func clockSource() string {
	b, err := os.ReadFile("/sys/devices/system/clocksource/clocksource0/current_clocksource")
	if s := strings.TrimSpace(string(b)); err == nil && s != "" {
		return s
	}
	return "unknown"
}
