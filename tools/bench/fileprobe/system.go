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

// mountTmpfs mounts a tmpfs on dir, creating dir first: what a Linux
// guest's /init needs, its initramfs holding none. The tmpfs may grow to
// all of RAM (size=100%), as the coracle kernel's root may, rather than
// Linux's default half.
func mountTmpfs(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=100%,mode=1777"); err != nil {
		return fmt.Errorf("mount -t tmpfs tmpfs %s: %w", dir, err)
	}
	return nil
}

// mountShare loads the kernel modules named, in order, from moduleDir
// and mounts the virtio 9P share whose mount tag is tag on dir with the
// mount options opts (mount(8)'s -o; see the kernel's
// Documentation/filesystems/9p.rst), creating dir first: a Linux guest's
// /init that works in a directory shared from the host.
func mountShare(dir, tag, opts string, modules []string) error {
	for _, m := range modules {
		if err := loadModule(m); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := syscall.Mount(tag, dir, "9p", 0, opts); err != nil {
		return fmt.Errorf("mount -t 9p -o %s %s %s: %w", opts, tag, dir, err)
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

// mountSysfs mounts sysfs on /sys for clockSource.
func mountSysfs() error {
	if err := os.MkdirAll("/sys", 0o755); err != nil {
		return err
	}
	if err := syscall.Mount("sysfs", "/sys", "sysfs", 0, ""); err != nil {
		return fmt.Errorf("mount -t sysfs sysfs /sys: %w", err)
	}
	return nil
}

// clockSource names the clock source Linux reads time from (under TCG,
// a TSC whose calibration failed leaves a coarse one, which would make
// short timings meaningless), or "unknown" where there is no sysfs.
func clockSource() string {
	b, err := os.ReadFile("/sys/devices/system/clocksource/clocksource0/current_clocksource")
	if s := strings.TrimSpace(string(b)); err == nil && s != "" {
		return s
	}
	return "unknown"
}
