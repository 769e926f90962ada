package disks

import (
	"github.com/coracle-os/coracle/fs/ext4"
)

// namer is the part of fs/ext4's write side that makes, removes and
// renames directory entries, as its contract names the calls. The
// service reaches the calls through this interface while they are being
// added to *ext4.FS: until then, on a disk mounted read-write, files
// can be written, truncated, synced and have their attributes changed,
// but the calls that change a directory fail with EROFS.
type namer interface {
	Create(dir uint32, name string, mode, uid, gid uint32) (uint32, error)
	Mkdir(dir uint32, name string, mode, uid, gid uint32) (uint32, error)
	Symlink(dir uint32, name, target string, uid, gid uint32) (uint32, error)
	Link(ino, dir uint32, name string) error
	Unlink(dir uint32, name string) error
	Rmdir(dir uint32, name string) error
	Rename(oldDir uint32, oldName string, newDir uint32, newName string, flags uint32) error
}

// namerOf returns fs's directory calls if it has them.
func namerOf(fs *ext4.FS) namer {
	if n, ok := any(fs).(namer); ok {
		return n
	}
	return nil
}
