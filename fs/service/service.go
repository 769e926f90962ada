// Package service is the request loop of the kernel's service mounts
// (kernel/abi/shares): it takes each request the kernel queues for a
// shared host directory or a disk (devcall.ShareTake), hands it to the
// backend that serves the request's mount (fs/shares over 9P, fs/disks
// over ext4), and ends it with the backend's result (devcall.ShareDone).
// The kernel has one work descriptor and one queue for all mounts, so
// the backends linked into an image share this one loop: each registers
// the mounts it serves (Register), and the first registration starts
// the loop. It also has what the backends share beyond the loop: the
// numbering of open files (Handles) and the rules for symbolic links
// inside a mount (InMount, LinkInMount, CreateTarget).
//
// Trap context: none. It runs in goroutines, one per request.
package service

import (
	"fmt"
	"os"
	"sync"
	"syscall"
	"unsafe"

	"github.com/coracle-os/coracle/kernel/abi/cmdline"
	"github.com/coracle-os/coracle/kernel/abi/devcall"
	"github.com/coracle-os/coracle/kernel/abi/shares"
	"github.com/coracle-os/coracle/kernel/sysgo"
)

// Backend serves the requests of some mounts.
type Backend interface {
	// Do carries out req, filling res; an error's errno (Errno) ends
	// the call instead. It runs in a goroutine of its own, concurrently
	// with other requests.
	Do(req *shares.Request, res *shares.Result) error
	// Errno is the Linux errno for an error Do returned.
	Errno(err error) uint32
}

// Mount is a service mount the command line names, with its index in
// the kernel's table (Request.Share).
type Mount struct {
	Index    int
	Kind     shares.Kind
	Tag      string // a share's virtio-9p mount tag
	Guest    string // the mount point, decoded
	ReadOnly bool
}

// Mounts returns the service mounts the command line cmd names, of
// kind (0: every kind), numbered as the kernel numbers them.
func Mounts(cmd string, kind shares.Kind) []Mount {
	var out []Mount
	i := 0
	sc := cmdline.NewScanner(cmd)
	for w, ok := sc.Next(); ok; w, ok = sc.Next() {
		m, ok := shares.ParseMount(w.Key, w.Value)
		if !ok {
			continue // the kernel skips it too, and numbers the rest without it
		}
		if i < shares.MaxMounts && (kind == 0 || m.Kind == kind) {
			buf := make([]byte, cmdline.DecodedLen(m.Path))
			cmdline.Decode(buf, m.Path)
			out = append(out, Mount{Index: i, Kind: m.Kind, Tag: m.Tag, Guest: string(buf), ReadOnly: m.ReadOnly})
		}
		i++
	}
	return out
}

var (
	mu       sync.RWMutex
	backends [shares.MaxMounts]Backend // guarded by mu
	start    sync.Once
	startErr error
)

// Register makes b the backend of the mounts with the given indices and
// starts the request loop if it is not running yet. A request for a
// mount without a backend fails with ENODEV.
func Register(b Backend, indices ...int) error {
	mu.Lock()
	for _, i := range indices {
		if i >= 0 && i < len(backends) {
			backends[i] = b
		}
	}
	mu.Unlock()
	start.Do(func() {
		work, err := devcall.ShareRegister()
		if err != nil {
			startErr = err
			return
		}
		sysgo.Go(func() { serve(work) })
	})
	if startErr == nil {
		reenterWorkDir()
	}
	return startErr
}

// reenterWorkDir changes into the working directory again, by its path.
// The kernel's mounts take effect when the service registers: a working
// directory the program started in beneath a mount point (coracle.cwd)
// is until then the root file system's directory there, and stays so
// until it is entered again through the mount. A mount whose backend
// registers later (a disk's, after the shares') fails the change, and
// its own Register changes again; if the mount has no such directory,
// the program stays where it is.
func reenterWorkDir() {
	wd, err := syscall.Getwd()
	if err != nil || wd == "/" {
		return
	}
	syscall.Chdir(wd)
}

// serve takes the kernel's requests as they come and answers each in a
// goroutine of its own.
func serve(work *devcall.Events) {
	for {
		for {
			req := new(shares.Request)
			ok, err := devcall.ShareTake(req)
			if err != nil {
				fmt.Fprintf(os.Stderr, "coracle: file service: %v\n", err)
				return
			}
			if !ok {
				break
			}
			sysgo.Go(func() { answer(req) })
		}
		if _, err := work.Wait(); err != nil {
			fmt.Fprintf(os.Stderr, "coracle: file service: %v\n", err)
			return
		}
	}
}

// answer has req's backend do it, and ends it.
func answer(req *shares.Request) {
	res := shares.Result{ID: req.ID}
	var b Backend
	mu.RLock()
	if int(req.Share) < len(backends) {
		b = backends[req.Share]
	}
	mu.RUnlock()
	if b == nil {
		res.Errno = uint32(syscall.ENODEV)
	} else if err := b.Do(req, &res); err != nil {
		res.Errno = b.Errno(err)
	}
	if req.Op == shares.OpClose && res.Errno != 0 {
		res.Errno = 0 // nobody waits; the handle is gone either way
	}
	if err := devcall.ShareDone(&res); err != nil {
		fmt.Fprintf(os.Stderr, "coracle: file service: %v\n", err)
	}
}

// UserBuf is the program's buffer the kernel checked: the services run
// in the program's address space.
func UserBuf(addr, n uint64) []byte {
	if n == 0 {
		return nil
	}
	a := uintptr(addr) // memory the garbage collector does not manage
	return unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&a))), n)
}
