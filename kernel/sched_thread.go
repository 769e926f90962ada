package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/sigframe"
)

// A Thread is one Linux thread of the program: the Go runtime runs each
// of its Ms on one. Threads live in a fixed table so that trap handlers
// never allocate; a thread's user registers live in its Frame, where the
// entry stubs save them in place.
type Thread struct {
	// Frame holds the user registers while the thread is not running
	// in ring 3. It must stay first: the table keeps it 16-byte
	// aligned, as the CPU's interrupt frame is.
	Frame amd64.TrapFrame

	tid    int32
	state  threadState
	wait   waitReason
	fsBase uint64

	// Blocked threads: when the wait ends (a futex waiter is also on
	// futexes, by slot).
	deadline int64 // monotonic ns; 0 = none

	// Signal state: the blocked and the pending signals, the
	// alternate signal stack.
	sigMask        uint64
	pendingSignals uint64
	// kernelSignals are the pending signals the kernel itself raised
	// (SIGPROF from the profiling timer): their siginfo says SI_KERNEL.
	kernelSignals uint64
	altStack      sigframe.Stack

	// xsave is the 64-byte aligned vector-state area (xsaveAreas).
	xsave uintptr

	// sockWait is, plus one, the socket a blocking socket call waits
	// for (waitSocket); the call runs again when the socket changes.
	sockWait int32
	// pipeWait is, plus one, the pipe a blocking read or write waits
	// for (waitPipe), or last waited for; pipeDone is how much of a
	// blocking write that waits for room has gone in already: the call,
	// made again on that pipe, goes on from there. Both together keep
	// the size a multiple of 16 (checkThreadLayout).
	pipeWait int32
	pipeDone uint64
	// unixWait is, plus one, the AF_UNIX socket a blocking call waits
	// for (waitUnix), or last waited for; unixDone is how much of a
	// blocking stream write went in before it waited (sock_unix.go).
	unixWait int32
	// onCPU is the CPU the thread runs on while threadRunning (and
	// last ran on otherwise), or -1 before it first runs.
	onCPU    int32
	unixDone uint64

	// notOn are the CPUs sched_setaffinity keeps the thread off
	// (the zero value: none).
	notOn cpuMask
}

// allowedOn reports whether t's affinity lets it run on CPU c.
func (t *Thread) allowedOn(c int) bool { return !t.notOn.has(c) }

// mine reports whether t is running on the calling CPU.
func (t *Thread) mine() bool { return t.state == threadRunning && int(t.onCPU) == thisCPU() }

type threadState uint8

const (
	threadFree threadState = iota
	threadRunnable
	threadRunning
	threadBlocked
)

type waitReason uint8

const (
	waitNone waitReason = iota
	waitFutex
	waitSleep
	waitEpoll
	waitSocket    // a blocking socket call, made again when the socket changes
	waitPoll      // poll, ppoll or pselect6 (sys_poll.go); RAX is the call's number
	waitPipe      // a blocking pipe read or write, made again when the pipe changes
	waitShare     // a call into a shared directory, ended by the file service (fs_share.go)
	waitShareSlot // a call into a shared directory waiting for a request slot, made again
	waitLock      // flock, F_SETLKW or F_OFD_SETLKW (sys_lock.go), made again when a lock is released
	waitPageCache // a call on a cached disk file waiting for another's transfer (fs_cache.go), made again
	waitFifo      // an open of a FIFO waiting for the other side to open (fd_fifo.go); ended with its descriptor
	waitUnix      // a blocking AF_UNIX socket call (sock_unix.go), made again when the socket changes
)

const (
	maxThreads = 256
	// xsaveAreaSize bounds EnableVectorState's size (AVX-512 needs
	// about 2.7 KiB) and holds the block traps store YMM registers in
	// (amd64.FastAreaSize).
	xsaveAreaSize = 4096
	firstTID      = 1
)

// The areas hold amd64.FastAreaSize bytes: this fails to compile if not.
const _ uint = xsaveAreaSize - amd64.FastAreaSize

// cur returns the thread this CPU runs (or last ran, while it idles).
func cur() *Thread { return &threads[me().current] }

// slot is t's index in the thread table: what queues that must not hold
// pointers (futexes) name it by.
func (t *Thread) slot() int {
	return int((uintptr(unsafe.Pointer(t)) - uintptr(unsafe.Pointer(&threads[0]))) / unsafe.Sizeof(Thread{}))
}

// xsaveArea returns thread i's vector save area.
func xsaveArea(i int) uintptr {
	base := (uintptr(unsafe.Pointer(&xsaveAreas[0])) + 63) &^ 63
	return base + uintptr(i)*xsaveAreaSize
}

// liveSlots is the part of the table that has ever held a thread.
func liveSlots() []Thread { return threads[:threadsHigh] }

// newThread takes a free slot, or returns nil when the table is full.
func newThread() *Thread {
	for i := range threads {
		t := &threads[i]
		if t.state != threadFree {
			continue
		}
		*t = Thread{tid: nextTID, state: threadRunnable, xsave: xsaveArea(i), onCPU: -1}
		nextTID++
		threadsHigh = max(threadsHigh, i+1)
		return t
	}
	return nil
}

// threadByTID finds a live thread.
func threadByTID(tid int32) *Thread {
	for i := range liveSlots() {
		if t := &threads[i]; t.state != threadFree && t.tid == tid {
			return t
		}
	}
	return nil
}

// liveThreads counts the threads that are not free.
func liveThreads() int {
	n := 0
	for i := range liveSlots() {
		if threads[i].state != threadFree {
			n++
		}
	}
	return n
}

// initVectorState gives a fresh area the state a new Linux process
// starts with: x87 control word 0x37F and MXCSR 0x1F80 (all exceptions
// masked), marked valid in XSTATE_BV so that XRSTOR loads them.
func initVectorState(area uintptr) {
	thisPerCPU().VectorStateToMemory()
	b := (*[xsaveAreaSize]byte)(addrPointer(area))
	clear(b[:])
	b[0], b[1] = 0x7F, 0x03   // FCW
	b[24], b[25] = 0x80, 0x1F // MXCSR
	b[512] = 0x3              // XSTATE_BV: x87 and SSE
}

// copyVectorState gives a new thread its creator's x87/SSE/AVX state,
// as Linux does on clone.
func copyVectorState(dst, src uintptr) {
	thisPerCPU().VectorStateToMemory()
	*(*[xsaveAreaSize]byte)(addrPointer(dst)) = *(*[xsaveAreaSize]byte)(addrPointer(src))
}
