package linux

// The file I/O calls beyond read and write: statx (include/uapi/linux/stat.h,
// include/uapi/linux/fcntl.h), preadv2 and pwritev2 (include/uapi/linux/fs.h),
// fallocate (include/uapi/linux/falloc.h), openat2
// (include/uapi/linux/openat2.h) and the file-size limit
// (include/uapi/asm-generic/resource.h).
// Errors these calls add (include/uapi/asm-generic/errno-base.h, errno.h).
const (
	E2BIG     Errno = 7
	EOVERFLOW Errno = 75
)

const (
	// statx(2) mask bits.
	STATX_TYPE        = 0x1
	STATX_MODE        = 0x2
	STATX_NLINK       = 0x4
	STATX_UID         = 0x8
	STATX_GID         = 0x10
	STATX_ATIME       = 0x20
	STATX_MTIME       = 0x40
	STATX_CTIME       = 0x80
	STATX_INO         = 0x100
	STATX_SIZE        = 0x200
	STATX_BLOCKS      = 0x400
	STATX_BASIC_STATS = 0x7ff
	STATX_BTIME       = 0x800
	STATX_MNT_ID      = 0x1000
	STATX__RESERVED   = 0x80000000

	// statx(2) attributes: those the VFS can report for any file.
	STATX_ATTR_AUTOMOUNT  = 0x1000
	STATX_ATTR_MOUNT_ROOT = 0x2000
	STATX_ATTR_DAX        = 0x200000
	// and those tmpfs keeps (chattr +i, +a, +d), which coracle never sets.
	STATX_ATTR_IMMUTABLE = 0x10
	STATX_ATTR_APPEND    = 0x20
	STATX_ATTR_NODUMP    = 0x40

	// statx(2) flags: how to sync with a remote file system.
	AT_STATX_FORCE_SYNC = 0x2000
	AT_STATX_DONT_SYNC  = 0x4000
	AT_STATX_SYNC_TYPE  = 0x6000

	// preadv2(2) and pwritev2(2) flags.
	RWF_HIPRI     = 0x1
	RWF_DSYNC     = 0x2
	RWF_SYNC      = 0x4
	RWF_NOWAIT    = 0x8
	RWF_APPEND    = 0x10
	RWF_NOAPPEND  = 0x20
	RWF_ATOMIC    = 0x40
	RWF_DONTCACHE = 0x80
	RWF_SUPPORTED = RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | RWF_APPEND | RWF_NOAPPEND | RWF_ATOMIC | RWF_DONTCACHE

	// fallocate(2) modes.
	FALLOC_FL_KEEP_SIZE      = 0x1
	FALLOC_FL_PUNCH_HOLE     = 0x2
	FALLOC_FL_COLLAPSE_RANGE = 0x8
	FALLOC_FL_ZERO_RANGE     = 0x10
	FALLOC_FL_INSERT_RANGE   = 0x20
	FALLOC_FL_UNSHARE_RANGE  = 0x40

	// openat2(2): struct open_how and its resolve flags.
	OPEN_HOW_SIZE_VER0    = 24
	RESOLVE_NO_XDEV       = 0x1
	RESOLVE_NO_MAGICLINKS = 0x2
	RESOLVE_NO_SYMLINKS   = 0x4
	RESOLVE_BENEATH       = 0x8
	RESOLVE_IN_ROOT       = 0x10
	RESOLVE_CACHED        = 0x20

	// Open flags openat2 checks for (VALID_OPEN_FLAGS, x86-64 values).
	O_NDELAY  = O_NONBLOCK
	O_DSYNC   = 0x1000
	FASYNC    = 0x2000
	O_NOATIME = 0x40000
	O_SYNC    = 0x101000

	// RLIMIT_FSIZE: the largest file a process may write.
	RLIMIT_FSIZE = 1
	// RLIM_NLIMITS is the number of resources (EINVAL from there on).
	RLIM_NLIMITS = 16
)
