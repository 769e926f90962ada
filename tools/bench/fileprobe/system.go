package main

import (
	"fmt"
	"os"
	"strings"
	"syscall"
)

// mountTmpfs mounts a tmpfs on dir, creating dir first, and sysfs on
// /sys for clockSource: what a Linux guest's /init needs, its initramfs
// holding neither. The tmpfs may grow to all of RAM (size=100%), as the
// coracle kernel's root may, rather than Linux's default half.
func mountTmpfs(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=100%,mode=1777"); err != nil {
		return fmt.Errorf("mount -t tmpfs tmpfs %s: %w", dir, err)
	}
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
