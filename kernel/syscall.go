package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/devcall"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// A syscallFn implements one system call for thread t, whose registers
// (arguments in RDI, RSI, RDX, R10, R8, R9) are in f. It returns the
// value for RAX: a result, or a negated errno (linux.Errno.Ret). A call
// that blocks parks t with block and returns anything: the waker sets
// RAX.
//
// Trap context: every syscallFn runs in it.
type syscallFn func(t *Thread, f *amd64.TrapFrame) uint64

// syscalls is the system-call table: Linux x86-64 numbers to handlers.
// Numbers not listed answer ENOSYS, logged once by name.
var syscalls = [linux.NumSyscalls]syscallFn{
	linux.SYS_READ:              sysRead,
	linux.SYS_WRITE:             sysWrite,
	linux.SYS_CLOSE:             sysClose,
	linux.SYS_MMAP:              sysMmap,
	linux.SYS_MPROTECT:          sysMprotect,
	linux.SYS_MUNMAP:            sysMunmap,
	linux.SYS_MADVISE:           sysMadvise,
	linux.SYS_RT_SIGACTION:      sysRtSigaction,
	linux.SYS_RT_SIGPROCMASK:    sysRtSigprocmask,
	linux.SYS_RT_SIGRETURN:      sysRtSigreturn,
	linux.SYS_KILL:              sysKill,
	linux.SYS_TKILL:             sysTkill,
	linux.SYS_TGKILL:            sysTgkill,
	linux.SYS_WRITEV:            sysWritev,
	linux.SYS_SCHED_YIELD:       sysSchedYield,
	linux.SYS_NANOSLEEP:         sysNanosleep,
	linux.SYS_GETPID:            sysGetpid,
	linux.SYS_CLONE:             sysClone,
	linux.SYS_EXIT:              sysExit,
	linux.SYS_UNAME:             sysUname,
	linux.SYS_FCNTL:             sysFcntl,
	linux.SYS_GETCWD:            sysGetcwd,
	linux.SYS_GETTIMEOFDAY:      sysGettimeofday,
	linux.SYS_GETUID:            sysZero,
	linux.SYS_GETGID:            sysZero,
	linux.SYS_GETEUID:           sysZero,
	linux.SYS_GETEGID:           sysZero,
	linux.SYS_GETPPID:           sysZero,
	linux.SYS_SIGALTSTACK:       sysSigaltstack,
	linux.SYS_PRCTL:             sysPrctl,
	linux.SYS_ARCH_PRCTL:        sysArchPrctl,
	linux.SYS_GETTID:            sysGettid,
	linux.SYS_FUTEX:             sysFutex,
	linux.SYS_SCHED_GETAFFINITY: sysSchedGetaffinity,
	linux.SYS_CLOCK_GETTIME:     sysClockGettime,
	linux.SYS_CLOCK_GETRES:      sysClockGetres,
	linux.SYS_CLOCK_NANOSLEEP:   sysClockNanosleep,
	linux.SYS_EXIT_GROUP:        sysExitGroup,
	linux.SYS_EPOLL_CTL:         sysEpollCtl,
	linux.SYS_OPENAT:            sysOpenat,
	linux.SYS_READLINKAT:        sysReadlinkat,
	linux.SYS_EPOLL_PWAIT:       sysEpollPwait,
	linux.SYS_EVENTFD2:          sysEventfd2,
	linux.SYS_EPOLL_CREATE1:     sysEpollCreate1,
	linux.SYS_PRLIMIT64:         sysPrlimit64,
	linux.SYS_GETRANDOM:         sysGetrandom,
	linux.SYS_SOCKET:            sysSocket,
	linux.SYS_BIND:              sysBind,
	linux.SYS_LISTEN:            sysListen,
	linux.SYS_ACCEPT:            sysAccept4,
	linux.SYS_ACCEPT4:           sysAccept4,
	linux.SYS_CONNECT:           sysConnect,
	linux.SYS_GETSOCKNAME:       sysGetsockname,
	linux.SYS_GETPEERNAME:       sysGetpeername,
	linux.SYS_SETSOCKOPT:        sysSetsockopt,
	linux.SYS_GETSOCKOPT:        sysGetsockopt,
	linux.SYS_SHUTDOWN:          sysShutdown,
	linux.SYS_SENDTO:            sysSendto,
	linux.SYS_RECVFROM:          sysRecvfrom,
	linux.SYS_SENDMSG:           sysSendmsg,
	linux.SYS_RECVMSG:           sysRecvmsg,
	linux.SYS_READV:             sysReadv,
	linux.SYS_PREAD64:           sysPread64,
	linux.SYS_LSEEK:             sysLseek,
	linux.SYS_FSTAT:             sysFstat,
	linux.SYS_NEWFSTATAT:        sysNewfstatat,
	linux.SYS_SETITIMER:         sysSetitimer,
	linux.SYS_GETITIMER:         sysGetitimer,
}

// doSyscall runs the system call in f for t.
func doSyscall(t *Thread, f *amd64.TrapFrame) {
	nr := f.RAX
	var fn syscallFn
	switch {
	case nr < linux.NumSyscalls:
		fn = syscalls[nr]
	case nr >= devcall.SysBase && nr < devcall.SysEnd:
		fn = devioCalls[nr-devcall.SysBase]
	}
	if fn == nil {
		logENOSYS(nr)
		f.RAX = linux.ENOSYS.Ret()
		return
	}
	a0, a1, a2 := f.RDI, f.RSI, f.RDX
	f.RAX = fn(t, f)
	if straceEnabled {
		traceSyscall(t, nr, a0, a1, a2, f.RAX)
	}
}

// logENOSYS reports an unimplemented system call the first time it is
// made.
func logENOSYS(nr uint64) {
	if nr < linux.NumSyscalls {
		if enosysLogged[nr] {
			return
		}
		enosysLogged[nr] = true
	}
	console.str("coracle: unimplemented system call ")
	if name := linux.SyscallName(nr); name != "" {
		console.str(name)
		console.str(" (")
		console.dec(nr)
		console.str(")")
	} else {
		console.dec(nr)
	}
	console.str(": ENOSYS\n")
}

func sysZero(t *Thread, f *amd64.TrapFrame) uint64 { return 0 }
