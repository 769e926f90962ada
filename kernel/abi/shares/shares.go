// Package shares is the contract between the kernel and the ring-3 file
// services that serve its service mounts: host directories shared into
// the guest (coracle run -v, over virtio-9p; fs/shares) and disks
// (coracle run --disk, ext4 over virtio-blk; fs/disks). It holds the
// requests the kernel hands the services, the results they hand back,
// and the kernel command-line words that name the mounts.
//
// A file system call that reaches a service mount cannot be answered
// in trap context: the answer is behind a device and a protocol or a
// file system format. So the kernel parks the calling thread, queues a
// Request, and makes the services' work descriptor readable; the request
// loop (fs/service, a goroutine) takes the request with
// devcall.ShareTake, hands it to the backend of its mount (9P or ext4),
// and ends the call with devcall.ShareDone and a Result. The kernel then
// finishes the call (makes the descriptor of an open, moves a file
// offset) and wakes the thread. Data moves directly between the device
// and the program's buffer, which the kernel has checked: the services
// run in the program's address space. A disk's regular files are read
// and written through the kernel's page cache instead: the kernel asks
// only for runs of pages (OpFill, OpWriteback), mapped into a window of
// the address space while the request lasts.
//
// Mounts are numbered in command-line order across both kinds of word
// (coracle.share and coracle.disk), counting only the well-formed ones
// (ParseMount); Request.Share is that index, for either kind.
//
// Paths in requests are relative to a directory the service has open (a
// Handle) or to the mount's root (Root), and never leave the mount: ".."
// at its root stays there.
//
// Trap context: the types and constants are used there; nothing here
// allocates.
package shares

import "github.com/coracle-os/coracle/kernel/abi/cmdline"

// Limits.
const (
	// MaxMounts is how many service mounts (shares and disks together)
	// one VM may have.
	MaxMounts = 8
	// PathMax is the longest path a request carries, its NUL included
	// (Linux's PATH_MAX).
	PathMax = 4096
)

// Root, as a request's directory, is the share's root directory.
const Root = -1

// Op is what a request asks.
type Op uint32

// Operations. "Dir, Path" names a file by a path relative to directory
// Dir (a handle, or Root); results are in Result.
const (
	OpOpen      Op = 1 + iota // Dir, Path, Flags (O_*), Mode: a new Handle, and Stat.Ino if the service can name the file (locks need it; 0: the file cannot be locked)
	OpStat                    // Dir, Path, Flags (AT_SYMLINK_NOFOLLOW): Stat
	OpFstat                   // Handle: Stat
	OpRead                    // Handle, Offset, Buf, Len: N bytes read
	OpWrite                   // Handle, Offset, Buf, Len: N bytes written; Offset after them
	OpReaddir                 // Handle, Offset (0 or a previous Result.Offset), Buf, Len: N bytes of linux_dirent64 records; Offset to go on from
	OpMkdir                   // Dir, Path, Mode
	OpUnlink                  // Dir, Path, Flags (AT_REMOVEDIR)
	OpRename                  // Dir, Path to Dir2, Path2; Flags: renameat2's (disks only)
	OpReadlink                // Dir, Path, Buf, Len: N bytes of the link's target
	OpSymlink                 // Dir, Path (the new link), Path2 (its target)
	OpTruncate                // Dir, Path, or Handle if Path is empty; Offset is the new size
	OpFsync                   // Handle; Flags: FsyncData for fdatasync
	OpClose                   // Handle; nobody waits for the result
	OpChmod                   // Dir, Path, Mode
	OpLink                    // a hard link to Dir, Path (Flags: AT_SYMLINK_FOLLOW) at Dir2, Path2
	OpSetTimes                // Dir, Path (Flags: AT_SYMLINK_NOFOLLOW), or Handle if Path is empty: the access time Offset and the modification time Len (ns), unless Mode says OmitAtime or OmitMtime
	OpFill                    // Handle, Offset, Buf, Len (whole pages of the kernel's page cache, mapped for the request's life): the file's bytes there, zeros past its end; N bytes of the file read
	OpWriteback               // Handle, Offset, Buf, Len (pages of the page cache): write the bytes at Offset, extending the file, whatever the handle's O_APPEND; N bytes written
	OpEnd
)

var opNames = [OpEnd]string{"", "open", "stat", "fstat", "read", "write", "readdir", "mkdir",
	"unlink", "rename", "readlink", "symlink", "truncate", "fsync", "close", "chmod", "link", "settimes", "fill", "writeback"}

// String names the operation.
func (o Op) String() string {
	if o < OpEnd {
		return opNames[o]
	}
	return "op?"
}

// StatAccess, in an OpStat request's Flags, asks only whether the
// program may reach the file as Mode (faccessat's F_OK, R_OK, W_OK,
// X_OK bits) says, as root: the result has no Stat, just the errno
// (EACCES for X_OK on a file without an execute bit).
const StatAccess = 1 << 30

// FsyncData, in an OpFsync request's Flags, asks for fdatasync(2)'s
// durability: the file's data and what reading it back needs (its size,
// its blocks), not its times; a service may then skip a journal commit
// that would carry only times (fdatasync(2): "does not flush modified
// metadata unless that metadata is needed ...").
const FsyncData = 1

// OmitAtime and OmitMtime, in an OpSetTimes request's Mode, leave a
// time as it is.
const (
	OmitAtime = 1 << iota
	OmitMtime
)

// Request is one call for the service to make.
type Request struct {
	ID    uint32 // the kernel's; the Result carries it back
	Op    Op
	Share uint32 // index of the mount (share or disk), in command-line order (ParseMount)
	_     uint32

	Dir, Dir2 int32 // directories the paths start from: handles, or Root
	Handle    int32 // the open file the call is about
	Flags     uint32
	Mode      uint32
	_         uint32
	Offset    int64
	Buf, Len  uint64 // the program's buffer

	PathLen, Path2Len uint32
	Path, Path2       [PathMax]byte
}

// PathBytes and Path2Bytes return the request's paths.
func (r *Request) PathBytes() []byte  { return r.Path[:r.PathLen] }
func (r *Request) Path2Bytes() []byte { return r.Path2[:r.Path2Len] }

// Result ends a request.
type Result struct {
	ID     uint32
	Errno  uint32 // 0, or the Linux errno the call fails with
	N      int64
	Offset int64
	Handle int32
	_      uint32
	Stat   Stat
	// Path is, for OpOpen of a directory, where the new handle is in
	// the share: its path from the share's root, without a leading
	// slash ("" for the root). The kernel keeps it for getcwd.
	PathLen uint32
	_       uint32
	Path    [PathMax]byte
}

// PathBytes returns the result's path.
func (r *Result) PathBytes() []byte { return r.Path[:min(int(r.PathLen), PathMax)] }

// Stat is a file's attributes, as stat(2) reports them.
type Stat struct {
	Ino, Nlink, Rdev    uint64
	Mode, UID, GID      uint32
	_                   uint32
	Size, Blocks        int64
	Atime, Mtime, Ctime int64 // nanoseconds since 1970
}

// Key is the kernel command-line word that names a share:
// coracle.share=TAG:PATH or coracle.share=TAG:PATH:ro, one per share in
// order, where TAG is the virtio-9p device's mount tag (letters, digits,
// '-' and '_') and PATH the absolute guest path of its mount point,
// percent-encoded as coracle.arg values are (and so never holding a
// literal ':').
const Key = "coracle.share"

// Split splits a coracle.share value into the tag, the still-encoded
// path and whether the share is read-only; ok is false if it is
// malformed.
func Split(v string) (tag, path string, readOnly, ok bool) {
	i := 0
	for i < len(v) && v[i] != ':' {
		i++
	}
	if i == 0 || i == len(v) || !validTag(v[:i]) {
		return "", "", false, false
	}
	tag, path = v[:i], v[i+1:]
	if n := len(path) - len(":ro"); n >= 0 && path[n:] == ":ro" {
		path, readOnly = path[:n], true
	}
	for j := 0; j < len(path); j++ {
		if path[j] == ':' {
			return "", "", false, false
		}
	}
	if len(path) == 0 || path[0] != '/' {
		return "", "", false, false
	}
	return tag, path, readOnly, true
}

// validTag reports whether tag is made of letters, digits, '-' and '_'.
func validTag(tag string) bool {
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// DiskKey is the kernel command-line word that names a disk:
// coracle.disk=PATH or coracle.disk=PATH:ro, one per disk in order,
// where PATH is the absolute guest path of its mount point,
// percent-encoded as coracle.arg values are. The Nth coracle.disk word
// is the Nth virtio block device the guest finds.
const DiskKey = "coracle.disk"

// SplitDisk splits a coracle.disk value into the still-encoded path and
// whether the disk is read-only; ok is false if it is malformed.
func SplitDisk(v string) (path string, readOnly, ok bool) {
	path = v
	if n := len(path) - len(":ro"); n >= 0 && path[n:] == ":ro" {
		path, readOnly = path[:n], true
	}
	for j := 0; j < len(path); j++ {
		if path[j] == ':' {
			return "", false, false
		}
	}
	if len(path) == 0 || path[0] != '/' {
		return "", false, false
	}
	return path, readOnly, true
}

// Kind is what serves a mount.
type Kind uint8

// Kinds of service mount.
const (
	KindShare Kind = 1 + iota // a host directory over virtio-9p (coracle.share)
	KindDisk                  // an ext4 disk over virtio-blk (coracle.disk)
)

// Mount is one service mount's command-line word, parsed. Tag and Path
// are parts of the word (Path still percent-encoded): nothing is
// allocated.
type Mount struct {
	Kind     Kind
	Tag      string // a share's virtio-9p mount tag; "" for a disk
	Path     string // the mount point, percent-encoded
	ReadOnly bool
}

// ParseMount parses a command-line word (key and value) that names a
// service mount. ok is false for any other word and for a malformed
// one (a bad path, a bad escape, or a path that does not fit a
// request): the kernel and the services both leave those out and
// number the rest without them.
func ParseMount(key, value string) (m Mount, ok bool) {
	switch key {
	case Key:
		m.Kind = KindShare
		m.Tag, m.Path, m.ReadOnly, ok = Split(value)
	case DiskKey:
		m.Kind = KindDisk
		m.Path, m.ReadOnly, ok = SplitDisk(value)
	}
	if !ok || !cmdline.ValidEscapes(m.Path) || cmdline.DecodedLen(m.Path) >= PathMax {
		return Mount{}, false
	}
	return m, true
}
