package tmpfs

import "github.com/coracle-os/coracle/kernel/abi/linux"

// MakeSocket makes a socket inode name in dir with permissions perm, as
// bind(2) of an AF_UNIX socket to a path does. The inode is a name and
// attributes only, like a device node: the socket itself is the
// kernel's, which finds it by the inode's number. Reading or writing
// the inode answers EINVAL; removing it removes the name.
func (fs *FS) MakeSocket(dir Ino, name []byte, perm uint32, now int64) (Ino, linux.Errno) {
	return fs.add(dir, name, linux.S_IFSOCK|perm&0o7777, now)
}
