// Package linux holds the Linux x86-64 ABI values that coracle's syscall
// personality speaks: system call numbers and names, errno values, and
// the flag and structure constants of the calls the Go runtime and
// standard library make (docs/linux-abi.md). Values come from the
// Linux UAPI headers named beside each group.
//
// Trap context: all; constants and allocation-free lookups only.
package linux

//go:generate go run gen_sysnames.go

// SyscallName returns the name of system call nr, or "" if it has none.
func SyscallName(nr uint64) string {
	if nr >= NumSyscalls {
		return ""
	}
	return syscallNames[nr]
}

// Errno is a Linux error number. System calls return it negated in RAX.
type Errno uintptr

// Error numbers (include/uapi/asm-generic/errno-base.h, errno.h).
const (
	EPERM           Errno = 1
	ENOENT          Errno = 2
	ESRCH           Errno = 3
	EINTR           Errno = 4
	EIO             Errno = 5
	ENXIO           Errno = 6
	EBADF           Errno = 9
	ECHILD          Errno = 10
	EAGAIN          Errno = 11
	ENOMEM          Errno = 12
	EACCES          Errno = 13
	EFAULT          Errno = 14
	EBUSY           Errno = 16
	EEXIST          Errno = 17
	ENODEV          Errno = 19
	ENOTDIR         Errno = 20
	ENFILE          Errno = 23
	EINVAL          Errno = 22
	EMFILE          Errno = 24
	ENOTTY          Errno = 25
	ENOSPC          Errno = 28
	ESPIPE          Errno = 29
	EISDIR          Errno = 21
	EFBIG           Errno = 27
	EROFS           Errno = 30
	EPIPE           Errno = 32
	ENAMETOOLONG    Errno = 36
	ELOOP           Errno = 40
	EDESTADDRREQ    Errno = 89
	EMSGSIZE        Errno = 90
	EDOM            Errno = 33
	ERANGE          Errno = 34
	ENOSYS          Errno = 38
	ETIMEDOUT       Errno = 110
	EPROTONOSUPPORT Errno = 93
	EAFNOSUPPORT    Errno = 97
	ENOTSOCK        Errno = 88
	ENOPROTOOPT     Errno = 92
	EOPNOTSUPP      Errno = 95
	EADDRINUSE      Errno = 98
	ENOTCONN        Errno = 107
	EISCONN         Errno = 106
	ECONNREFUSED    Errno = 111
	EINPROGRESS     Errno = 115
	EALREADY        Errno = 114
	ESTALE          Errno = 116
	EUCLEAN         Errno = 117
	EBADMSG         Errno = 74
)

// Ret0 is Ret, or 0 for no error.
func (e Errno) Ret0() uint64 {
	if e == 0 {
		return 0
	}
	return e.Ret()
}

// Ret is the RAX value that reports e.
func (e Errno) Ret() uint64 { return uint64(-int64(e)) }

// Socket types and flags (include/linux/net.h, asm-generic/socket.h).
const (
	SOCK_TYPE_MASK = 0xf // the type; the bits above it are flags
	SOCK_NONBLOCK  = 0x800
	SOCK_CLOEXEC   = 0x80000
)

// arch_prctl codes (arch/x86/include/uapi/asm/prctl.h).
const (
	ARCH_SET_GS = 0x1001
	ARCH_SET_FS = 0x1002
	ARCH_GET_FS = 0x1003
	ARCH_GET_GS = 0x1004
)

// clone flags (include/uapi/linux/sched.h).
const (
	CLONE_VM             = 0x100
	CLONE_FS             = 0x200
	CLONE_FILES          = 0x400
	CLONE_SIGHAND        = 0x800
	CLONE_SYSVSEM        = 0x40000
	CLONE_THREAD         = 0x10000
	CLONE_SETTLS         = 0x80000
	CLONE_PARENT_SETTID  = 0x100000
	CLONE_CHILD_CLEARTID = 0x200000
	CLONE_CHILD_SETTID   = 0x1000000
)

// futex operations (include/uapi/linux/futex.h).
const (
	FUTEX_WAIT           = 0
	FUTEX_WAKE           = 1
	FUTEX_PRIVATE_FLAG   = 128
	FUTEX_CLOCK_REALTIME = 256
)

// mmap and friends (include/uapi/asm-generic/mman-common.h, mman.h).
const (
	PROT_NONE  = 0
	PROT_READ  = 1
	PROT_WRITE = 2
	PROT_EXEC  = 4

	MAP_SHARED          = 0x01
	MAP_PRIVATE         = 0x02
	MAP_SHARED_VALIDATE = 0x03
	MAP_TYPE            = 0x0f
	MAP_FIXED           = 0x10
	MAP_ANONYMOUS       = 0x20
	MAP_NORESERVE       = 0x4000
	MAP_FIXED_NOREPLACE = 0x100000

	MS_ASYNC      = 1 // msync(2)
	MS_INVALIDATE = 2
	MS_SYNC       = 4

	MADV_NORMAL     = 0 // madvise(2), include/uapi/asm-generic/mman-common.h
	MADV_RANDOM     = 1
	MADV_SEQUENTIAL = 2
	MADV_WILLNEED   = 3
	MADV_DONTNEED   = 4
	MADV_FREE       = 8
	MADV_HUGEPAGE   = 14
	MADV_NOHUGEPAGE = 15
	MADV_COLLAPSE   = 25

	MLOCK_ONFAULT = 1 // mlock2(2), include/uapi/asm-generic/mman-common.h

	MCL_CURRENT = 1 // mlockall(2), include/uapi/asm-generic/mman.h
	MCL_FUTURE  = 2
	MCL_ONFAULT = 4
)

// Clocks (include/uapi/linux/time.h).
const (
	CLOCK_REALTIME           = 0
	CLOCK_MONOTONIC          = 1
	CLOCK_PROCESS_CPUTIME_ID = 2
	CLOCK_THREAD_CPUTIME_ID  = 3
	CLOCK_MONOTONIC_RAW      = 4
	CLOCK_REALTIME_COARSE    = 5
	CLOCK_MONOTONIC_COARSE   = 6
	CLOCK_BOOTTIME           = 7
)

// Signals (arch/x86/include/uapi/asm/signal.h) and sigaction.
const (
	NSIG        = 64
	SIG_BLOCK   = 0
	SIG_UNBLOCK = 1
	SIG_SETMASK = 2
	SS_ONSTACK  = 1
	SS_DISABLE  = 2
	MINSIGSTKSZ = 2048
	SIGKILL     = 9
	SIGCHLD     = 17
	SIGSTOP     = 19
)

// Files (include/uapi/asm-generic/fcntl.h).
const (
	AT_FDCWD = -100
	F_DUPFD  = 0
	F_GETFD  = 1
	F_SETFD  = 2
	F_GETFL  = 3
	F_SETFL  = 4
	// F_DUPFD_CLOEXEC is F_LINUX_SPECIFIC_BASE (1024) + 6.
	F_DUPFD_CLOEXEC = 1030
	O_RDONLY        = 0
	O_WRONLY        = 1
	O_RDWR          = 2
	O_ACCMODE       = 3
	O_CREAT         = 0x40
	O_TRUNC         = 0x200
	O_DIRECTORY     = 0x10000
	O_NONBLOCK      = 0x800
	O_APPEND        = 0x400
	// O_LARGEFILE is set on every file open(2) opens on 64-bit Linux
	// (force_o_largefile), so F_GETFL shows it.
	O_LARGEFILE   = 0x8000
	AT_EMPTY_PATH = 0x1000
	SEEK_SET      = 0
	SEEK_CUR      = 1
	SEEK_END      = 2
	S_IFREG       = 0o100000
	S_IFCHR       = 0o020000
	S_IFBLK       = 0o060000
	S_IFSOCK      = 0o140000
	O_CLOEXEC     = 0x80000
	FD_CLOEXEC    = 1
)

// epoll and eventfd (include/uapi/linux/eventpoll.h, eventfd.h).
const (
	EPOLL_CTL_ADD = 1
	EPOLL_CTL_DEL = 2
	EPOLL_CTL_MOD = 3
	EPOLLIN       = 0x1
	EPOLLOUT      = 0x4
	EPOLLERR      = 0x8
	EPOLLHUP      = 0x10
	EPOLLRDHUP    = 0x2000
	EPOLLET       = 1 << 31
	EFD_NONBLOCK  = 0x800
	EFD_SEMAPHORE = 1
)

// close_range(2) flags (include/uapi/linux/close_range.h).
const (
	CLOSE_RANGE_UNSHARE = 1 << 1
	CLOSE_RANGE_CLOEXEC = 1 << 2
)

// ioctl(2) requests on any descriptor (include/uapi/asm-generic/ioctls.h):
// the generic ones (ioctl_fionbio, FIOCLEX in fs/ioctl.c), FIONREAD
// (SIOCINQ on sockets) and the terminal's TCGETS.
const (
	TCGETS   = 0x5401
	FIONREAD = 0x541B
	FIONBIO  = 0x5421
	FIONCLEX = 0x5450
	FIOCLEX  = 0x5451
)

// poll(2) events (include/uapi/asm-generic/poll.h): POLLIN, POLLOUT,
// POLLERR, POLLHUP and POLLRDHUP have the values of their EPOLL twins.
const (
	POLLIN     = 0x1
	POLLPRI    = 0x2
	POLLOUT    = 0x4
	POLLERR    = 0x8
	POLLHUP    = 0x10
	POLLNVAL   = 0x20
	POLLRDNORM = 0x40
	POLLWRNORM = 0x100
	POLLRDHUP  = 0x2000
	// FD_SETSIZE is the size of select's descriptor sets
	// (include/uapi/linux/posix_types.h __FD_SETSIZE).
	FD_SETSIZE = 1024
)

// Resource limits (include/uapi/asm-generic/resource.h).
const (
	RLIMIT_NOFILE = 7
	RLIM_INFINITY = ^uint64(0)
)

// File types and errors of the file layer (include/uapi/linux/stat.h,
// include/uapi/asm-generic/errno-base.h, errno.h, include/uapi/linux/fs.h).
const (
	S_IFMT  = 0o170000
	S_IFDIR = 0o040000
	S_IFLNK = 0o120000

	EXDEV     Errno = 18
	EMLINK    Errno = 31
	ENOTEMPTY Errno = 39

	RENAME_NOREPLACE = 1 << 0
	RENAME_EXCHANGE  = 1 << 1
)
