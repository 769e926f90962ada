package main

import (
	"fmt"
	"strings"

	virtio9p "github.com/coracle-os/coracle/drivers/virtio/p9"
)

// suite is one table of the report: where fileprobe works, which of its
// operations it times there, and the guests that run it.
type suite struct {
	name   string // "tmpfs" or "share": progress lines
	title  string // the table's heading
	dir    string // fileprobe's -dir in both guests
	seqMiB int    // the sequential transfer's size
	ops    []operation
	guests []*guest // coracle, then Linux
}

// The suites' names.
const (
	tmpfsSuite = "tmpfs"
	shareSuite = "share"
)

// shareGuestDir is where both guests find the shared directory.
const shareGuestDir = "/share"

// shareTag is the virtio 9P mount tag of the one share: the first of
// coracle run's (tools/qemu numbers them share0, share1, ...), which
// the Linux guest mounts by name.
const shareTag = "share0"

// linuxShareModules are the modules Debian's kernel needs to mount a
// virtio 9P share on virtio-mmio; the modules they depend on (9pnet,
// and netfs where it is one) are loaded too, first.
var linuxShareModules = []string{"virtio_mmio", "9pnet_virtio", "9p"}

// linuxShareOptions are the Linux guest's 9P mount options: the
// transport and dialect coracle's client uses, its msize
// (drivers/virtio/p9.MessageSize, the largest message coracle's client
// sends and asks for) and cache=none, Linux's default cache mode, said
// out loud: every call goes to the host, as every call of coracle's
// does.
func linuxShareOptions() string {
	return fmt.Sprintf("trans=virtio,version=9p2000.L,msize=%d,cache=none", virtio9p.MessageSize)
}

// shareOperations are the operations timed in a shared directory: the
// file operations, without getpid (no file system in it, measured in
// the tmpfs table) and the pipe round trip (no file system either).
var shareOperations = []operation{
	{name: "open-stat-close", about: "open + fstat + close of an existing 4 KiB file"},
	{name: "pread-4k", about: "pread of 4 KiB from a 1 MiB file"},
	{name: "pwrite-4k", about: "pwrite of 4 KiB over a 1 MiB file"},
	{name: "create-unlink", about: "create (O_CREAT, O_EXCL) + close + unlink"},
	{name: "readdir-1000", about: "open + getdents64 (8 KiB buffer) to the end + close, 1,000 files"},
	{name: "seq-write-1m", about: "sequential write to a new file, per 1 MiB write", mibPerOp: 1},
	{name: "seq-read-1m", about: "sequential read of that file, per 1 MiB read", mibPerOp: 1},
}

// onlyArg is fileprobe's -only value for ops.
func onlyArg(ops []operation) string {
	names := make([]string, len(ops))
	for i, op := range ops {
		names[i] = op.name
	}
	return strings.Join(names, ",")
}
