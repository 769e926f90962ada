package kernel

import (
	"sync/atomic"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/arch/amd64/pc/ioapic"
	"github.com/coracle-os/coracle/arch/amd64/pc/uart16550"
	"github.com/coracle-os/coracle/boot/acpi"
	"github.com/coracle-os/coracle/boot/mptable"
	"github.com/coracle-os/coracle/boot/pvh"
	"github.com/coracle-os/coracle/kernel/abi/iftab"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/abi/shares"
	"github.com/coracle-os/coracle/kernel/abi/socktab"
	"github.com/coracle-os/coracle/kernel/clock"
	"github.com/coracle-os/coracle/kernel/fdtable"
	"github.com/coracle-os/coracle/kernel/filelock"
	"github.com/coracle-os/coracle/kernel/futex"
	"github.com/coracle-os/coracle/kernel/mm"
	"github.com/coracle-os/coracle/kernel/netlink"
	"github.com/coracle-os/coracle/kernel/pagecache"
	"github.com/coracle-os/coracle/kernel/pipe"
	"github.com/coracle-os/coracle/kernel/schedcheck"
	"github.com/coracle-os/coracle/kernel/sigframe"
	"github.com/coracle-os/coracle/kernel/spinlock"
	"github.com/coracle-os/coracle/kernel/tmpfs"
	"github.com/coracle-os/coracle/kernel/unixsock"
	"github.com/coracle-os/coracle/kernel/vdso"
	"github.com/coracle-os/coracle/kernel/vecarea"
	"github.com/coracle-os/coracle/kernel/vfs"
)

// The kernel's mutable state, all of it, by concern.
//
// Synchronization. The kernel runs only with interrupts off: during boot
// (before the program's first instruction) and in trap context (a system
// call, a fault or an interrupt, from dispatch until the return to ring
// 3). With several CPUs running threads (the default; docs/smp.md),
// trap context also holds the kernel lock (bkl, smp_lock.go): one
// spinlock taken on every entry from ring 3 and by every interrupt that
// arrives while the CPU idles, let go right before the return to ring 3
// and while the CPU halts. It guards everything in this file that trap
// context writes. What is per CPU is not here but in cpus (smp_cpu.go:
// the thread a CPU runs, its timeslice, its armed timer, its idle flag,
// its TLB shootdown words) and in each CPU's PerCPU block, TSS and local
// APIC. Nothing here is touched by the program's goroutines except where
// a group says so, so "guarded by trap context" means: read and written
// only by kernel code with interrupts off and the kernel lock held,
// never concurrently. The groups say which of three lifetimes each
// variable has:
//
//   - boot-set: written by kernelMain and what it calls, read-only from
//     the program's first instruction on;
//   - trap: read and written in trap context;
//   - shared with ring 3: also read by ring-3 code (the vDSO, goroutines
//     of package kernel's callers), which is why the group says how.
//
// Everything is plain data in fixed arrays: trap context cannot allocate,
// and threads, descriptors and sockets are named by index, never by a
// pointer that would need the garbage collector's write barrier.

// CPU. Boot-set, except cpu0's per-thread fields (the kernel stack top,
// the frame the entry stubs save into), which the scheduler sets on each
// switch in trap context. cpu0 and tss are the boot CPU's; the APs' are
// in apCPUs, and trap code finds the calling CPU's with perCPUOf and
// tssOf (smp_cpu.go).
var (
	cpu0 amd64.PerCPU
	tss  amd64.TSS

	// dispatchFn is the trap dispatcher as a func value, whose closure
	// the entry stubs call. It is a top-level function: its closure is
	// static, which PerCPU.SetDispatcher requires.
	dispatchFn = dispatch

	// xcr0 is the set of vector-state components XSAVE saves.
	xcr0 uint64

	// haveRDSEED and haveRDRAND say which random-number instructions
	// the CPU has (random.go).
	haveRDSEED, haveRDRAND bool

	// bootCPUs lists the machine's CPUs (boot_cpus.go); only the boot
	// CPU runs. cpuScratch is where the table parsers decode (and
	// coracle.bootstamps lists each source), too big for the boot stack.
	bootCPUs   cpuList
	cpuScratch struct {
		madt acpi.MADT
		mp   mptable.Table
		list cpuList
	}
)

// Application processors (boot_aps.go, boot_aps_entry.go). Boot-set:
// the boot CPU fills apStart and every AP's apCPUs entry before it sends
// the IPIs; each AP then writes only its own entry and publishes it with
// an atomic store to its state, which the boot CPU polls. Once the APs
// are parked (interrupts off) nothing here changes, and only crash
// reports read it.
var (
	apStart apStartBlock
	apCPUs  [maxCPUs]apCPU

	// apDispatchFn receives every trap an AP takes (a top-level
	// function, as PerCPU.SetDispatcher requires).
	apDispatchFn = apDispatch

	// aps is the start-up as a whole: the trampoline's page and STARTUP
	// vector, the TSC at the first IPI, how long awaitAPs waited, why no
	// AP was started, if none was, and, for coracle.crash=ap, when the
	// boot CPU has printed all it will (atomic).
	aps struct {
		page, firstIPI, waited uint64
		vector                 uint8 // the STARTUP vector; 0: none sent
		failure                string
		crashGo                uint32
	}
)

// Several CPUs (smp_*.go, docs/smp.md). The switches and schedCPUs are
// boot-set; schedGo is written once, atomically, when the program
// starts (the APs poll it). bkl is the kernel lock itself. cpus is per
// CPU, not under the lock: each CPU's entry is written by that CPU (and
// its idle flag by a CPU that kicks it, under the lock; its TLB words
// are atomics). tlbGen and the checksched views are trap state.
var (
	// smpOn runs threads on every online CPU (the default); with
	// coracle.smp=off the APs stay parked and the program runs on the
	// boot CPU.
	smpOn bool
	// checkSched (coracle.checksched) validates the thread table and
	// the per-CPU state at every schedule (sched_check.go).
	checkSched bool
	// schedCPUs is how many CPUs run threads: what the program sees as
	// its CPU count (sched_getaffinity, /proc, /sys).
	schedCPUs = 1
	// schedGo is set once the first thread is ready: the APs wait for
	// it before they look for threads.
	schedGo atomic.Uint32

	bkl spinlock.Lock
	// lockHalted counts the CPUs halted waiting for bkl, so that an
	// unlock looks for one to kick only when there is one.
	lockHalted atomic.Int32

	cpus [maxCPUs]cpuState

	// tlbGen numbers the TLB shootdowns (smp_tlb.go).
	tlbGen uint32

	// The views checkSchedState fills (too big for the kernel stack).
	schedCheckThreads [maxThreads]schedcheck.Thread
	schedCheckCPUs    [maxCPUs]schedcheck.CPU
)

// Boot facts and diagnostics switches. Boot-set.
var (
	// bootCmdline is the kernel command line, kept for Cmdline: ring-3
	// goroutines (the network) read it, after boot, through Cmdline.
	bootCmdline string

	// argv0Buf holds the decoded program name.
	argv0Buf [256]byte

	// memLimitBuf holds the default GOMEMLIMIT value (mem_limit.go).
	memLimitBuf [24]byte

	// bootStamps are the TSC stamps coracle.bootstamps prints.
	bootStamps bootTimes

	// straceEnabled (coracle.strace) logs every system call;
	// sysprofEnabled (coracle.sysprof) counts them.
	straceEnabled, sysprofEnabled bool

	// crashAtWrite (coracle.crash=syscall) makes the kernel fault while
	// serving the program's first write to descriptor 1.
	crashAtWrite bool

	// crashAP (coracle.crash=ap) makes an application processor fault
	// once it is online: the one at index crashOnAP of bootCPUs.
	crashAP   bool
	crashOnAP = -1
)

// Console and crash reports. Trap (and boot).
var (
	// console is the kernel's serial console on COM1. Output is
	// CRLF-terminated so that it reads right on a terminal in raw mode
	// (QEMU -nographic).
	console = consoleWriter{port: uart16550.Port{Base: uart16550.COM1}}

	// crashing is set while a crash report is printed, so that a fault
	// inside the report ends the VM instead of recursing.
	crashing bool
)

// Memory. Boot-set layout (physOffset, ramRanges, cmdlineCopy); frames,
// space and vmas change in trap context (mmap, munmap, page faults).
var (
	frames  mm.Frames
	space   mm.AddressSpace
	vmas    mm.VMAs
	physMem physMemory

	// physOffset is where physical memory appears: 0 on the boot
	// page tables (identity map), directMapBase afterwards.
	physOffset uintptr

	// ramRanges is the RAM of the memory map.
	ramRanges mm.RangeList

	// cmdlineCopy holds the command line once the boot identity map,
	// through which boot.Info points at it, is gone.
	cmdlineCopy [pvh.MaxCmdline]byte

	// demandZeroMark is where the image's demand-zero tail begins
	// (demandZeroTail). It is larger than any table of the kernel's, so
	// the linker, which lays zero-initialised data out smallest first,
	// puts it after all of them. Nothing reads or writes it: its pages
	// past the first cost no RAM.
	demandZeroMark [demandZeroMarkSize]byte

	// mappedFiles are the root's files that some area maps, each held
	// open once (mem_file.go); mappedCount of them are in use.
	// fileMaps gives their pages to faults and hears of truncation
	// (installed in space and rootFS at boot).
	mappedFiles [maxMappedFiles]tmpfs.Ino
	mappedCount int
	fileMaps    fileMapper
)

// Threads and the scheduler. Trap.
var (
	threads [maxThreads]Thread

	// threadsHigh bounds the slots ever used: every loop over the
	// table stops there (the scheduler walks it on every trap).
	threadsHigh int

	nextTID int32 = firstTID

	// vectorAreas are the frames holding the threads' vector-state
	// areas, taken at clone and given back at exit (sched_thread.go).
	vectorAreas vecarea.Areas

	// futexes holds the threads blocked in FUTEX_WAIT (waitFutex), by
	// slot, in arrival order.
	futexes futex.Queue
)

// Every thread slot can wait on a futex.
var _ [futex.MaxWaiters - maxThreads]struct{}

// Signals. Trap.
var sigactions [linux.NSIG + 1]sigframe.Action

// Time and timers. Boot-set clock and rates; the profiling timer and
// idleNs change in trap context (each CPU's armed deadline is in cpus).
var (
	clk   clock.Clock
	tsc   clock.TSC // TSC <-> ns, for the deadline timer
	lapic amd64.LAPIC

	tscHz          uint64
	useTSCDeadline bool
	// kvmclockPhys and kvmclockRecords are each CPU's kvmclock record,
	// by CPU number, when the clock is kvmclock (boot_kvmclock.go): the
	// physical address its CPU registers, and where the clock reads it.
	// Zero and nil otherwise.
	kvmclockPhys    [maxCPUs]uint64
	kvmclockRecords [maxCPUs]*clock.PvclockVCPUTimeInfo
	// x2apicAsked is coracle.x2apic=on (boot_apic.go); lapic.X2APIC
	// is the mode chosen.
	x2apicAsked bool
	// idleNs is the time spent idle (halted, waiting for an
	// interrupt), for /proc/uptime.
	idleNs int64
	// apicTicksPerMs is the one-shot timer's rate (divide by 16).
	apicTicksPerMs uint64
	// apicCalibrationStart is the TSC when the one-shot timer started
	// counting down from 2^32-1 for its calibration (boot_time.go); 0
	// with TSC-deadline mode, or once finishAPICCalibration has run.
	apicCalibrationStart uint64

	// The profiling timer (setitimer ITIMER_PROF); each CPU's clock is
	// cpuState.prof (time_prof.go).
	profInterval int64 // ns of CPU time between ticks; 0: one-shot
	itimerLogged [3]bool
)

// The vDSO. Boot-set; shared with ring 3: vdsoClockGettime reads
// vdsoClock in the program's threads. Nothing changes it after boot
// (there is no clock_settime), so ring 3 reads it without a lock.
var (
	// vdsoClock is the clock as vdsoClockGettime reads it
	// (vdso_clock_amd64.s knows the field offsets).
	vdsoClock struct {
		mode  uint64 // 1: the fields below are valid
		base  uint64 // TSC at Monotonic 0
		mul   uint64 // Monotonic = (tsc-base)*mul >> shift, 128-bit product
		shift uint64
		wall  int64 // Realtime - Monotonic
	}

	// vdsoImage is the ELF image AT_SYSINFO_EHDR points at.
	vdsoImage [vdso.Size]byte
)

// Descriptors, eventfds, epoll, poll and pipes. Trap
// (and boot: openConsole).
var (
	// fdt holds the descriptors and open-file descriptions
	// (fd_table.go); openConsole makes 0-2 at boot.
	fdt fdtable.Table

	eventfds [maxEventfds]eventfd
	epolls   [maxEpolls]epollInstance

	// pipes are the pipes (fd_pipe.go); their buffers are frames.
	// pipeLastReady is each pipe's read-end and write-end readiness as
	// last reported, to find rising edges for edge-triggered epoll.
	pipes         [maxPipes]pipe.Pipe
	pipeLastReady [maxPipes][2]uint32
	// pipeFifo is, for a FIFO's pipe, the FIFO's root inode, which
	// each of its descriptions holds open (fd_fifo.go); 0 for a pipe
	// of pipe(2).
	pipeFifo [maxPipes]tmpfs.Ino

	// recordLocks are fcntl's record locks, POSIX and OFD; flockLocks
	// are flock's (sys_lock.go).
	recordLocks filelock.Records
	flockLocks  filelock.Whole
)

// The root file system (fs_root.go). Boot-set (setupRootFS stores the
// Pages source in rootFS); trap from then on.
var (
	rootFS         tmpfs.FS
	rootPageSource rootPages

	// walkers resolve paths; a call that resolves two (rename, link)
	// uses both, since a Result's name may point into its Walker.
	walkers [2]vfs.Walker

	// cwd is the working directory (one process, so one).
	cwd tmpfs.Ino

	// umask is the file mode creation mask (umask(2)).
	umask uint32

	// linkBuf holds a link's target for readlink and the working
	// directory's path for getcwd.
	linkBuf [vfs.PathMax]byte

	// procFiles are the generated files of /proc and /sys
	// (procFileTable, fs_proc.go) and procFDDir is /proc/1/fd,
	// boot-set; procBuf holds a piece of a file while it is generated,
	// and procFDLinks the link /proc/1/fd holds for each descriptor
	// (fs_proc_fd.go), or 0.
	procFiles   [len(procFileTable)]procFile
	procFDDir   tmpfs.Ino
	procBuf     [4096]byte
	procFDLinks [maxFDs]tmpfs.Ino

	// What the program started with, for /proc/1: the initial stack
	// pointer, a copy of the auxiliary vector, the monotonic time.
	// Boot-set (startProgram).
	procInitialSP uint64
	procAuxv      [512]byte
	procAuxvLen   int
	procStartNs   int64

	// copyBuf carries data from a file to where sendfile and
	// copy_file_range put it (sys_copy.go), a page at a time.
	copyBuf [tmpfs.PageSize]byte

	// fsizeLimit is RLIMIT_FSIZE (soft, hard): writes, truncates and
	// allocations past the soft limit fail with EFBIG and raise SIGXFSZ
	// (fs_limit.go).
	fsizeLimit = [2]uint64{linux.RLIM_INFINITY, linux.RLIM_INFINITY}
)

// Sockets. Trap; the socket table itself (socktab, in memory the socket
// service maps) is shared with ring 3 and synchronised by its own
// protocol of atomic words (kernel/abi/socktab).
var (
	// sockWorkFD is the socket service's work descriptor, an eventfd
	// (devcall.SockRegister), or -1 before the service registers: until
	// then (programs that do not use package net) socket() fails.
	sockWorkFD int32 = -1

	// sockLastReady is each socket's readiness as last reported, to
	// find rising edges for edge-triggered epoll.
	sockLastReady [socktab.MaxSockets]uint32

	nextEphemeral uint16 = ephemeralLow

	// sockTimeouts are each socket's SO_RCVTIMEO and SO_SNDTIMEO in ns
	// (0: none): how long a blocking call waits before it answers
	// EAGAIN.
	sockTimeouts [socktab.MaxSockets][2]int64

	// sockTxNeed is, for a datagram socket whose last send found too
	// little room, the room that send needed: the socket is not
	// writable for epoll until it has that much.
	sockTxNeed [socktab.MaxSockets]uint32

	// unixSocks are the AF_UNIX sockets, served in the kernel
	// (sock_unix*.go); their receive rings are frames.
	// unixTimeouts are each one's SO_RCVTIMEO and SO_SNDTIMEO in ns.
	// unixAddrBuf holds a sockaddr_un read from the program, whose
	// path a walk may keep pointing into.
	unixSocks    unixsock.Table
	unixTimeouts [unixsock.MaxSockets][2]int64
	unixAddrBuf  [2 + unixsock.PathMax]byte

	// unixRights are the SCM_RIGHTS messages in flight
	// (sock_unix_rights.go); unixSendFDs[:unixSendN] are the
	// descriptors of the sendmsg being made.
	// netlinkSocks are the NETLINK_ROUTE sockets (sock_netlink.go),
	// served from ifTable, the interface table the network service
	// published last (devcall.SetInterfaces; empty until then).
	netlinkSocks netlink.Table
	ifTable      iftab.Table

	unixRights  [maxRightsBatches]rightsBatch
	unixSendFDs [linux.SCM_MAX_FD]int32
	unixSendN   int
)

// Devices. Trap (the private device calls and interrupts).
var (
	ioAPIC ioapic.IOAPIC
	irqs   [maxIRQs + maxMSIs]struct {
		open  bool
		level bool // a level-triggered IOAPIC line: masked while handled (dev_irq.go)
		count uint64
	}

	// dmaNext and mmioNext are where the next DMA allocation and MMIO
	// mapping go in their windows.
	dmaNext  uint64 = dmaWindow
	mmioNext uint64 = mmioWindow
)

// System-call bookkeeping. Trap.
var (
	// enosysLogged records which calls that answer ENOSYS were reported.
	enosysLogged [linux.NumSyscalls]bool

	sysprofCalls [sysprofSlots]struct{ count, cycles uint64 }
	// sysprofWaits sums the waits of runnable threads for a CPU.
	sysprofWaits struct{ count, ns, max uint64 }

	// runStamps are the TSC stamps after the runtime's entry that
	// coracle.bootstamps prints (diag_runstamps.go).
	runStamps runTimes
)

// Service mounts: shared host directories and disks (fs_share.go). shareMounts and shareCount are
// boot-set; the request slots, pending closes and the service's work
// descriptor are trap.
var (
	shareMounts [shares.MaxMounts]shareMount
	shareCount  int

	// shareSlots are the maxShareRequests request slots, in frames
	// taken at boot when the command line mounts a share or a disk
	// (setupShareMemory), and empty otherwise: a program with neither
	// pays no RAM for them.
	shareSlots []shareSlot

	// shareCloses holds handles to close (Obj + 1; 0: free) that
	// found every request slot busy.
	shareCloses [64]int32

	// shareWorkFD is the file service's work descriptor, an eventfd
	// (devcall.ShareRegister), or -1 before the service registers:
	// calls into a share then answer ENODEV.
	shareWorkFD int32 = -1

	// cwdShare is, while the working directory is in a share, the
	// share's description Obj for it (the service's handle), else -1;
	// cwdSharePath[:cwdSharePathLen] is its absolute path, for getcwd.
	cwdShare        int32 = -1
	cwdSharePath    [shares.PathMax]byte
	cwdSharePathLen int
	// cwdAtShareRoot says the working directory is a share's root, so
	// that ".." leaves the share for the mount point's parent.
	cwdAtShareRoot bool
)

// The page cache of disk files (fs_cache.go). Trap (Init at boot).
var (
	pcache       pagecache.Cache
	pcPageSource cachePages

	// pcHandles holds, for each cached file, the service handle its
	// transfers use (a description's Obj + 1; 0: none).
	pcHandles [pagecache.MaxFiles + 1]int32

	// pcXfers are the transfers in flight, by request slot.
	pcXfers [maxShareRequests]pcXfer

	// pcBounce carries data between the program's buffers and the
	// cache (cacheRead, cacheWrite), so that a fault on a buffer never
	// lands inside a pagecache call: pcBounceSize bytes in frames taken
	// at boot with shareSlots, empty without shares and disks.
	pcBounce []byte
)
