package kernel

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/vfs"
)

// openat2(2): openat with a struct open_how whose flags are checked
// strictly (no unknown bits, no mode without O_CREAT or O_TMPFILE, only
// O_PATH's own flags beside O_PATH) and resolve flags that scope the
// walk (kernel/vfs). There are no magic links, so
// RESOLVE_NO_MAGICLINKS changes nothing, and every component is in
// memory, so RESOLVE_CACHED succeeds unless the open would create or
// truncate (EAGAIN, as Linux answers then).

// validOpenFlags is Linux's VALID_OPEN_FLAGS on x86-64.
const validOpenFlags = linux.O_ACCMODE | linux.O_CREAT | linux.O_EXCL | linux.O_NOCTTY | linux.O_TRUNC |
	linux.O_APPEND | linux.O_NONBLOCK | linux.O_SYNC | linux.O_DSYNC | linux.FASYNC | linux.O_DIRECT |
	linux.O_LARGEFILE | linux.O_DIRECTORY | linux.O_NOFOLLOW | linux.O_NOATIME | linux.O_CLOEXEC |
	linux.O_TMPFILE | linux.O_PATH

// openat2(dirfd, path, how, size)
func sysOpenat2(t *Thread, f *amd64.TrapFrame) uint64 {
	size := f.R10
	switch {
	case size < linux.OPEN_HOW_SIZE_VER0:
		return linux.EINVAL.Ret()
	case size > 4096:
		return linux.E2BIG.Ret()
	}
	b, ok := userBytes(f.RDX, size, false)
	if !ok {
		return linux.EFAULT.Ret()
	}
	for _, c := range b[linux.OPEN_HOW_SIZE_VER0:] {
		if c != 0 {
			return linux.E2BIG.Ret() // a newer struct's fields this kernel does not know
		}
	}
	flags := binary.LittleEndian.Uint64(b)
	mode := binary.LittleEndian.Uint64(b[8:])
	resolveFlags := binary.LittleEndian.Uint64(b[16:])
	scope, e := checkOpenHow(flags, mode, resolveFlags)
	if e != 0 {
		return e.Ret()
	}
	if resolveFlags&^linux.RESOLVE_NO_MAGICLINKS == 0 { // no scoping: as openat
		if tg, ok := sharePath(0, f.RDI, f.RSI, flags&linux.O_NOFOLLOW == 0); ok {
			return shareOpen(t, f, tg, uint32(flags), uint32(mode))
		}
	}
	return openScoped(t, f.RDI, f.RSI, uint32(flags), uint32(mode), scope)
}

// checkOpenHow checks open_how's fields as Linux's build_open_flags
// does and returns the resolve flags as vfs.Flags.
func checkOpenHow(flags, mode, resolveFlags uint64) (vfs.Flags, linux.Errno) {
	if flags&^validOpenFlags != 0 {
		return 0, linux.EINVAL
	}
	if flags&linux.O_CREAT != 0 || flags&linux.O_TMPFILE == linux.O_TMPFILE {
		if mode&^0o7777 != 0 {
			return 0, linux.EINVAL
		}
	} else if mode != 0 {
		return 0, linux.EINVAL
	}
	const known = linux.RESOLVE_NO_XDEV | linux.RESOLVE_NO_MAGICLINKS | linux.RESOLVE_NO_SYMLINKS |
		linux.RESOLVE_BENEATH | linux.RESOLVE_IN_ROOT | linux.RESOLVE_CACHED
	if resolveFlags&^known != 0 || resolveFlags&(linux.RESOLVE_BENEATH|linux.RESOLVE_IN_ROOT) == linux.RESOLVE_BENEATH|linux.RESOLVE_IN_ROOT {
		return 0, linux.EINVAL
	}
	if flags&linux.O_PATH != 0 && flags&^(linux.O_PATH|linux.O_DIRECTORY|linux.O_NOFOLLOW|linux.O_CLOEXEC) != 0 {
		return 0, linux.EINVAL
	}
	if resolveFlags&linux.RESOLVE_CACHED != 0 && flags&(linux.O_CREAT|linux.O_TRUNC|linux.O_TMPFILE_BIT) != 0 {
		return 0, linux.EAGAIN
	}
	var scope vfs.Flags
	for _, m := range [...]struct {
		r uint64
		f vfs.Flags
	}{
		{linux.RESOLVE_NO_XDEV, vfs.NoXDev},
		{linux.RESOLVE_NO_SYMLINKS, vfs.NoSymlinks},
		{linux.RESOLVE_BENEATH, vfs.Beneath},
		{linux.RESOLVE_IN_ROOT, vfs.InRoot},
	} {
		if resolveFlags&m.r != 0 {
			scope |= m.f
		}
	}
	return scope, 0
}
