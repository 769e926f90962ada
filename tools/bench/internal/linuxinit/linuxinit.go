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
	if err := LoadModules(modules); err != nil {
		return err
	}
	for _, m := range []struct{ source, target, fstype string }{
		{"devtmpfs", "/dev", "devtmpfs"},
		{"sysfs", "/sys", "sysfs"},
		{device, dir, "ext4"},
	} {
		if err := Mount(m.source, m.target, m.fstype, ""); err != nil {
			return err
		}
	}
	return nil
}

// Mount mounts source of type fstype on target with the options data
// (mount(8)'s -o; "" for none), creating target first: a Linux guest's
// initramfs holds no mount points.
func Mount(source, target, fstype, data string) error {
	if err := os.MkdirAll(target, 0o755); err != nil {
		return err
	}
	if err := syscall.Mount(source, target, fstype, 0, data); err != nil {
		return fmt.Errorf("%s: %w", mountCommand(source, target, fstype, data), err)
	}
	return nil
}

// mountCommand is the mount(8) command line that does what Mount does,
// for its errors.
func mountCommand(source, target, fstype, data string) string {
	if data != "" {
		return fmt.Sprintf("mount -t %s -o %s %s %s", fstype, data, source, target)
	}
	return fmt.Sprintf("mount -t %s %s %s", fstype, source, target)
}

// LoadModules loads the modules named with LoadModule, in order: each
// after those it needs.
func LoadModules(names []string) error {
	for _, m := range names {
		if err := LoadModule(m); err != nil {
			return err
		}
	}
	return nil
}

// Modules splits a comma-separated -modules flag value into the names
// of modules; "" is none.
func Modules(flagValue string) []string {
	if flagValue == "" {
		return nil
	}
	return strings.Split(flagValue, ",")
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

// ClockSource names the clock source Linux reads time from (under TCG,
// a TSC whose calibration failed leaves a coarse one, which would make
// short timings meaningless), or "unknown" where there is no sysfs
// (coracle, or a Linux guest that did not mount it).
func ClockSource() string {
	b, err := os.ReadFile("/sys/devices/system/clocksource/clocksource0/current_clocksource")
	if s := strings.TrimSpace(string(b)); err == nil && s != "" {
		return s
	}
	return "unknown"
}
