package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/sigframe"
	"github.com/coracle-os/coracle/kernel/vecarea"
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

	// readyAt is when the thread last became runnable (nanotime), until
	// a CPU runs it; 0 for a new thread, and always 0 without
	// coracle.sysprof, which reports the waits. The padding keeps the size a multiple of 16.
	readyAt int64
	_       [8]byte

	// xsave is the 64-byte aligned vector-state area, in a frame of
	// its own or shared with neighbouring slots (vectorAreas), through
	// the direct map.
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

// The table's entries stay 16-byte aligned (checkThreadLayout checks
// the start at boot): this fails to compile if the size is not a
// multiple of 16.
var _ [unsafe.Sizeof(Thread{}) % 16]struct{} = [0]struct{}{}

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
	firstTID   = 1
)

// Every thread slot can have a vector-state area.
var _ [vecarea.MaxSlots - maxThreads]struct{}

// The trap stubs' AVX layout fits in a frame: this fails to compile if
// not.
const _ uint = vecarea.PageSize - amd64.FastAreaSize

// cur returns the thread this CPU runs (or last ran, while it idles).
func cur() *Thread { return &threads[me().current] }

// slot is t's index in the thread table: what queues that must not hold
// pointers (futexes) name it by.
func (t *Thread) slot() int {
	return int((uintptr(unsafe.Pointer(t)) - uintptr(unsafe.Pointer(&threads[0]))) / unsafe.Sizeof(Thread{}))
}

// setupVectorAreas sizes the threads' vector-state areas once the boot
// CPU has enabled its vector state (setupUserEntry): what XSAVE needs
// for the components in XCR0 (CPUID.(EAX=0DH,ECX=0):EBX, SDM Vol. 1
// §13.5), or FXSAVE's 512 bytes, and at least the block the trap stubs
// store YMM registers in when they save AVX state with moves.
func setupVectorAreas() {
	size := cpu0.XSaveSize
	if cpu0.FastVector == amd64.VectorSaveAVX {
		size = max(size, amd64.FastAreaSize)
	}
	if !vectorAreas.SetLayout(size) {
		bootFailure("the CPU's vector state does not fit in a page")
	}
}

// vectorAreaSize is the size of each thread's vector-state area.
func vectorAreaSize() uintptr { return uintptr(vectorAreas.Layout().Stride) }

// vectorFrame takes a frame for the vector-state areas, evicting clean
// page-cache pages when none is free. A thread does not leave the
// commit reserve (commitReserve) alone as pipes do: the reserve is kept
// for the kernel's own needs, and this is one.
func vectorFrame() (uint64, bool) {
	if pa, ok := frames.Alloc(); ok {
		return pa, true
	}
	if !reclaimFrames() {
		return 0, false
	}
	return frames.Alloc()
}

// liveSlots is the part of the table that has ever held a thread.
func liveSlots() []Thread { return threads[:threadsHigh] }

// newThread takes a free slot and gives it a vector-state area (not
// yet initialised: initVectorState or copyVectorState). It fails with
// EAGAIN when the table is full, as Linux's clone does at the thread
// limit, and with ENOMEM when there is no frame for the area.
func newThread() (*Thread, linux.Errno) {
	for i := range threads {
		t := &threads[i]
		if t.state != threadFree {
			continue
		}
		var frame uint64
		if vectorAreas.NeedsFrame(i) {
			var ok bool
			if frame, ok = vectorFrame(); !ok {
				return nil, linux.ENOMEM
			}
		}
		pa, ok := vectorAreas.Acquire(i, frame)
		if !ok { // cannot happen: the slot was free
			if frame != 0 {
				frames.Free(frame)
			}
			return nil, linux.ENOMEM
		}
		*t = Thread{tid: nextTID, state: threadRunnable, xsave: uintptr(pa) + physOffset, onCPU: -1}
		nextTID++
		threadsHigh = max(threadsHigh, i+1)
		return t, 0
	}
	return nil, linux.EAGAIN
}

// freeThread ends t, which runs on the calling CPU, and gives back its
// vector-state area. The area is completed first: the entry may have
// left part of t's state in the CPU (PerCPU.EntryArea), which the
// return to ring 3 would otherwise store into the freed area, after
// the kernel lock is let go and another CPU may have reused its frame.
func freeThread(t *Thread) {
	thisPerCPU().VectorStateToMemory()
	t.state = threadFree
	t.xsave = 0
	if free, _ := vectorAreas.Release(t.slot()); free != 0 {
		frames.Free(free)
	}
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
	b := unsafe.Slice((*byte)(addrPointer(area)), vectorAreaSize())
	clear(b)
	b[0], b[1] = 0x7F, 0x03   // FCW
	b[24], b[25] = 0x80, 0x1F // MXCSR
	b[512] = 0x3              // XSTATE_BV: x87 and SSE
}

// copyVectorState gives a new thread its creator's x87/SSE/AVX state,
// as Linux does on clone.
func copyVectorState(dst, src uintptr) {
	thisPerCPU().VectorStateToMemory()
	n := vectorAreaSize()
	copy(unsafe.Slice((*byte)(addrPointer(dst)), n), unsafe.Slice((*byte)(addrPointer(src)), n))
}
