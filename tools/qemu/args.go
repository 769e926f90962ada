package qemu

import (
	"fmt"
	"strconv"

	"github.com/coracle-os/coracle/kernel/abi/exitstatus"
)

// consoleArgs connect the guest's first serial port and QEMU's monitor to
// stdio, as -nographic alone does (mon:stdio; Ctrl-A x quits, Ctrl-A c
// switches to the monitor), except that Ctrl-C stops QEMU, as it stops any
// other command, instead of reaching the guest. -nographic then only
// turns the display off.
var consoleArgs = []string{
	"-nographic",
	"-chardev", "stdio,id=console,mux=on,signal=on",
	"-serial", "chardev:console",
	"-mon", "chardev=console,mode=readline",
}

// Config describes one boot of an image.
type Config struct {
	Image     string  // path of the PVH ELF image
	Cmdline   string  // kernel command line (cmdline.Encode)
	Machine   Machine // "" means DefaultMachine
	MemoryMiB int     // 0 means DefaultMemoryMiB
	CPUs      int     // 0 means DefaultCPUs
	Accel     Accel   // KVM or TCG, usually from ChooseAccel
	// Network is the guest's NIC, if any (the zero value: none).
	Network Network
	// Shares are host directories shared over virtio-9p; the command
	// line must hold their ShareWords.
	Shares []Share
	// Disks are ext4 images attached as virtio-blk disks; the command
	// line must hold their DiskWords.
	Disks []Disk
	// Initrd, when not empty, is a file QEMU loads beside the image and
	// names to it as a PVH boot module (-initrd); the kernel unpacks a
	// newc archive there into its root file system at boot.
	Initrd string
	// GDB, when not empty, is the host address (127.0.0.1:PORT) of
	// QEMU's gdb stub; the guest then starts stopped, before its first
	// instruction, until a debugger attached there continues it.
	GDB string
	// ExtraArgs are appended to QEMU's arguments: devices, such as a
	// NIC, that the fixed options do not add.
	ExtraArgs []string
}

// withDefaults fills in the zero fields.
func (c Config) withDefaults() Config {
	if c.Machine == "" {
		c.Machine = DefaultMachine
	}
	if c.MemoryMiB == 0 {
		c.MemoryMiB = DefaultMemoryMiB
	}
	if c.CPUs == 0 {
		c.CPUs = DefaultCPUs
	}
	return c
}

// Args returns the qemu-system-x86_64 arguments for c (without the
// program name).
func (c Config) Args() ([]string, error) {
	c = c.withDefaults()
	if _, err := ParseMachine(string(c.Machine)); err != nil {
		return nil, err
	}
	if c.MemoryMiB < MinMemoryMiB {
		return nil, CheckMemory(c.MemoryMiB, 0)
	}
	if err := CheckCPUs(c.CPUs); err != nil {
		return nil, err
	}
	if c.Image == "" {
		return nil, fmt.Errorf("no image to boot")
	}
	var args []string
	args = append(args, c.Machine.args()...)
	switch c.Accel {
	case KVM:
		// QEMU 7.2 fails to set IA32_ARCH_CAPABILITIES (MSR 0x10a)
		// with the plain "host" model on some hosts.
		args = append(args, "-accel", "kvm", "-cpu", "host,-arch-capabilities")
	case TCG:
		args = append(args, "-accel", "tcg", "-cpu", "max")
	default:
		return nil, fmt.Errorf("accelerator %q not chosen: use ChooseAccel", c.Accel)
	}
	args = append(args, "-m", strconv.Itoa(c.MemoryMiB))
	args = append(args, smpArgs(c.CPUs)...)
	args = append(args, consoleArgs...)
	args = append(args,
		// A CPU reset (a triple fault) ends QEMU rather than
		// rebooting the guest; /etc/qemu configs are ignored.
		"-no-reboot", "-no-user-config",
		"-kernel", c.Image,
	)
	if c.Cmdline != "" {
		args = append(args, "-append", c.Cmdline)
	}
	if c.Initrd != "" {
		args = append(args, "-initrd", c.Initrd)
	}
	args = append(args, "-device", fmt.Sprintf("isa-debug-exit,iobase=%#x,iosize=4", exitstatus.DebugExitPort))
	nic, err := c.Network.Args(c.Machine)
	if err != nil {
		return nil, err
	}
	args = append(args, nic...)
	args = append(args, sharesArgs(c.Shares, c.Machine)...)
	args = append(args, disksArgs(c.Disks, c.Machine)...)
	if c.GDB != "" {
		args = append(args, "-gdb", "tcp:"+c.GDB, "-S")
	}
	return append(args, c.ExtraArgs...), nil
}
