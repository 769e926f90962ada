// Package disks is the file service behind disks (coracle run --disk
// FILE[:GUESTDIR]): it finds the virtio block devices, opens each
// with drivers/virtio/blk, opens the ext4 file system on it with
// fs/ext4, and answers the requests the kernel queues when a file system
// call reaches a disk's mount point (kernel/abi/shares says how the two
// meet), through the request loop it shares with the shared
// directories' service (fs/service). Files are named by inode number:
// a handle is an inode and the path that led to it.
//
// The command line's Nth coracle.disk word is the Nth block device found
// (virtio.Find: the virtio_mmio.device words' order on microvm, the PCI
// bus's on q35 and pc), the order in which coracle run adds them.
//
// A disk is mounted read-write unless the flag says ,ro; every call maps
// onto fs/ext4's, by inode number. Nothing unmounts a disk: exit(2)
// ends the VM at once, and the journal, replayed at the next read-write
// mount, keeps the file system consistent and every fsync'd change.
//
// coracle build links it into images that ask for it (coracle build
// --disks), and coracle run into those it builds with --disk.
//
// Trap context: none. It runs in goroutines, one per request.
package disks

import (
	"errors"
	"fmt"
	"os"

	"github.com/coracle-os/coracle/drivers/virtio"
	virtioblk "github.com/coracle-os/coracle/drivers/virtio/blk"
	"github.com/coracle-os/coracle/fs/ext4"
	svc "github.com/coracle-os/coracle/fs/service"
	"github.com/coracle-os/coracle/kernel"
	"github.com/coracle-os/coracle/kernel/abi/devcall"
	"github.com/coracle-os/coracle/kernel/abi/shares"
)

func init() {
	if err := start(kernel.Cmdline()); err != nil {
		fmt.Fprintf(os.Stderr, "coracle: disks: %v\n", err)
	}
}

// disk is one attached disk.
type disk struct {
	guest    string // the mount point's path
	fs       *ext4.FS
	readOnly bool // mounted read-only
}

// service holds the disks and the files open on them. It is the
// fs/service backend of the disks' mounts.
type service struct {
	disks [shares.MaxMounts]*disk // by mount index; nil for a share's

	handles svc.Handles[*handle]
}

// start opens the disks the command line names and has the request loop
// send their requests here. Without coracle.disk words there is nothing
// to do.
func start(cmd string) error {
	mounts := svc.Mounts(cmd, shares.KindDisk)
	if len(mounts) == 0 {
		return nil
	}
	devs, err := virtio.Find(cmd, virtio.Block)
	errs := []error{err}
	s := newService()
	var indices []int
	for i, m := range mounts {
		indices = append(indices, m.Index)
		if i >= len(devs) {
			errs = append(errs, fmt.Errorf("%s: no virtio block device for it (%d found)", m.Guest, len(devs)))
			continue
		}
		bd, err := virtioblk.Open(devs[i], virtioblk.Interrupts{LineFlags: devcall.IRQLevel})
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", m.Guest, err))
			continue
		}
		d, err := openDisk(bd, m.Guest, m.ReadOnly || bd.ReadOnly())
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", m.Guest, err))
			continue
		}
		s.disks[m.Index] = d
	}
	if err := svc.Register(s, indices...); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func newService() *service { return &service{} }

// openDisk mounts the ext4 file system on dev, mounted at guest,
// read-only or read-write (replaying its journal if a guest stopped
// without unmounting it).
func openDisk(dev blockDev, guest string, readOnly bool) (*disk, error) {
	fs, err := ext4.Mount(device{dev}, readOnly)
	if err != nil {
		return nil, err
	}
	return &disk{guest: guest, fs: fs, readOnly: fs.ReadOnly()}, nil
}
