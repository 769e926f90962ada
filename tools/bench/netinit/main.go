// Command netinit is /init of the Linux guest in the HTTP benchmark
// (tools/bench/http): it does what a distribution's initramfs would do
// for a network server, in a few system calls, and then runs the
// server. In order, it
//
//   - mounts /proc and reads its configuration from /proc/cmdline:
//     netinit.modules=A,B,... (kernel modules, in load order),
//     netinit.ip=ADDR/PREFIX and netinit.dev=NAME (the interface, eth0
//     by default), netinit.exec=PATH (the program to run);
//   - loads each module from /lib/modules/NAME.ko with finit_module,
//     passing it the MODULE.PARAM=VALUE words of the command line, as
//     modprobe would (the kernel applies such words only to built-in
//     code): virtio_mmio needs its device=SIZE@BASE:IRQ words, which
//     QEMU's microvm machine appends;
//   - brings up lo, waits for the interface, gives it the address and
//     brings it up (SIOCSIFADDR, SIOCSIFNETMASK, SIOCSIFFLAGS);
//   - replaces itself with the program (execve), which so becomes PID 1.
//
// On failure it says why on the console and exits; the kernel then
// panics, and with panic=-1 and QEMU's -no-reboot the VM ends.
//
// It is built static (CGO_ENABLED=0) for linux/amd64 and runs only as a
// Linux guest's /init.
package main

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// moduleDir holds the modules, NAME.ko, uncompressed.
const moduleDir = "/lib/modules"

// devWait bounds the wait for the interface to appear after its driver
// is loaded (virtio-net registers it while probing, normally at once).
const devWait = 10 * time.Second

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "netinit: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	if err := os.MkdirAll("/proc", 0o555); err != nil {
		return err
	}
	if err := unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("mounting /proc: %w", err)
	}
	line, err := os.ReadFile("/proc/cmdline")
	if err != nil {
		return err
	}
	c, err := parseConfig(string(line))
	if err != nil {
		return err
	}
	for _, m := range c.modules {
		if err := loadModule(m, c.params[m]); err != nil {
			return err
		}
	}
	if err := ifUp("lo", netip.Prefix{}); err != nil {
		return err
	}
	if err := waitForInterface(c.dev, devWait); err != nil {
		return err
	}
	if err := ifUp(c.dev, c.addr); err != nil {
		return err
	}
	fmt.Printf("netinit: loaded %s; %s is %s; running %s\n", strings.Join(c.modules, ", "), c.dev, c.addr, c.exec)
	return unix.Exec(c.exec, []string{path.Base(c.exec)}, os.Environ())
}

// loadModule loads /lib/modules/name.ko with params. A module that is
// already there (EEXIST) is fine.
func loadModule(name, params string) error {
	f, err := os.Open(filepath.Join(moduleDir, name+".ko"))
	if err != nil {
		return err
	}
	defer f.Close()
	err = unix.FinitModule(int(f.Fd()), params, 0)
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("loading module %s (%q): %w", name, params, err)
	}
	return nil
}

// waitForInterface waits until the network interface name exists.
func waitForInterface(name string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		if _, err := net.InterfaceByName(name); err == nil {
			return nil
		} else if time.Now().After(deadline) {
			return fmt.Errorf("no interface %s after %v: %w", name, limit, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
