// Package shares is the file service behind shared host directories
// (coracle run -v HOSTDIR:GUESTDIR): it finds the virtio 9P devices the
// command line's coracle.share words name, attaches to each with a 9P
// client (github.com/hugelgupf/p9) over the device (drivers/virtio/p9),
// and answers the requests the kernel queues when a file system call
// reaches a share (kernel/abi/shares says how the two meet), through the
// request loop it shares with the disks' service (fs/service). coracle
// build links it into images that ask for it (coracle build --shares),
// and coracle run into those it builds with -v.
//
// Trap context: none. It runs in goroutines, one per request.
package shares

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/hugelgupf/p9/p9"

	"github.com/coracle-os/coracle/drivers/virtio"
	virtio9p "github.com/coracle-os/coracle/drivers/virtio/p9"
	svc "github.com/coracle-os/coracle/fs/service"
	"github.com/coracle-os/coracle/kernel"
	"github.com/coracle-os/coracle/kernel/abi/devcall"
	"github.com/coracle-os/coracle/kernel/abi/shares"
)

func init() {
	if err := start(kernel.Cmdline()); err != nil {
		fmt.Fprintf(os.Stderr, "coracle: shares: %v\n", err)
	}
}

// share is one attached share.
type share struct {
	tag, guest string // the device's tag; the mount point's path
	root       p9.File
}

// service holds the shares and the files open in them. It is the
// fs/service backend of the shares' mounts.
type service struct {
	shares [shares.MaxMounts]*share // by mount index; nil for a disk's

	handles svc.Handles[*handle]
}

// handle is a file or directory the program has open in a share.
type handle struct {
	share  int
	file   p9.File
	comps  []string // its path from the share's root (for directories: where relative paths start)
	dir    bool
	append bool

	mu          sync.Mutex
	pending     []p9.Dirent // entries read and not handed out yet; guarded by mu
	pendingFrom uint64      // the offset they follow; guarded by mu
}

// start attaches the shares the command line names and has the request
// loop send their requests here. Without coracle.share words there is
// nothing to do.
func start(cmd string) error {
	words := svc.Mounts(cmd, shares.KindShare)
	if len(words) == 0 {
		return nil
	}
	devs, findErr := findDevices(cmd)
	s := &service{}
	var errs []error
	var indices []int
	for _, w := range words {
		sh := &share{tag: w.Tag, guest: w.Guest}
		s.shares[w.Index] = sh
		indices = append(indices, w.Index)
		d := devs[w.Tag]
		if d == nil {
			errs = append(errs, fmt.Errorf("no virtio 9P device with tag %q for %s", w.Tag, w.Guest))
			continue
		}
		client, err := p9.NewClient(d, p9.WithMessageSize(virtio9p.MessageSize))
		if err == nil {
			sh.root, err = client.Attach("")
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s (tag %q): %w", w.Guest, w.Tag, err))
		}
	}
	if err := svc.Register(s, indices...); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(append(errs, findErr)...)
}

// findDevices opens the virtio 9P devices, by tag: those the command
// line's virtio_mmio.device words name (microvm), or else on the PCI bus.
func findDevices(cmd string) (map[string]*virtio9p.Device, error) {
	devs, err := virtio.Find(cmd, virtio.NineP)
	byTag := map[string]*virtio9p.Device{}
	for _, d := range devs {
		nd, oerr := virtio9p.Open(d, devcall.IRQLevel)
		if oerr != nil {
			err = errors.Join(err, oerr)
			continue
		}
		byTag[nd.Tag()] = nd
	}
	return byTag, err
}
