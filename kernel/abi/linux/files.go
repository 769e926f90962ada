package linux

// The file system calls (include/uapi/asm-generic/fcntl.h,
// include/uapi/linux/fcntl.h, include/uapi/linux/stat.h,
// include/uapi/linux/magic.h, include/linux/fs_types.h for DT_*).
const (
	O_EXCL     = 0x80
	O_NOCTTY   = 0x100
	O_NOFOLLOW = 0x20000
	O_PATH     = 0x200000
	// O_TMPFILE includes O_DIRECTORY (__O_TMPFILE | O_DIRECTORY).
	O_TMPFILE     = 0x410000
	O_TMPFILE_BIT = 0x400000 // __O_TMPFILE

	AT_SYMLINK_NOFOLLOW = 0x100
	AT_REMOVEDIR        = 0x200
	AT_EACCESS          = 0x200 // faccessat's flag shares AT_REMOVEDIR's bit
	AT_SYMLINK_FOLLOW   = 0x400
	AT_NO_AUTOMOUNT     = 0x800

	// access(2) modes.
	F_OK = 0
	X_OK = 1
	W_OK = 2
	R_OK = 4

	// utimensat(2): tv_nsec values that mean "now" and "leave it".
	UTIME_NOW  = 1<<30 - 1
	UTIME_OMIT = 1<<30 - 2

	// getdents64 d_type values.
	DT_UNKNOWN = 0
	DT_FIFO    = 1
	DT_CHR     = 2
	DT_DIR     = 4
	DT_BLK     = 6
	DT_REG     = 8
	DT_LNK     = 10
	DT_SOCK    = 12

	S_ISVTX = 0o1000

	// statfs f_type values.
	TMPFS_MAGIC         = 0x01021994
	PIPEFS_MAGIC        = 0x50495045
	SOCKFS_MAGIC        = 0x534F434B
	ANON_INODE_FS_MAGIC = 0x09041934
	// ST_VALID: statfs's f_flags are filled in.
	ST_VALID = 0x20
)
