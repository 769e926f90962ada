package linux

// File locks and owners: flock(2) (include/uapi/asm-generic/fcntl.h,
// LOCK_*), fcntl(2) record locks (F_GETLK..., F_RDLCK...; struct flock
// is 32 bytes on x86-64: l_type and l_whence are shorts, then l_start,
// l_len and l_pid), chown(2) (include/uapi/linux/stat.h for the set-ID
// bits) and the errors they answer (include/uapi/asm-generic/errno.h).
const (
	LOCK_SH   = 1
	LOCK_EX   = 2
	LOCK_NB   = 4
	LOCK_UN   = 8
	LOCK_MAND = 32 // no longer supported: flock ignores it and answers 0

	F_GETLK  = 5
	F_SETLK  = 6
	F_SETLKW = 7
	// The open-file-description locks (F_LINUX_SPECIFIC_BASE-free
	// numbers of include/uapi/asm-generic/fcntl.h).
	F_OFD_GETLK  = 36
	F_OFD_SETLK  = 37
	F_OFD_SETLKW = 38

	F_RDLCK = 0
	F_WRLCK = 1
	F_UNLCK = 2

	// SizeofFlock is sizeof(struct flock) on x86-64.
	SizeofFlock = 32

	S_ISUID = 0o4000
	S_ISGID = 0o2000
	S_IXGRP = 0o0010
)

// Errors of the lock calls.
const (
	EDEADLK     Errno = 35
	ENOLCK      Errno = 37
	EWOULDBLOCK       = EAGAIN
)
