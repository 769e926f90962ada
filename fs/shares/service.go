// Package shares is the file service behind shared host directories
// (coracle run -v HOSTDIR:GUESTDIR): it finds the virtio 9P devices the
// command line's coracle.share words name, attaches to each with a 9P
// client (github.com/hugelgupf/p9) over the device (drivers/virtio/p9),
// and answers the requests the kernel queues when a file system call
// reaches a share (kernel/abi/shares says how the two meet). coracle
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
	"github.com/coracle-os/coracle/kernel"
	"github.com/coracle-os/coracle/kernel/abi/cmdline"
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

// service holds the shares and the files open in them.
type service struct {
	shares []*share

	mu      sync.Mutex
	handles map[int32]*handle // guarded by mu
	next    int32             // guarded by mu
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

// start attaches the shares the command line names and serves the
// kernel's requests. Without coracle.share words there is nothing to do.
func start(cmd string) error {
	words := shareWords(cmd)
	if len(words) == 0 {
		return nil
	}
	devs, findErr := findDevices(cmd)
	s := &service{handles: map[int32]*handle{}}
	var errs []error
	for _, w := range words {
		sh := &share{tag: w.tag, guest: w.guest}
		s.shares = append(s.shares, sh)
		d := devs[w.tag]
		if d == nil {
			errs = append(errs, fmt.Errorf("no virtio 9P device with tag %q for %s", w.tag, w.guest))
			continue
		}
		client, err := p9.NewClient(d, p9.WithMessageSize(virtio9p.MessageSize))
		if err == nil {
			sh.root, err = client.Attach("")
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s (tag %q): %w", w.guest, w.tag, err))
		}
	}
	work, err := devcall.ShareRegister()
	if err != nil {
		return errors.Join(append(errs, findErr, err)...)
	}
	go s.serve(work)
	return errors.Join(append(errs, findErr)...)
}

type shareWord struct{ tag, guest string }

// shareWords returns the command line's coracle.share words, in order:
// the kernel numbers the shares the same way.
func shareWords(cmd string) []shareWord {
	var out []shareWord
	sc := cmdline.NewScanner(cmd)
	for w, ok := sc.Next(); ok; w, ok = sc.Next() {
		if w.Key != shares.Key {
			continue
		}
		tag, path, _, ok := shares.Split(w.Value)
		if !ok || !cmdline.ValidEscapes(path) {
			continue // the kernel skips it too, and numbers the rest without it
		}
		buf := make([]byte, cmdline.DecodedLen(path))
		cmdline.Decode(buf, path)
		out = append(out, shareWord{tag: tag, guest: string(buf)})
	}
	return out
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

// serve takes the kernel's requests as they come and answers each in a
// goroutine of its own.
func (s *service) serve(work *os.File) {
	var count [8]byte
	for {
		for {
			req := new(shares.Request)
			ok, err := devcall.ShareTake(req)
			if err != nil {
				fmt.Fprintf(os.Stderr, "coracle: shares: %v\n", err)
				return
			}
			if !ok {
				break
			}
			go s.answer(req)
		}
		if _, err := work.Read(count[:]); err != nil {
			fmt.Fprintf(os.Stderr, "coracle: shares: %v\n", err)
			return
		}
	}
}

// answer does req and ends it.
func (s *service) answer(req *shares.Request) {
	res := shares.Result{ID: req.ID}
	if err := s.do(req, &res); err != nil {
		res.Errno = errnoOf(err)
	}
	if req.Op == shares.OpClose && res.Errno != 0 {
		res.Errno = 0 // nobody waits; the handle is gone either way
	}
	if err := devcall.ShareDone(&res); err != nil {
		fmt.Fprintf(os.Stderr, "coracle: shares: %v\n", err)
	}
}
