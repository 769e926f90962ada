package tmpfs

import "github.com/coracle-os/coracle/kernel/abi/linux"

// Mkfifo makes a FIFO (named pipe) name in dir with permissions perm
// (mkfifo(3), mknod(2) with S_IFIFO). tmpfs keeps only the node: the
// pipe behind it is the caller's while the FIFO is open, as Linux's
// tmpfs leaves it to the pipe code; Read, Write and Truncate refuse the
// node with EINVAL.
func (fs *FS) Mkfifo(dir Ino, name []byte, perm uint32, now int64) (Ino, linux.Errno) {
	return fs.add(dir, name, linux.S_IFIFO|perm&0o7777, now)
}
