package qemu

import (
	"fmt"
	"path"
	"strings"

	"github.com/coracle-os/coracle/kernel/abi/cmdline"
	"github.com/coracle-os/coracle/kernel/abi/shares"
)

// Disk is a raw ext4 image attached to the guest as a virtio-blk disk
// (coracle run --disk FILE[:GUESTDIR][,ro]).
type Disk struct {
	File     string
	GuestDir string // absolute and clean, not "/"
	ReadOnly bool
}

// DefaultDiskDir is where the i-th disk is mounted when --disk names no
// directory: /mnt/disk0, /mnt/disk1, ...
func DefaultDiskDir(i int) string { return fmt.Sprintf("/mnt/disk%d", i) }

// ParseDisk parses --disk FILE[:GUESTDIR][,ro], the i-th --disk flag. A
// ':' starts GUESTDIR only when an absolute path follows it, so FILE may
// hold ':' otherwise. The file itself is checked later (CheckDisk).
func ParseDisk(v string, i int) (Disk, error) {
	d := Disk{File: v}
	if f, ok := strings.CutSuffix(d.File, ",ro"); ok {
		d.File, d.ReadOnly = f, true
	}
	if j := strings.LastIndex(d.File, ":/"); j >= 0 {
		d.File, d.GuestDir = d.File[:j], d.File[j+1:]
	}
	if d.File == "" {
		return d, fmt.Errorf("--disk %s: name the image file, e.g. --disk data.img:/data", v)
	}
	if d.GuestDir == "" {
		d.GuestDir = DefaultDiskDir(i)
	}
	if path.Clean(d.GuestDir) == "/" {
		return d, fmt.Errorf("--disk %s: the guest directory must not be / itself, e.g. --disk %s:/data", v, d.File)
	}
	d.GuestDir = path.Clean(d.GuestDir)
	if strings.Contains(d.GuestDir, ":") {
		return d, fmt.Errorf("--disk %s: the guest directory may not hold ':'", v)
	}
	return d, nil
}

// diskID is the QEMU drive id of the i-th disk.
func diskID(i int) string { return fmt.Sprintf("disk%d", i) }

// disksArgs returns the QEMU options for disks on machine m: a raw
// drive and a virtio-blk device for each, in the order the guest finds
// them, which is the order of the coracle.disk words: virtio-mmio
// devices on microvm, PCI functions otherwise (see diskBus).
//
// cache=writeback: QEMU writes through the host's page cache and
// offers the guest a volatile write cache (VIRTIO_BLK_F_FLUSH), and
// turns each of the guest's flushes into an fdatasync of the image, so
// an fsync in the guest is durable on the host when it returns
// (cache=unsafe would drop the flushes; cache=none needs O_DIRECT,
// which tmpfs, where test images live, refuses).
func disksArgs(list []Disk, m Machine) []string {
	var args []string
	for i, d := range list {
		drive := "file=" + strings.ReplaceAll(d.File, ",", ",,") + ",format=raw,if=none,id=" + diskID(i) + ",cache=writeback"
		if d.ReadOnly {
			drive += ",readonly=on"
		}
		args = append(args, "-drive", drive, "-device", diskDevice(i, m))
	}
	return args
}

// DiskWords returns the kernel command-line words that mount the disks:
// coracle.disk=GUESTDIR[:ro] (kernel/abi/shares), in order.
func DiskWords(list []Disk) []string {
	var words []string
	for _, d := range list {
		w := cmdline.EncodeWord(shares.DiskKey, d.GuestDir)
		if d.ReadOnly {
			w += ":ro"
		}
		words = append(words, w)
	}
	return words
}

// diskDevice is the i-th disk's -device option on machine m. QEMU puts
// devices given without an address on the next free virtio-mmio
// transport (microvm) or PCI slot (q35, pc), in the order of the
// options, and the guest finds them in transport and slot order: the
// order of the coracle.disk words (TestDisk boots two disks to hold
// QEMU to it).
func diskDevice(i int, m Machine) string {
	if m == Microvm {
		return "virtio-blk-device,drive=" + diskID(i)
	}
	return "virtio-blk-pci,drive=" + diskID(i)
}
