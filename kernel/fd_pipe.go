package kernel

import (
	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/pipe"
)

// Pipes: the kernel's side of package pipe, which has the rules. Each
// pipe's 64 KiB buffer is pipe.Pages frames taken from the frame
// allocator when the pipe is made and given back when its last end
// closes, so a program pays for the pipes it has open and nothing
// otherwise. A pipe is not made if that would leave less than
// commitReserve free (ENOMEM), as a commit is not: a pipe must not be
// what runs a small VM out of memory.
//
// A read or write that would block on a descriptor without O_NONBLOCK
// parks the thread (waitPipe) and makes the same call again when the
// pipe changes, as blocking sockets do (sock_block.go). A blocking write
// larger than the room there is goes in piece by piece: Thread.pipeDone
// keeps how much of it went in, and the call made again goes on from
// there. Readiness goes to epoll as rising edges (pipeChanged), and
// every read or write also reports the other end's readiness again, as
// Linux wakes epoll on every pipe transfer.

// maxPipes is how many pipes (FIFOs' included) may exist at once
// (ENFILE beyond): as many as there may be descriptors, since each
// pipe has one at least, so that only RLIMIT_NOFILE (EMFILE) or memory
// (ENOMEM: each pipe holds 64 KiB of frames) stops a program first.
// The tables cost 172 bytes a pipe (pipes, pipeLastReady, pipeFifo):
// 172 KiB of kernel data.
const maxPipes = maxFDs

// A pipe end's description names it as Obj = pipe index<<1 | end. A
// FIFO opened for reading and writing (fd_fifo.go) is both ends: its
// Obj says the read end, and its access mode, O_RDWR, says both. What a
// description may do is its access mode's (pipeReads, pipeWrites).
const (
	pipeReadEnd  = 0
	pipeWriteEnd = 1
)

// pipeObj is the Obj of an end of pipe id.
func pipeObj(id, end int) int { return id<<1 | end }

// pipeOf returns the pipe index and end of description d.
func pipeOf(d *openFile) (id, end int) { return int(d.Obj >> 1), int(d.Obj & 1) }

// pipeReads and pipeWrites report whether pipe description d is a read
// end, a write end, or (a FIFO opened O_RDWR) both.
func pipeReads(d *openFile) bool { return d.Flags&linux.O_ACCMODE != linux.O_WRONLY }

func pipeWrites(d *openFile) bool { return d.Flags&linux.O_ACCMODE != linux.O_RDONLY }

// newPipe makes a pipe and returns its index, or an errno: ENFILE when
// the table is full, ENOMEM when its frames would eat the reserve. It
// has one read and one write end, or with fifo none yet (fd_fifo.go).
func newPipe(fifo bool) (int, linux.Errno) {
	id := -1
	for i := range pipes {
		if !pipes[i].InUse() {
			id = i
			break
		}
	}
	if id < 0 {
		return -1, linux.ENFILE
	}
	if frames.FreeCount() < pipe.Pages+commitReserve/4096 && (!reclaimFrames() || frames.FreeCount() < pipe.Pages+commitReserve/4096) {
		return -1, linux.ENOMEM
	}
	var pages [pipe.Pages]uint64
	for i := range pages {
		pa, ok := frames.Alloc()
		if !ok {
			for _, pa := range pages[:i] {
				frames.Free(pa)
			}
			return -1, linux.ENOMEM
		}
		pages[i] = pa
	}
	p := &pipes[id]
	if fifo {
		p.InitFIFO(&pages)
	} else {
		p.Init(&pages)
	}
	pipeFifo[id] = 0
	pipeLastReady[id] = [2]uint32{p.ReadEvents(), p.WriteEvents()}
	return id, 0
}

// pipeClose drops the end description d is (its last descriptor
// closed); the pipe's last end frees its frames, any other wakes what
// waits on the other end.
func pipeClose(d *openFile) {
	id, _ := pipeOf(d)
	p := &pipes[id]
	last := false
	if pipeReads(d) {
		last = p.CloseReader()
	}
	if pipeWrites(d) {
		last = p.CloseWriter() || last
	}
	if ino := pipeFifo[id]; ino != 0 {
		rootFS.Close(ino) // the FIFO's opener (fd_fifo.go)
	}
	if last {
		freePipe(id)
		return
	}
	pipeChanged(id, false, false)
}

// freePipe gives back the frames of pipe id, which no end holds.
func freePipe(id int) {
	for _, pa := range pipes[id].Pages() {
		frames.Free(pa)
	}
	pipeFifo[id] = 0
}

// pipeRead serves read and readv on descriptor d, a pipe's end.
func pipeRead(t *Thread, f *amd64.TrapFrame, d *openFile, iov userIOV) uint64 {
	id, _ := pipeOf(d)
	if !pipeReads(d) {
		return linux.EBADF.Ret()
	}
	switch total, ok := iov.total(); {
	case !ok:
		return linux.EINVAL.Ret()
	case total == 0:
		return 0
	}
	p := &pipes[id]
	switch p.CanRead() {
	case pipe.EOF:
		return 0
	case pipe.WouldBlock:
		return pipeWouldBlock(t, f, d)
	}
	var n uint64
	for i := range iov.vecs {
		b, ok := iov.buf(i, true)
		if !ok {
			if n > 0 {
				break
			}
			return linux.EFAULT.Ret()
		}
		k := p.Take(&physMem, b)
		n += uint64(k)
		if k < len(b) {
			break
		}
	}
	pipeChanged(id, false, true)
	return n
}

// pipeWrite serves write and writev on descriptor d, a pipe's end.
func pipeWrite(t *Thread, f *amd64.TrapFrame, d *openFile, iov userIOV) uint64 {
	id, _ := pipeOf(d)
	if !pipeWrites(d) {
		return linux.EBADF.Ret()
	}
	total, ok := iov.total()
	if !ok {
		return linux.EINVAL.Ret()
	}
	if total == 0 {
		return 0 // Linux: a null write succeeds, even with no reader
	}
	// What went in before a wait counts only for the call made again
	// on the same pipe.
	done := t.pipeDone
	if t.pipeWait != int32(id)+1 || done >= total {
		done = 0
	}
	t.pipeDone, t.pipeWait = 0, 0
	// Every buffer must be readable before any byte goes in, so that
	// an atomic write is never cut short by a bad buffer.
	for i := range iov.vecs {
		if _, ok := iov.buf(i, false); !ok {
			return doneOr(done, linux.EFAULT)
		}
	}
	p := &pipes[id]
	k, r := p.CanWrite(int(total - done))
	switch r {
	case pipe.Broken:
		raiseSIGPIPE(t)
		return doneOr(done, linux.EPIPE)
	case pipe.WouldBlock:
		t.pipeDone = done
		return pipeWouldBlock(t, f, d)
	}
	putIOV(p, iov, done, uint64(k))
	pipeChanged(id, true, false)
	done += uint64(k)
	if done < total && d.Flags&linux.O_NONBLOCK == 0 {
		t.pipeDone = done
		return waitPipeThenRetry(t, f, id)
	}
	return done
}

// doneOr is what a write that stops with e returns: the bytes it wrote
// already, if any, else the error.
func doneOr(done uint64, e linux.Errno) uint64 {
	if done > 0 {
		return done
	}
	return e.Ret()
}

// putIOV appends n bytes of iov, from offset skip on, to p.
func putIOV(p *pipe.Pipe, iov userIOV, skip, n uint64) {
	for i := range iov.vecs {
		if n == 0 {
			return
		}
		b, _ := iov.buf(i, false)
		if skip >= uint64(len(b)) {
			skip -= uint64(len(b))
			continue
		}
		b = b[skip:]
		skip = 0
		k := min(uint64(len(b)), n)
		p.Put(&physMem, b[:k])
		n -= k
	}
}

// pipeWouldBlock answers EAGAIN on a non-blocking descriptor and parks
// t on a blocking one.
func pipeWouldBlock(t *Thread, f *amd64.TrapFrame, d *openFile) uint64 {
	if d.Flags&linux.O_NONBLOCK != 0 {
		return linux.EAGAIN.Ret()
	}
	id, _ := pipeOf(d)
	return waitPipeThenRetry(t, f, id)
}

// waitPipeThenRetry parks t until pipe id changes and returns the call's
// own number for RAX: with RIP moved back over SYSCALL, the woken thread
// makes the call again.
func waitPipeThenRetry(t *Thread, f *amd64.TrapFrame, id int) uint64 {
	f.RIP -= syscallInsnLen
	block(t, waitPipe, 0)
	t.pipeWait = int32(id) + 1
	return f.RAX
}

// pipeChanged reports a change of pipe id: rising readiness to epoll,
// for each descriptor of either end, and the threads waiting on the pipe
// make their calls again. toReader and toWriter also report that end's
// whole readiness, as a new event: data was written for the reader, or
// room was made for the writer.
func pipeChanged(id int, toReader, toWriter bool) {
	p := &pipes[id]
	now := [2]uint32{p.ReadEvents(), p.WriteEvents()}
	ev := [2]uint32{now[0] &^ pipeLastReady[id][0], now[1] &^ pipeLastReady[id][1]}
	pipeLastReady[id] = now
	if toReader {
		ev[0] = now[0]
	}
	if toWriter {
		ev[1] = now[1]
	}
	if ev[0]|ev[1] != 0 {
		pipeEvent(id, ev)
	}
	for i := range liveSlots() {
		t := &threads[i]
		if t.state == threadBlocked && t.wait == waitPipe && t.pipeWait == int32(id)+1 {
			// RAX stays the call's number: the call runs again.
			// pipeWait stays too, for pipeWrite to know it.
			wake(t, t.Frame.RAX)
		}
	}
}

// pipeEvent is kindEvent for the descriptors of pipe id: ev are the
// rising edges of its read end and its write end, and a description
// that is both (a FIFO open O_RDWR) gets both.
func pipeEvent(id int, ev [2]uint32) {
	open := false
	for fd := fdt.Next(0); fd >= 0; fd = fdt.Next(fd + 1) {
		d := fdt.Get(uint64(fd))
		if d.Kind != fdPipe || int(d.Obj>>1) != id {
			continue
		}
		var e uint32
		if pipeReads(d) {
			e |= ev[0]
		}
		if pipeWrites(d) {
			e |= ev[1]
		}
		if e != 0 {
			notifyEpolls(int32(fd), e)
			open = true
		}
	}
	if open {
		wakeEpollWaiters()
		wakePollWaiters()
	}
}

// pipeReadiness is description d's readiness for epoll and poll.
func pipeReadiness(d *openFile) uint32 {
	id, _ := pipeOf(d)
	var r uint32
	if pipeReads(d) {
		r |= pipes[id].ReadEvents()
	}
	if pipeWrites(d) {
		r |= pipes[id].WriteEvents()
	}
	return r
}
