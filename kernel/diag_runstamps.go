package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/devcall"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// runTimes records TSC readings after the Go runtime's entry, where the
// kernel sees the program only through its system calls. With
// coracle.bootstamps, after the bootstamps and bootphases lines
// (diag_bootstamps.go), the kernel stamps the first time each event
// below happens and prints one line, when the program first writes to
// descriptor 1 (before that write, so the line comes first on the
// console) or, if it never does, when it calls exit_group:
//
//	coracle: runstamps first_syscall=<tsc> first_thread=<tsc> net_start=<tsc> nic_ready=<tsc> net_configured=<tsc> sockets_ready=<tsc> first_listen=<tsc> first_stdout=<tsc>
//
// The names and their order are fixed (tests and tools parse the line).
// A stamp whose event had not happened by then is 0: the network's four
// in a program without package net, net_configured when a DHCP lease
// comes after the line, first_listen in a program that listens late or
// never. The kernel cannot see package inits end or main.main begin:
// first_stdout is the first write(2) to descriptor 1, which is main's
// first statement in tools/bench/bootprobe, and later in other programs.
//
// The stamps are taken on whichever CPU runs the call; the CPUs' TSCs
// are the same clock on the machines coracle boots on (QEMU's TCG reads
// the host's; KVM keeps them in step).
type runTimes struct {
	// pending is set when the boot lines are printed and cleared when
	// this one is: only then does doSyscall call observe.
	pending bool
	stamps  [numRunStamps]uint64
}

// runStamp names one of the stamps after the runtime's entry.
type runStamp uint8

// The stamps, in the line's order.
const (
	// runFirstSyscall: the runtime's first system call (arch_prctl
	// for its TLS, within microseconds of the entry).
	runFirstSyscall runStamp = iota
	// runFirstThread: the first clone(2). The Go runtime's first is
	// the sysmon thread, started at the top of runtime.main, after
	// schedinit (heap, signals, the scheduler) and before any package
	// init: first_syscall -> first_thread is the runtime's start.
	runFirstThread
	// The network's start, reported by net/autostart through the
	// private call BootStamp (devcall.Stamp says what each marks).
	runNetStart
	runNICReady
	runNetConfigured
	runSocketsReady
	// runFirstListen: the first listen(2), when the call is made.
	runFirstListen
	// runFirstStdout: the first write(2) to descriptor 1.
	runFirstStdout

	numRunStamps
)

// runStampNames are the stamps' names on the runstamps line.
var runStampNames = [numRunStamps]string{
	runFirstSyscall:  "first_syscall",
	runFirstThread:   "first_thread",
	runNetStart:      "net_start",
	runNICReady:      "nic_ready",
	runNetConfigured: "net_configured",
	runSocketsReady:  "sockets_ready",
	runFirstListen:   "first_listen",
	runFirstStdout:   "first_stdout",
}

// netRunStamps maps the network service's stamps to the line's.
var netRunStamps = [devcall.NumStamps]runStamp{
	devcall.StampNetStart:      runNetStart,
	devcall.StampNICReady:      runNICReady,
	devcall.StampNetConfigured: runNetConfigured,
	devcall.StampSocketsReady:  runSocketsReady,
}

// mark stamps s unless it is stamped already.
func (r *runTimes) mark(s runStamp) {
	if r.stamps[s] == 0 {
		r.stamps[s] = amd64.Rdtsc()
	}
}

// observe stamps system call nr, whose first argument is a0, while the
// line is pending, and prints the line on the first write to
// descriptor 1 or at exit_group.
func (r *runTimes) observe(nr, a0 uint64) {
	r.mark(runFirstSyscall)
	switch nr {
	case linux.SYS_CLONE:
		r.mark(runFirstThread)
	case linux.SYS_LISTEN:
		r.mark(runFirstListen)
	case linux.SYS_WRITE:
		if a0 == 1 {
			r.mark(runFirstStdout)
			r.print()
		}
	case linux.SYS_EXIT_GROUP:
		r.print()
	}
}

// print prints the runstamps line, once.
func (r *runTimes) print() {
	r.pending = false
	printStampLine("coracle: runstamps", runStampNames[:], r.stamps[:])
}
