// Package kernel is coracle's library kernel: it owns the CPU after the
// boot stub, builds the address space, and runs the unmodified Go runtime
// in ring 3 on a Linux system-call personality (threads, futexes, mmap
// with demand paging, time, signals, epoll, pipes, sockets), reporting crashes.
// A program becomes a coracle image by importing this package; `coracle
// build` adds that import for it. Everything in it runs in ring 0.
//
// Files are named by concern; the prefix says which:
//
//	boot_*     the boot sequence, run once before the program: CPU, memory,
//	           time, devices, vDSO set-up, the program's initial stack
//	trap_*     dispatch: every exception, interrupt and system call enters here
//	syscall.go the system-call dispatcher
//	syscall_table.go
//	           the system-call tables: handler, status and note of each
//	           call, from which docs/syscalls.md is generated
//	sys_*      system-call handlers, one file per area (sys_file, sys_mm,
//	           sys_signal, sys_socket, sys_epoll, sys_devcall, ...)
//	sched_*    threads and the scheduler
//	signal_*   signal delivery (frames, fault signals)
//	time_*     clocks, the local APIC timer, idle, the profiling tick
//	mem_*      the address-space layout, page faults, user memory access
//	fd_*       the descriptor table, open files of the root file system, pipes
//	fs_*       the root file system (a tmpfs), the working directory
//	sock_*     the kernel's side of sockets (the table, I/O, blocking)
//	dev_*      device interrupts
//	diag_*     diagnostics: crash reports, strace, sysprof, boot stamps
//	vdso_*     the vDSO's clock, code that runs in ring 3
//	state.go   all of the kernel's mutable state, by concern, with what
//	           guards each group
//
// Trap context: dispatch and everything it reaches (every sys* handler,
// the scheduler, page faults, the console, crash reports, Exit) run on the
// kernel stack with interrupts off and a stand-in g (see
// arch/amd64.PerCPU). They must not allocate, block, take Go locks, panic
// or store pointers into Go memory (write barriers): the thread table and
// everything else they touch are fixed arrays of plain data, and threads
// are named by index. tools/trapcheck verifies this on every built image.
// The boot path (kernelMain and what it calls) runs before the Go runtime
// exists and is held to the same rules. The one exception is vdso_*:
// vdsoClockGettime runs in ring 3, in the program's threads.
package kernel
