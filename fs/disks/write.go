package disks

import (
	"github.com/coracle-os/coracle/fs/ext4"
)

// writer is fs/ext4's write side, as its contract names the calls (file
// data, sync, open counts, and directory entries). The service reaches
// the calls through this interface while they are being added to
// *ext4.FS: a disk whose file system lacks them, or says it is
// read-only, is served read-only (EROFS for every change). chmod and
// utimensat need ext4's SetAttr and stay EROFS until then.
type writer interface {
	ReadOnly() bool
	WriteAt(ino uint32, p []byte, off int64) (int, error)
	Truncate(ino uint32, size int64) error
	Sync(ino uint32) error
	Hold(ino uint32)
	Release(ino uint32) error
	Create(dir uint32, name string, mode, uid, gid uint32) (uint32, error)
	Mkdir(dir uint32, name string, mode, uid, gid uint32) (uint32, error)
	Symlink(dir uint32, name, target string, uid, gid uint32) (uint32, error)
	Link(ino, dir uint32, name string) error
	Unlink(dir uint32, name string) error
	Rmdir(dir uint32, name string) error
	Rename(oldDir uint32, oldName string, newDir uint32, newName string, flags uint32) error
}

// writerOf returns fs's write side if it has one and takes changes.
func writerOf(fs *ext4.FS) writer {
	if w, ok := any(fs).(writer); ok && !w.ReadOnly() {
		return w
	}
	return nil
}
