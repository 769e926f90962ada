package kernel

import (
	"github.com/coracle-os/coracle/kernel/abi/devcall"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// The system-call tables: for each number, the handler and how much of
// the call coracle implements. doSyscall reads them in trap context, so
// they are plain data initialised statically. docs/syscalls.md is
// generated from them (syscall_doc_test.go): edit a row here, then run
// `go test ./kernel -run TestSyscallDoc -update` (or go generate).

//go:generate go test . -run TestSyscallDoc -update

// callStatus says how much of a system call coracle implements.
type callStatus uint8

const (
	// callNotImplemented is a number with no entry: it answers ENOSYS
	// and is logged once.
	callNotImplemented callStatus = iota
	// callFull: as Linux does it, within coracle's model of one
	// process (pid 1, run by root) and one in-memory root file system. The note may
	// say how that model shows.
	callFull
	// callPartial: the cases programs use; the note says what is
	// missing or differs.
	callPartial
	// callENOSYSByDesign: refused on purpose, with no handler: the call
	// answers ENOSYS, logged once with the note, which says why.
	callENOSYSByDesign
)

// A syscallEntry is one row of a system-call table. fn is nil exactly
// when status is callNotImplemented or callENOSYSByDesign; note is one
// line, required unless status is callFull.
type syscallEntry struct {
	fn     syscallFn
	status callStatus
	note   string
}

// Notes shared by several rows.
const (
	noteOneProcess   = "one program, one process: there is nothing to fork, and clone makes threads only"
	noteOneImage     = "the image is the whole system: one program linked with its kernel, nothing else to load or run"
	noteNoModules    = "the kernel is linked into the image: there are no loadable modules"
	noteNoVFS        = "one file system, the in-memory root: there is nothing to mount yet"
	noteRootFS       = "files live in the in-memory root file system (a tmpfs), or in a shared host directory or on a disk (docs/shares.md and docs/disks.md say what differs there); "
	noteNoPerms      = "one user, root: permissions are never checked"
	noteLinuxENOSYS  = "Linux answers ENOSYS on x86-64 too"
	noteRoot         = "always 0: one user, root"
	noteNoEINTR      = "signals do not interrupt the wait (no EINTR)"
	noteFileOnly     = "files of the root file system, shared host directories and disks (a disk's regular files through the kernel's page cache, docs/disks.md) only: ESPIPE on pipes, sockets and the rest"
	noteItimer       = "ITIMER_PROF only; ITIMER_REAL and ITIMER_VIRTUAL answer EINVAL, logged once"
	noteSockopt      = "the options under Socket options below; every other ENOPROTOOPT"
	noteRead         = "files (the devices of /dev too: null, zero, full, random, urandom), pipes, sockets, eventfds and interrupt descriptors; console input is always at end of file; reading an empty eventfd answers EAGAIN even when it is blocking; a buffer that is not mapped is EFAULT even when there is nothing to read (Linux answers 0 then); a regular file of a disk is read from the kernel's page cache, the call parked while the disk service fetches what is missing (docs/disks.md)"
	noteMlock        = "nothing is ever paged out (no swap; a mapped disk file's cached pages stay while mapped), so every page is locked already; the range must be mapped (ENOMEM for a gap) and its pages are faulted in now (a write fault in a private writable mapping, none for PROT_NONE), EAGAIN when memory runs out; RLIMIT_MEMLOCK is unlimited"
	noteWrite        = "console, files (the devices of /dev too; /dev/full answers ENOSPC), sockets, pipes and eventfds; a file write that runs out of memory writes what fits, ENOSPC if nothing; a file write past RLIMIT_FSIZE is cut short there, or answers EFBIG and raises SIGXFSZ; a pipe with no reader answers EPIPE and raises SIGPIPE; an eventfd write that would overflow answers EAGAIN even when it is blocking; a regular file of a disk is written into the kernel's page cache, written home at fsync, syncfs, sync, msync, the last close, or when dirty pages pass an eighth of memory (docs/disks.md)"
	noteThreadClone  = "threads only: CLONE_VM, CLONE_FS, CLONE_FILES, CLONE_SIGHAND and CLONE_THREAD are required, else EINVAL; CLONE_PARENT_SETTID, CLONE_CHILD_SETTID and CLONE_CHILD_CLEARTID answer EINVAL; EAGAIN past 256 threads, ENOMEM when there is no frame for the new thread's vector state"
	noteSendFlags    = "TCP and UDP: MSG_DONTWAIT is the only flag honoured, EPIPE never raises SIGPIPE, a stream socket ignores the address; AF_UNIX as Linux (MSG_DONTWAIT, MSG_NOSIGNAL, SIGPIPE on a stream socket's EPIPE, EISCONN or EOPNOTSUPP for an address on a stream socket, EPERM, ECONNREFUSED, EMSGSIZE past 64 KiB less a header); " + noteNetlinkSend
	noteRecvFlags    = "MSG_PEEK, MSG_TRUNC and MSG_DONTWAIT are honoured; other flags (MSG_WAITALL, MSG_OOB) are ignored; AF_UNIX datagrams and packets report MSG_TRUNC in msg_flags and their sender's name (length 0 for an unnamed one); " + noteNetlinkRecv
	noteUnix         = "AF_UNIX in the kernel (docs/kernel.md, \"AF_UNIX sockets\"); AF_INET and AF_INET6 through the socket service"
	notePoll         = "readiness as epoll sees it (an epoll descriptor is never readable); the signal mask argument is ignored; " + noteNoEINTR
	notePipe         = "64 KiB of buffer per pipe, taken when it is made; as many pipes as RLIMIT_NOFILE allows descriptors (1024; ENFILE past that, never reached first), ENOMEM when the buffer would eat the memory kept free; blocking reads and writes wait, and " + noteNoEINTR + "; F_SETPIPE_SZ and packet mode are missing"
	noteLocks        = "a conflict answers EAGAIN, or waits until another thread releases the lock (" + noteNoEINTR + "; never EDEADLK: the one process's POSIX locks never wait for each other); at most 256 locks of each kind (ENOLCK); files of shared host directories cannot be locked (ENOLCK); files of disks can, but a struct flock's SEEK_END counts from 0 there"
	noteNetlink      = "NETLINK_ROUTE in the kernel (docs/kernel.md, \"Netlink sockets\"), from the interface table the network service publishes"
	noteNetlinkSend  = "NETLINK_ROUTE: requests to the kernel (port 0; ECONNREFUSED for any other port), RTM_GETLINK and RTM_GETADDR dumps served, other requests answer NLMSG_ERROR EOPNOTSUPP, EMSGSIZE past 3776 bytes"
	noteNetlinkRecv  = "NETLINK_ROUTE: one datagram per call (MSG_TRUNC in msg_flags, the rest lost, as Linux), the sender is the kernel (port 0); a blocking receive with nothing queued waits for a send on the socket"
	noteClockSupport = "REALTIME, MONOTONIC, BOOTTIME and their COARSE and RAW forms; the CPU-time clocks read time since boot (no per-thread accounting); CLOCK_TAI, the alarm clocks and dynamic clocks answer EINVAL"
)

// syscalls is the Linux system-call table, by x86-64 number.
var syscalls = [linux.NumSyscalls]syscallEntry{
	linux.SYS_READ:              {sysRead, callPartial, noteRead},
	linux.SYS_WRITE:             {sysWrite, callPartial, noteWrite},
	linux.SYS_CLOSE:             {sysClose, callFull, "the last close of a disk file first writes its dirty cached pages home (unless a mapping holds it)"},
	linux.SYS_POLL:              {sysPoll, callPartial, notePoll},
	linux.SYS_IOCTL:             {sysIoctl, callPartial, "FIONBIO, FIOCLEX, FIONCLEX and FIONREAD (regular files, sockets and pipes; ENOTTY elsewhere, as Linux answers for an eventfd); no descriptor is a terminal, the console included: TCGETS and every other request answer ENOTTY (EINVAL on an epoll descriptor, as Linux 6.9 and later)"},
	linux.SYS_DUP:               {sysDup, callFull, ""},
	linux.SYS_DUP2:              {sysDup2, callFull, ""},
	linux.SYS_STAT:              {sysStat, callFull, "as newfstatat from AT_FDCWD"},
	linux.SYS_LSTAT:             {sysLstat, callFull, "as newfstatat from AT_FDCWD with AT_SYMLINK_NOFOLLOW"},
	linux.SYS_OPEN:              {sysOpen, callPartial, "as openat from AT_FDCWD"},
	linux.SYS_FSTAT:             {sysFstat, callFull, "files of the root report tmpfs's sizes, links and times (st_dev 0x21); pipes are S_IFIFO (mode 0600, one inode for both ends); sockets are S_IFSOCK with the inode /proc/self/fd names (socket:[N]); eventfd, epoll and interrupt descriptors report mode 0600 and inode 0; the generated files of /proc report size 0 and those of /sys 4096, as Linux's"},
	linux.SYS_LSEEK:             {sysLseek, callPartial, noteFileOnly + "; no SEEK_DATA or SEEK_HOLE (EINVAL); on a directory only SEEK_SET and SEEK_CUR to a position getdents64 gave (0 rewinds), EINVAL elsewhere; a device of /dev stays at 0, as on Linux"},
	linux.SYS_MMAP:              {sysMmap, callPartial, "anonymous memory (MAP_SHARED is private memory: there is no other process to share with) and regular files of the root, private or shared: a fault maps the file's own page, read-only and copied on the first write in a private mapping, so a private mapping sees later writes to the file until it copies a page, and a shared mapping's writes are the file's contents at once; a page wholly past the end of the file raises SIGBUS; /dev/zero maps anonymous memory; pipes, sockets, directories and other devices answer ENODEV; regular files of disks map the kernel's page cache the same way, after the call has fetched every page of the range within the file (a fault cannot wait for the disk); MAP_SHARED_VALIDATE does not reject unknown flags; at most 64 distinct files are mapped at once (ENOMEM); a file of a shared host directory privately only, as a copy read into new memory when the call is made (MAP_SHARED answers ENODEV)"},
	linux.SYS_MPROTECT:          {sysMprotect, callFull, "PROT_GROWSDOWN and PROT_GROWSUP answer EINVAL: there are no grows-down mappings"},
	linux.SYS_MUNMAP:            {sysMunmap, callFull, "pages of a disk file that a shared mapping changed become dirty in the page cache"},
	linux.SYS_MSYNC:             {sysMsync, callFull, "checks its arguments; a shared file mapping's pages are the file's own, so a root file has nothing to write back; on a disk file, pages the mapping changed (PTE dirty bits) become dirty in the page cache, and MS_SYNC writes them home and syncs the first disk file in the range, as fsync"},
	linux.SYS_RT_SIGACTION:      {sysRtSigaction, callFull, ""},
	linux.SYS_RT_SIGPROCMASK:    {sysRtSigprocmask, callFull, ""},
	linux.SYS_RT_SIGRETURN:      {sysRtSigreturn, callFull, ""},
	linux.SYS_PREAD64:           {sysPread64, callFull, noteFileOnly},
	linux.SYS_PWRITE64:          {sysPwrite64, callFull, noteFileOnly + "; with O_APPEND it appends, as Linux does; RLIMIT_FSIZE applies"},
	linux.SYS_ACCESS:            {sysAccess, callFull, "as faccessat from AT_FDCWD"},
	linux.SYS_READV:             {sysReadv, callPartial, "as read: " + noteRead},
	linux.SYS_WRITEV:            {sysWritev, callPartial, "as write: " + noteWrite},
	linux.SYS_SENDFILE:          {sysSendfile, callPartial, "from regular files of the root only (EINVAL from pipes, sockets, the console and devices, which Linux can splice from) to a file of the root (not O_APPEND: EINVAL), a pipe, a TCP or AF_UNIX stream socket or the console; offsets through the pointer or the file position as Linux; a full pipe or socket parks a blocking caller and answers EAGAIN when either descriptor is O_NONBLOCK"},
	linux.SYS_PIPE:              {sysPipe, callPartial, "as pipe2 with flags 0: " + notePipe},
	linux.SYS_SCHED_YIELD:       {sysSchedYield, callFull, ""},
	linux.SYS_MADVISE:           {sysMadvise, callPartial, "MADV_DONTNEED and MADV_FREE discard the pages at once (a file mapping reads the file's pages again; Linux refuses MADV_FREE there with EINVAL); MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_HUGEPAGE, MADV_NOHUGEPAGE and MADV_COLLAPSE are accepted and do nothing (no readahead to steer, nothing to prefetch); other advice answers EINVAL"},
	linux.SYS_MLOCK:             {sysMlock, callFull, noteMlock},
	linux.SYS_MLOCK2:            {sysMlock2, callFull, noteMlock + "; MLOCK_ONFAULT leaves the pages to their first touch"},
	linux.SYS_MUNLOCK:           {sysMunlock, callFull, "checks the range (ENOMEM for a gap); nothing is ever paged out, so there is nothing to unlock"},
	linux.SYS_MLOCKALL:          {sysMlockall, callPartial, "accepts MCL_CURRENT, MCL_FUTURE and MCL_ONFAULT (EINVAL otherwise, as Linux); nothing is ever paged out, but the current mappings are not faulted in now (the Go runtime reserves address space it never touches)"},
	linux.SYS_MUNLOCKALL:        {sysMunlockall, callFull, "nothing is ever paged out, so there is nothing to unlock"},
	linux.SYS_NANOSLEEP:         {sysNanosleep, callPartial, noteNoEINTR + ", so the remaining time is never written"},
	linux.SYS_GETITIMER:         {sysGetitimer, callPartial, noteItimer},
	linux.SYS_SETITIMER:         {sysSetitimer, callPartial, noteItimer},
	linux.SYS_GETPID:            {sysGetpid, callFull, "always 1: the only process"},
	linux.SYS_SOCKET:            {sysSocket, callPartial, "AF_UNIX stream, datagram and sequenced-packet sockets, served in the kernel (at most 128 at once, each with a 64 KiB receive ring: ENFILE, ENOMEM); AF_INET and AF_INET6 TCP and UDP sockets; AF_NETLINK NETLINK_ROUTE sockets (SOCK_RAW or SOCK_DGRAM), served in the kernel (at most 16 at once: ENFILE), other netlink protocols EPROTONOSUPPORT; other families answer EAFNOSUPPORT, raw sockets and MPTCP EPROTONOSUPPORT; every AF_INET or AF_INET6 socket() answers EAFNOSUPPORT until the socket service has started"},
	linux.SYS_CONNECT:           {sysConnect, callFull, "AF_NETLINK: the kernel (port 0) only, ECONNREFUSED for other ports; AF_UNSPEC disconnects datagram sockets only; an AF_UNIX stream connect waits while the listener's queue is full (its backlog plus one), EAGAIN if non-blocking"},
	linux.SYS_ACCEPT:            {sysAccept4, callFull, "as accept4 with flags 0"},
	linux.SYS_SENDTO:            {sysSendto, callPartial, noteSendFlags},
	linux.SYS_RECVFROM:          {sysRecvfrom, callPartial, noteRecvFlags},
	linux.SYS_SENDMSG:           {sysSendmsg, callPartial, "AF_UNIX: SCM_RIGHTS passes descriptors (at most 64 messages and 256 descriptors in flight: ETOOMANYREFS), SCM_CREDENTIALS is checked for size and ignored; TCP and UDP: no control messages (EOPNOTSUPP); " + noteSendFlags},
	linux.SYS_RECVMSG:           {sysRecvmsg, callPartial, "AF_UNIX: SCM_RIGHTS as Linux (MSG_CTRUNC, MSG_CMSG_CLOEXEC; a stream read stops after the write that carried descriptors), but a peek does not receive them and no SCM_CREDENTIALS comes; TCP and UDP: no control messages (msg_controllen comes back 0); " + noteRecvFlags},
	linux.SYS_SHUTDOWN:          {sysShutdown, callFull, "an AF_UNIX socket's peer gets the opposite shutdown, and an unconnected AF_UNIX socket may be shut down, as on Linux; AF_NETLINK answers EOPNOTSUPP, as Linux"},
	linux.SYS_BIND:              {sysBind, callPartial, "AF_UNIX: a path makes a socket inode (S_IFSOCK, mode 0777 less the umask) in the root file system, EOPNOTSUPP in a shared host directory or on a disk; abstract names (per socket type, as Linux's) and autobind (the family alone: five hex digits) as Linux; AF_NETLINK: the port ID (0: the pid if free, then -4096 down, as Linux; EADDRINUSE) and the groups, kept though no notification is ever sent; " + noteUnix + "; " + noteNetlink},
	linux.SYS_LISTEN:            {sysListen, callFull, "the backlog is capped at the socket table's accept queue (128), AF_UNIX's at 63; AF_NETLINK answers EOPNOTSUPP, as Linux"},
	linux.SYS_GETSOCKNAME:       {sysGetsockname, callFull, "AF_UNIX names have Linux's lengths: 2 unnamed, 2 + the path + its NUL, 2 + an abstract name; AF_NETLINK: port 0 until bound"},
	linux.SYS_GETPEERNAME:       {sysGetpeername, callFull, ""},
	linux.SYS_SETSOCKOPT:        {sysSetsockopt, callPartial, noteSockopt + "; AF_UNIX sockets take SO_SNDBUF and SO_RCVBUF (kept and reported as Linux, the ring stays 64 KiB), SO_PASSCRED (kept; no SCM_CREDENTIALS is delivered), SO_REUSEADDR, SO_KEEPALIVE, SO_BROADCAST, SO_LINGER, SO_RCVTIMEO and SO_SNDTIMEO; SO_REUSEPORT and every other level answer EOPNOTSUPP, as on Linux; AF_NETLINK sockets accept SO_SNDBUF and SO_RCVBUF (and ignore them), every other option (SOL_NETLINK's too) answers ENOPROTOOPT"},
	linux.SYS_GETSOCKOPT:        {sysGetsockopt, callPartial, noteSockopt + "; AF_UNIX sockets answer SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ERROR, SO_ACCEPTCONN, SO_SNDBUF, SO_RCVBUF, SO_PASSCRED, SO_PEERCRED (pid 1, uid 0 and gid 0 once connected or listening; pid 0, uid and gid -1 before), the timeouts and the flags set; AF_NETLINK sockets SO_TYPE (always SOCK_RAW), SO_DOMAIN, SO_PROTOCOL, SO_ERROR, SO_SNDBUF and SO_RCVBUF"},
	linux.SYS_CLONE:             {sysClone, callPartial, noteThreadClone},
	linux.SYS_FORK:              {nil, callENOSYSByDesign, noteOneProcess},
	linux.SYS_VFORK:             {nil, callENOSYSByDesign, noteOneProcess},
	linux.SYS_EXECVE:            {nil, callENOSYSByDesign, noteOneImage},
	linux.SYS_EXIT:              {sysExit, callFull, "the last thread's exit ends the program"},
	linux.SYS_KILL:              {sysKill, callFull, "the process is pid 1, which 0 and -1 also name; other pids answer ESRCH"},
	linux.SYS_UNAME:             {sysUname, callFull, "Linux 6.1.0-coracle on x86_64, node name coracle"},
	linux.SYS_FCNTL:             {sysFcntl, callPartial, "F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL and F_SETFL (O_APPEND and O_NONBLOCK change, other flags are ignored); record locks as Linux (F_GETLK, F_SETLK, F_SETLKW and the F_OFD_ forms; " + noteLocks + "); leases, owners, seals and pipe sizes answer EINVAL"},
	linux.SYS_FLOCK:             {sysFlock, callPartial, "locks belong to the open-file description, as on Linux; " + noteLocks},
	linux.SYS_FSYNC:             {sysFsync, callFull, "files of the root are in memory: nothing to write back; on a shared host directory the host syncs the file; on a disk the file's dirty cached pages (and those its shared mappings changed) are written home, then it returns once the ext4 journal is committed and the device flushed (docs/disks.md); EINVAL on pipes, sockets and the rest"},
	linux.SYS_FDATASYNC:         {sysFsync, callFull, "as fsync; on a disk file the service commits the journal only if the file changed other than its times (size, blocks), else just flushes"},
	linux.SYS_TRUNCATE:          {sysTruncate, callFull, ""},
	linux.SYS_FTRUNCATE:         {sysFtruncate, callFull, "on a disk file, the disk truncates it, then the page cache: pages past the end leave every mapping (SIGBUS there)"},
	linux.SYS_GETCWD:            {sysGetcwd, callFull, "the working directory's path, found from its inode up through its parents; ENOENT once it is removed"},
	linux.SYS_CHDIR:             {sysChdir, callFull, ""},
	linux.SYS_FCHDIR:            {sysFchdir, callFull, ""},
	linux.SYS_RENAME:            {sysRename, callFull, "as renameat2 with flags 0"},
	linux.SYS_MKDIR:             {sysMkdir, callFull, "as mkdirat from AT_FDCWD"},
	linux.SYS_MKNOD:             {sysMknod, callPartial, "as mknodat from AT_FDCWD"},
	linux.SYS_RMDIR:             {sysRmdir, callFull, "as unlinkat with AT_REMOVEDIR"},
	linux.SYS_CREAT:             {sysCreat, callPartial, "as open with O_CREAT, O_WRONLY and O_TRUNC"},
	linux.SYS_LINK:              {sysLink, callFull, "as linkat with flags 0"},
	linux.SYS_UNLINK:            {sysUnlink, callFull, "as unlinkat with flags 0"},
	linux.SYS_SYMLINK:           {sysSymlink, callFull, "as symlinkat"},
	linux.SYS_READLINK:          {sysReadlink, callPartial, "as readlinkat"},
	linux.SYS_CHMOD:             {sysChmod, callFull, "as fchmodat"},
	linux.SYS_FCHMOD:            {sysFchmod, callPartial, "files of the root; on pipes, sockets and the rest it changes nothing and answers 0"},
	linux.SYS_CHOWN:             {sysChown, callPartial, "as fchownat from AT_FDCWD"},
	linux.SYS_FCHOWN:            {sysFchown, callPartial, "files of the root; on pipes, sockets and the rest it changes nothing and answers 0; EOPNOTSUPP on files of shared host directories and disks"},
	linux.SYS_LCHOWN:            {sysLchown, callPartial, "as fchownat from AT_FDCWD with AT_SYMLINK_NOFOLLOW"},
	linux.SYS_UMASK:             {sysUmask, callFull, "starts at 022"},
	linux.SYS_STATFS:            {sysStatfs, callFull, "TMPFS_MAGIC; blocks are the VM's frames, free blocks those free beyond the 1 MiB kept for the kernel; at most 65536 inodes"},
	linux.SYS_FSTATFS:           {sysFstatfs, callFull, "as statfs for files of the root; pipes, sockets and anonymous descriptors report their file systems' magic numbers and no sizes"},
	linux.SYS_GETTIMEOFDAY:      {sysGettimeofday, callPartial, "the timezone (second argument) is not written"},
	linux.SYS_GETRLIMIT:         {sysGetrlimit, callFull, "as prlimit64 on the calling process"},
	linux.SYS_PTRACE:            {nil, callENOSYSByDesign, "one process: there is no other process to trace or be traced by"},
	linux.SYS_GETUID:            {sysZero, callFull, noteRoot},
	linux.SYS_GETGID:            {sysZero, callFull, noteRoot},
	linux.SYS_GETGROUPS:         {sysGetgroups, callFull, "no supplementary groups: answers 0 and leaves the list alone; EINVAL for a negative size"},
	linux.SYS_GETEUID:           {sysZero, callFull, noteRoot},
	linux.SYS_GETEGID:           {sysZero, callFull, noteRoot},
	linux.SYS_GETPPID:           {sysZero, callFull, "always 0: the process has no parent"},
	linux.SYS_SIGALTSTACK:       {sysSigaltstack, callFull, ""},
	linux.SYS_USELIB:            {nil, callENOSYSByDesign, noteLinuxENOSYS},
	linux.SYS__SYSCTL:           {nil, callENOSYSByDesign, noteLinuxENOSYS + " (removed in 5.5)"},
	linux.SYS_PRCTL:             {sysPrctl, callPartial, "EINVAL for every option"},
	linux.SYS_ARCH_PRCTL:        {sysArchPrctl, callPartial, "ARCH_SET_FS and ARCH_GET_FS (which also reports a base the thread set with WRFSBASE, enabled where the CPU has FSGSBASE); the GS base belongs to the kernel, so ARCH_SET_GS, ARCH_GET_GS and the rest answer EINVAL"},
	linux.SYS_SETRLIMIT:         {sysSetrlimit, callPartial, "as prlimit64 on the calling process"},
	linux.SYS_SYNC:              {sysSync, callPartial, "files of the root are in memory: nothing to write back; the dirty cached pages of disk files are written home, for the disk's journal to commit within seconds, but nothing waits for that commit, and shares are not synced (use fsync or syncfs on a descriptor of one)"},
	linux.SYS_MOUNT:             {nil, callENOSYSByDesign, noteNoVFS},
	linux.SYS_UMOUNT2:           {nil, callENOSYSByDesign, noteNoVFS},
	linux.SYS_SWAPON:            {nil, callENOSYSByDesign, "memory is the VM's RAM: there is no swap"},
	linux.SYS_SWAPOFF:           {nil, callENOSYSByDesign, "memory is the VM's RAM: there is no swap"},
	linux.SYS_CREATE_MODULE:     {nil, callENOSYSByDesign, noteLinuxENOSYS},
	linux.SYS_INIT_MODULE:       {nil, callENOSYSByDesign, noteNoModules},
	linux.SYS_DELETE_MODULE:     {nil, callENOSYSByDesign, noteNoModules},
	linux.SYS_GET_KERNEL_SYMS:   {nil, callENOSYSByDesign, noteLinuxENOSYS},
	linux.SYS_QUERY_MODULE:      {nil, callENOSYSByDesign, noteLinuxENOSYS},
	linux.SYS_NFSSERVCTL:        {nil, callENOSYSByDesign, noteLinuxENOSYS},
	linux.SYS_GETPMSG:           {nil, callENOSYSByDesign, noteLinuxENOSYS},
	linux.SYS_PUTPMSG:           {nil, callENOSYSByDesign, noteLinuxENOSYS},
	linux.SYS_AFS_SYSCALL:       {nil, callENOSYSByDesign, noteLinuxENOSYS},
	linux.SYS_TUXCALL:           {nil, callENOSYSByDesign, noteLinuxENOSYS},
	linux.SYS_SECURITY:          {nil, callENOSYSByDesign, noteLinuxENOSYS},
	linux.SYS_GETTID:            {sysGettid, callFull, ""},
	linux.SYS_TKILL:             {sysTkill, callFull, ""},
	linux.SYS_FUTEX:             {sysFutex, callPartial, "FUTEX_WAIT and FUTEX_WAKE, other operations answer ENOSYS; FUTEX_CLOCK_REALTIME is ignored (the timeout stays relative); " + noteNoEINTR},
	linux.SYS_SCHED_GETAFFINITY: {sysSchedGetaffinity, callFull, "the CPUs that run threads (every online one; the boot CPU alone with coracle.smp=off) less those sched_setaffinity took away"},
	linux.SYS_SCHED_SETAFFINITY: {sysSchedSetaffinity, callFull, "a mask per thread that the scheduler honours; EINVAL for a mask with no CPU that runs threads"},
	linux.SYS_SET_THREAD_AREA:   {nil, callENOSYSByDesign, noteLinuxENOSYS + " (32-bit TLS; arch_prctl sets the FS base)"},
	linux.SYS_GET_THREAD_AREA:   {nil, callENOSYSByDesign, noteLinuxENOSYS + " (32-bit TLS; arch_prctl reads the FS base)"},
	linux.SYS_EPOLL_CTL_OLD:     {nil, callENOSYSByDesign, noteLinuxENOSYS},
	linux.SYS_EPOLL_WAIT_OLD:    {nil, callENOSYSByDesign, noteLinuxENOSYS},
	linux.SYS_CLOCK_GETTIME:     {sysClockGettime, callPartial, noteClockSupport},
	linux.SYS_CLOCK_GETRES:      {sysClockGetres, callPartial, "1 ns for every clock clock_gettime reads; the others answer EINVAL"},
	linux.SYS_CLOCK_NANOSLEEP:   {sysClockNanosleep, callPartial, "CLOCK_MONOTONIC, CLOCK_BOOTTIME and CLOCK_REALTIME, relative or TIMER_ABSTIME; other clocks answer EINVAL; " + noteNoEINTR},
	linux.SYS_EXIT_GROUP:        {sysExitGroup, callFull, ""},
	linux.SYS_EPOLL_CTL:         {sysEpollCtl, callPartial, "EPOLLONESHOT and EPOLLEXCLUSIVE are ignored; at most 256 descriptors per instance (ENOSPC); a registration is dropped when its descriptor is closed, even while a dup keeps the file open (Linux keeps it until the file is released)"},
	linux.SYS_TGKILL:            {sysTgkill, callFull, "the thread group is pid 1"},
	linux.SYS_VSERVER:           {nil, callENOSYSByDesign, noteLinuxENOSYS},
	linux.SYS_KEXEC_LOAD:        {nil, callENOSYSByDesign, noteOneImage},
	linux.SYS_GETDENTS64:        {sysGetdents64, callFull, "\".\" and \"..\" first; d_off positions survive removals; a removed directory reads empty; /proc/self/fd lists the descriptors open when the listing starts"},
	linux.SYS_OPENAT:            {sysOpenat, callPartial, noteRootFS + "O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW, O_PATH and O_CLOEXEC as Linux; O_CREAT without O_EXCL or O_NOFOLLOW through a dangling symbolic link makes its target, as Linux (on shares and disks too); a FIFO opens as fifo(7) says (see mknodat); O_TMPFILE makes an unnamed file that linkat with AT_EMPTY_PATH can name unless O_EXCL was given; O_NOATIME, O_SYNC and O_DSYNC are kept and change nothing; the files of /proc and /sys are generated at open; /proc/self/fd/N (and /dev/stdin, ...) opens the file or console descriptor N is open on, even renamed or removed, and answers ENXIO for pipes, sockets and anonymous descriptors (Linux reopens a pipe); " + noteNoPerms},
	linux.SYS_MKDIRAT:           {sysMkdirat, callFull, noteRootFS + "the mode loses the umask"},
	linux.SYS_MKNODAT:           {sysMknodat, callPartial, "regular files (S_IFREG or type 0) and FIFOs (S_IFIFO: open waits for the other side as fifo(7) says, O_NONBLOCK opens for reading at once and for writing with no reader answer ENXIO, data flows as through a pipe, the buffer goes when the last end closes) in the root tmpfs, the mode less the umask; S_IFCHR and S_IFBLK answer EPERM (as without CAP_MKNOD: there are no drivers behind other device numbers), S_IFSOCK EPERM (no socket files yet), S_IFDIR EPERM and other types EINVAL; on shared host directories and disks every type answers EPERM"},
	linux.SYS_FCHOWNAT:          {sysFchownat, callPartial, "AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH; as root, any owner may be set; set-user-ID, and set-group-ID on a group-executable file, are cleared on all but directories, as Linux does; with AT_EMPTY_PATH on a pipe or socket it changes nothing and answers 0; shared host directories keep the host's owners, and disks their images' (EOPNOTSUPP)"},
	linux.SYS_NEWFSTATAT:        {sysNewfstatat, callFull, "AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH; AT_NO_AUTOMOUNT is accepted"},
	linux.SYS_UNLINKAT:          {sysUnlinkat, callFull, "an unlinked file lives while a descriptor is open on it"},
	linux.SYS_RENAMEAT:          {sysRenameat, callFull, "as renameat2 with flags 0"},
	linux.SYS_LINKAT:            {sysLinkat, callFull, "AT_SYMLINK_FOLLOW; AT_EMPTY_PATH links the file olddirfd is open on (an O_TMPFILE file once, unless O_EXCL; a file unlinked while open answers ENOENT; a pipe or socket EXDEV)"},
	linux.SYS_SYMLINKAT:         {sysSymlinkat, callFull, ""},
	linux.SYS_READLINKAT:        {sysReadlinkat, callPartial, "an empty path answers ENOENT (Linux reads the link dirfd is open on); /proc/self/exe reads the program's path (argv[0]), /proc/self/fd/N what Linux gives (a path, /dev/ttyS0, pipe:[N], socket:[N], anon_inode:[eventpoll], ...)"},
	linux.SYS_FCHMODAT:          {sysFchmodat, callFull, ""},
	linux.SYS_FACCESSAT:         {sysFaccessat, callFull, "as root: everything is allowed but X_OK on a file with no execute bit (EACCES)"},
	linux.SYS_UTIMENSAT:         {sysUtimensat, callFull, "UTIME_NOW and UTIME_OMIT; a NULL path sets the times of the file dirfd is open on; pipes, sockets and the rest keep no times (0)"},
	linux.SYS_PSELECT6:          {sysPselect6, callPartial, notePoll + "; the time left is written back, as Linux does"},
	linux.SYS_PPOLL:             {sysPpoll, callPartial, notePoll + "; the time left is written back, as Linux does"},
	linux.SYS_SPLICE:            {sysSplice, callPartial, "moves nothing: EINVAL for every pair of open descriptors (EBADF if one is not open), as Linux answers for files that cannot splice, so callers such as Go's io.Copy between sockets read and write instead"},
	linux.SYS_EPOLL_PWAIT:       {sysEpollPwait, callPartial, "the signal mask argument is ignored; " + noteNoEINTR},
	linux.SYS_FALLOCATE:         {sysFallocate, callPartial, noteRootFS + "as Linux's tmpfs: mode 0 and FALLOC_FL_KEEP_SIZE hold the range's pages (all or none: ENOSPC when the memory kept free would be touched), FALLOC_FL_PUNCH_HOLE with FALLOC_FL_KEEP_SIZE gives them back; every other mode answers EOPNOTSUPP (ZERO_RANGE too, as on tmpfs), after the VFS's checks (EBADF, ESPIPE on a pipe, ENODEV on sockets, devices and the rest); RLIMIT_FSIZE applies (EFBIG and SIGXFSZ)"},
	linux.SYS_ACCEPT4:           {sysAccept4, callFull, ""},
	linux.SYS_SOCKETPAIR:        {sysSocketpair, callFull, "AF_UNIX stream, datagram and sequenced-packet pairs; AF_INET and AF_INET6 answer EOPNOTSUPP, as on Linux"},
	linux.SYS_EVENTFD2:          {sysEventfd2, callPartial, "at most 64 eventfds; reading an empty one, or a write that would overflow, answers EAGAIN even when it is blocking"},
	linux.SYS_EPOLL_CREATE1:     {sysEpollCreate1, callFull, "at most 8 instances (EMFILE)"},
	linux.SYS_DUP3:              {sysDup3, callFull, ""},
	linux.SYS_PIPE2:             {sysPipe2, callPartial, "O_CLOEXEC and O_NONBLOCK; O_DIRECT (packet mode) and other flags answer EINVAL; " + notePipe},
	linux.SYS_PREADV:            {sysPreadv, callFull, noteFileOnly},
	linux.SYS_PWRITEV:           {sysPwritev, callFull, noteFileOnly + "; with O_APPEND it appends, as Linux does"},
	linux.SYS_RENAMEAT2:         {sysRenameat2, callPartial, "RENAME_NOREPLACE and RENAME_EXCHANGE (on a shared host directory any flag answers EINVAL: 9P cannot ask); RENAME_WHITEOUT answers EINVAL; EXDEV between the root, a share and a disk"},
	linux.SYS_FACCESSAT2:        {sysFaccessat2, callFull, "as faccessat; AT_EACCESS, AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH"},
	linux.SYS_PRLIMIT64:         {sysPrlimit64, callPartial, "RLIMIT_NOFILE can be set, up to 1024 (EPERM above), and RLIMIT_FSIZE to anything (writes, truncates, fallocate and copies past it answer EFBIG and raise SIGXFSZ); every other limit is unlimited and setting it answers EPERM; EINVAL past RLIM_NLIMITS; pids other than 0 and 1 answer ESRCH"},
	linux.SYS_SYNCFS:            {sysSyncfs, callFull, "as sync; on a descriptor of a shared host directory, fsync of its file; of a disk, the dirty cached pages of the disk's files written home, then the disk's journal committed and the device flushed; EBADF for a descriptor that is not open or is O_PATH"},
	linux.SYS_PROCESS_VM_READV:  {nil, callENOSYSByDesign, "one process: there is no other address space"},
	linux.SYS_PROCESS_VM_WRITEV: {nil, callENOSYSByDesign, "one process: there is no other address space"},
	linux.SYS_FINIT_MODULE:      {nil, callENOSYSByDesign, noteNoModules},
	linux.SYS_GETRANDOM:         {sysGetrandom, callFull, "from RDSEED and RDRAND, ready from boot: never blocks; the flags are not checked"},
	linux.SYS_COPY_FILE_RANGE:   {sysCopyFileRange, callFull, "between regular files of the root (EINVAL for anything else, EISDIR for a directory); offsets through the pointers or the file positions; overlapping ranges of one file answer EINVAL; RLIMIT_FSIZE applies; one file system, so never EXDEV"},
	linux.SYS_PREADV2:           {sysPreadv2, callPartial, "as preadv, or at the file position (any descriptor) with offset -1; RWF_HIPRI, RWF_DSYNC, RWF_SYNC and RWF_NOAPPEND accepted; RWF_NOWAIT makes a pipe or socket read non-blocking and answers EOPNOTSUPP on files, as tmpfs does; RWF_ATOMIC, RWF_DONTCACHE and unknown flags answer EOPNOTSUPP"},
	linux.SYS_PWRITEV2:          {sysPwritev2, callPartial, "as pwritev, or at the file position (any descriptor) with offset -1; RWF_APPEND and RWF_NOAPPEND override O_APPEND for the call, RWF_NOSIGNAL (Linux 6.16) keeps a broken pipe from raising SIGPIPE, RWF_HIPRI, RWF_DSYNC and RWF_SYNC change nothing; RWF_NOWAIT as preadv2; RWF_ATOMIC, RWF_DONTCACHE and unknown flags answer EOPNOTSUPP"},
	linux.SYS_STATX:             {sysStatx, callPartial, "the stat fields and STATX_MNT_ID (mount ID 1) whatever the mask asks, as Linux 6.1 answers; no STATX_BTIME (tmpfs keeps no birth time here); the VFS's attributes (STATX_ATTR_MOUNT_ROOT on /) and tmpfs's attribute mask; AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH (a NULL path too, as Linux 6.11), AT_NO_AUTOMOUNT and the AT_STATX_* sync flags; EINVAL for STATX__RESERVED, both sync flags or unknown flags"},
	linux.SYS_KEXEC_FILE_LOAD:   {nil, callENOSYSByDesign, noteOneImage},
	linux.SYS_EXECVEAT:          {nil, callENOSYSByDesign, noteOneImage},
	linux.SYS_CLOSE_RANGE:       {sysCloseRange, callFull, "CLOSE_RANGE_UNSHARE is accepted and changes nothing: every thread keeps the one table (Linux gives the calling thread a copy of its own)"},
	linux.SYS_OPENAT2:           {sysOpenat2, callPartial, "as openat, with open_how checked as Linux (EINVAL for unknown flags or resolve bits, a mode without O_CREAT or O_TMPFILE, O_PATH with other flags, RESOLVE_BENEATH with RESOLVE_IN_ROOT; E2BIG for a larger struct with nonzero tail); RESOLVE_NO_SYMLINKS, RESOLVE_BENEATH, RESOLVE_IN_ROOT and RESOLVE_NO_XDEV as Linux; there are no magic links, so RESOLVE_NO_MAGICLINKS changes nothing; RESOLVE_CACHED succeeds (everything is in memory) unless the open creates or truncates (EAGAIN); with resolve flags other than RESOLVE_NO_MAGICLINKS the walk stays in the root tmpfs: from a directory of a shared host directory or disk, or into one, it answers EXDEV"},
}

// devcalls is the table of coracle's private calls (package devcall),
// indexed from devcall.SysBase.
var devcalls = [devcall.SysEnd - devcall.SysBase]syscallEntry{
	devcall.SysMapMMIO - devcall.SysBase:       {sysMapMMIO, callFull, "uncached and never executable, in a 64 GiB window; ranges that overlap RAM answer EINVAL"},
	devcall.SysOpenIRQ - devcall.SysBase:       {sysOpenIRQ, callFull, "IOAPIC pins 0-23, one descriptor per pin (EEXIST), routed to the boot CPU (ENODEV if its APIC ID is above 255)"},
	devcall.SysAllocDMA - devcall.SysBase:      {sysAllocDMA, callFull, "never freed, from a 64 GiB window"},
	devcall.SysSockRegister - devcall.SysBase:  {sysSockRegister, callFull, "once: a second registration answers EBUSY"},
	devcall.SysSockNotify - devcall.SysBase:    {sysSockNotify, callFull, ""},
	devcall.SysSockRelease - devcall.SysBase:   {sysSockRelease, callFull, "EINVAL for a free socket"},
	devcall.SysSetFile - devcall.SysBase:       {sysSetFile, callFull, "an ordinary file of the root file system, mode 0644, in directories made as needed (mode 0755); a republished file keeps its inode and takes the new contents; ENOSPC when memory runs out"},
	devcall.SysOpenMSI - devcall.SysBase:       {sysOpenMSI, callFull, "32 vectors (ENOSPC), addressed to the boot CPU (ENODEV if its APIC ID is above 255)"},
	devcall.SysShareRegister - devcall.SysBase: {sysShareRegister, callFull, "once, by the request loop of shares and disks (fs/service): a second registration answers EBUSY"},
	devcall.SysShareTake - devcall.SysBase:     {sysShareTake, callFull, "EAGAIN when no request waits"},
	devcall.SysShareDone - devcall.SysBase:     {sysShareDone, callFull, "EINVAL for a request the service does not hold"},
	devcall.SysSetInterfaces - devcall.SysBase: {sysSetInterfaces, callFull, "replaces the whole table (4 interfaces of 8 addresses at most); EINVAL for a table that is not well formed"},
	devcall.SysBootStamp - devcall.SysBase:     {sysBootStamp, callFull, "records the first time of each stamp for the runstamps line of coracle.bootstamps; without it, or once the line is printed, does nothing; EINVAL for an unknown stamp"},
}
