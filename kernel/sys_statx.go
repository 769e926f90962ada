package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/tmpfs"
	"github.com/coracle-os/coracle/kernel/vfs"
)

// statx(2): the same facts as stat, in struct statx. The answer is
// what Linux 6.1 gives for a tmpfs: the basic fields and the mount ID
// whatever the mask asks (STATX_BTIME is not in it: tmpfs keeps no
// birth time here), the VFS's attribute bits and the attributes tmpfs
// could set (none is: there is no chattr).

// statxT is Linux's struct statx (include/uapi/linux/stat.h), 256 bytes.
type statxT struct {
	mask, blksize               uint32
	attributes                  uint64
	nlink, uid, gid             uint32
	mode, _                     uint16
	ino, size, blocks, attrMask uint64
	atime, btime, ctime, mtime  statxTime
	rdevMajor, rdevMinor        uint32
	devMajor, devMinor          uint32
	mntID                       uint64
	dioMemAlign, dioOffsetAlign uint32
	_                           [12]uint64
}

// statxTime is struct statx_timestamp.
type statxTime struct {
	sec  int64
	nsec uint32
	_    int32
}

var _ [256 - unsafe.Sizeof(statxT{})]struct{}
var _ [unsafe.Sizeof(statxT{}) - 256]struct{}

// rootMountID is the mount ID statx reports for the root file system.
const rootMountID = 1

// statx(dirfd, path, flags, mask, statxbuf)
func sysStatx(t *Thread, f *amd64.TrapFrame) uint64 {
	flags, mask := uint32(f.RDX), uint32(f.R10)
	if flags&^(linux.AT_SYMLINK_NOFOLLOW|linux.AT_NO_AUTOMOUNT|linux.AT_EMPTY_PATH|linux.AT_STATX_SYNC_TYPE) != 0 ||
		flags&linux.AT_STATX_SYNC_TYPE == linux.AT_STATX_SYNC_TYPE || mask&linux.STATX__RESERVED != 0 {
		return linux.EINVAL.Ret()
	}
	if ret, ok := statxInShare(t, f, flags); ok {
		return ret
	}
	var st stat
	var path []byte
	if f.RSI != 0 || flags&linux.AT_EMPTY_PATH == 0 {
		p, e := userPath(f.RSI)
		if e != 0 {
			return e.Ret()
		}
		path = p
	}
	root := false
	switch {
	case len(path) == 0 && flags&linux.AT_EMPTY_PATH != 0:
		if int32(f.RDI) == linux.AT_FDCWD {
			statIno(&st, cwd)
			root = cwd == tmpfs.RootIno
			break
		}
		d := lookupFD(fdArg(f.RDI))
		if d == nil {
			return linux.EBADF.Ret()
		}
		fillStat(&st, d)
		root = d.Kind == fdFile && fileIno(d) == tmpfs.RootIno
	default:
		walk := vfs.Flags(0)
		if flags&linux.AT_SYMLINK_NOFOLLOW != 0 {
			walk = vfs.NoFollow
		}
		r, e := resolve(0, f.RDI, path, walk)
		if e != 0 {
			return e.Ret()
		}
		statIno(&st, r.Node.Ino)
		root = r.Node.Ino == tmpfs.RootIno
	}
	b, ok := userBytes(f.R8, uint64(unsafe.Sizeof(statxT{})), true)
	if !ok {
		return linux.EFAULT.Ret()
	}
	sx := (*statxT)(unsafe.Pointer(&b[0]))
	fillStatx(sx, &st, root)
	return 0
}

// fillStatx turns st into sx; root says st is the root directory (a
// mount root).
func fillStatx(sx *statxT, st *stat, root bool) {
	*sx = statxT{
		mask:    linux.STATX_BASIC_STATS | linux.STATX_MNT_ID,
		blksize: uint32(st.blksize),
		nlink:   uint32(st.nlink), uid: st.uid, gid: st.gid, mode: uint16(st.mode),
		ino: st.ino, size: uint64(st.size), blocks: uint64(st.blks),
		attrMask: linux.STATX_ATTR_AUTOMOUNT | linux.STATX_ATTR_MOUNT_ROOT | linux.STATX_ATTR_DAX,
		atime:    statxTime{sec: st.atime.sec, nsec: uint32(st.atime.nsec)},
		mtime:    statxTime{sec: st.mtime.sec, nsec: uint32(st.mtime.nsec)},
		ctime:    statxTime{sec: st.ctime.sec, nsec: uint32(st.ctime.nsec)},
		// new_encode_dev's halves (include/linux/kdev_t.h).
		rdevMajor: uint32(st.rdev>>8) & 0xfff, rdevMinor: uint32(st.rdev&0xff | st.rdev>>12&0xfff00),
		devMajor: uint32(st.dev>>8) & 0xfff, devMinor: uint32(st.dev&0xff | st.dev>>12&0xfff00),
		mntID: rootMountID,
	}
	if st.dev == rootFSDev {
		sx.attrMask |= linux.STATX_ATTR_IMMUTABLE | linux.STATX_ATTR_APPEND | linux.STATX_ATTR_NODUMP
	}
	if root {
		sx.attributes |= linux.STATX_ATTR_MOUNT_ROOT
	}
}
