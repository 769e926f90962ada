package main

import "github.com/coracle-os/coracle/tools/bench/internal/linuxinit"

// mountTmpfs mounts a tmpfs on dir: what a Linux guest's /init needs,
// its initramfs holding none. The tmpfs may grow to all of RAM
// (size=100%), as the coracle kernel's root may, rather than Linux's
// default half.
func mountTmpfs(dir string) error {
	return linuxinit.Mount("tmpfs", dir, "tmpfs", "size=100%,mode=1777")
}

// mountShare loads the kernel modules named, in order, and mounts the
// virtio 9P share whose mount tag is tag on dir with the mount options
// opts (mount(8)'s -o; see the kernel's
// Documentation/filesystems/9p.rst): a Linux guest's /init that works in
// a directory shared from the host.
func mountShare(dir, tag, opts string, modules []string) error {
	if err := linuxinit.LoadModules(modules); err != nil {
		return err
	}
	return linuxinit.Mount(tag, dir, "9p", opts)
}

// mountSysfs mounts sysfs on /sys for linuxinit.ClockSource.
func mountSysfs() error {
	return linuxinit.Mount("sysfs", "/sys", "sysfs", "")
}
