package linuxguest

import (
	"context"
	"os"
	"path/filepath"

	"github.com/coracle-os/coracle/tools/internal/hosttsc"
	"github.com/coracle-os/coracle/tools/qemu"
)

// DiskModules are what a Linux guest loads to mount an ext4 disk on
// virtio-blk: the virtio-mmio transport, the block driver, ext4 (LoadOrder
// adds what they depend on) and crc32c_generic, the "crc32c" that ext4
// asks the crypto API for at mount time (metadata_csum) without a module
// dependency: without it the mount fails ("Cannot load crc32c driver").
var DiskModules = []string{"virtio_mmio", "virtio_blk", "crc32c_generic", "ext4"}

// DiskGuest is a Linux guest whose /init is a Go program that mounts a
// disk (tools/bench/internal/linuxinit.MountDisk) on the microvm
// machine with ACPI (MicrovmACPI: how Linux finds virtio-mmio devices).
type DiskGuest struct {
	Kernel    Kernel
	Initramfs string   // the initramfs file: /init and the modules
	Modules   []string // the modules in load order, for /init's -modules
}

// NewDiskGuest gets Debian's kernel with DiskModules (cache) and writes
// an initramfs to dir whose /init is the program pkg.
func NewDiskGuest(ctx context.Context, cache Cache, pkg, dir string) (DiskGuest, error) {
	var g DiskGuest
	k, err := cache.DebianKernel(ctx, DiskModules...)
	if err != nil {
		return g, err
	}
	order, err := k.LoadOrder(DiskModules...)
	if err != nil {
		return g, err
	}
	fs := Initramfs{}
	for _, m := range order {
		ko, err := os.ReadFile(filepath.Join(k.ModuleDir, m+".ko"))
		if err != nil {
			return g, err
		}
		fs.Files = append(fs.Files, File{Path: "lib/modules/" + m + ".ko", Perm: 0o644, Data: ko})
	}
	bin := filepath.Join(dir, filepath.Base(pkg))
	if err := GoBuild(ctx, bin, pkg); err != nil {
		return g, err
	}
	if fs.Init, err = os.ReadFile(bin); err != nil {
		return g, err
	}
	initramfs := filepath.Join(dir, filepath.Base(pkg)+".cpio")
	if err := fs.WriteFile(initramfs); err != nil {
		return g, err
	}
	return DiskGuest{Kernel: k, Initramfs: initramfs, Modules: order}, nil
}

// Args returns the QEMU arguments that boot the guest with memoryMiB on
// accel, one vCPU, the raw image file as its virtio-blk disk (/dev/vda)
// with QEMU's cache mode cache, and the kernel command line base, the
// TSC frequency under TCG (see tools/bench/internal/tsc), then "--" and
// /init's arguments.
func (g DiskGuest) Args(accel qemu.Accel, memoryMiB int, base, file, cache string, initArgs []string) ([]string, error) {
	var khz uint64
	if accel == qemu.TCG {
		khz = hosttsc.HostKHz()
	}
	cfg := qemu.Config{
		Machine: qemu.Microvm, MemoryMiB: memoryMiB, Accel: accel,
		Image: g.Kernel.Vmlinux, Cmdline: InitCmdline(base, khz, initArgs),
		ExtraArgs: append([]string{"-smp", "1", "-initrd", g.Initramfs}, DriveArgs(file, cache)...),
	}
	args, err := cfg.Args()
	if err != nil {
		return nil, err
	}
	return WithMachine(args, MicrovmACPI)
}

// DriveArgs attach the raw image file as a virtio-blk device on the
// microvm machine's virtio-mmio transport, with QEMU's cache mode cache.
func DriveArgs(file, cache string) []string {
	return []string{
		"-drive", "file=" + file + ",format=raw,if=none,id=disk0,cache=" + cache,
		"-device", "virtio-blk-device,drive=disk0",
	}
}
