package kernel

import (
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/tmpfs"
)

// FIFOs (fifo(7)): a FIFO of the root tmpfs (tmpfs.Mkfifo) is a name
// for a pipe of fd_pipe.go. The first open makes the pipe, with no end
// yet, and pipeFifo ties it to the inode; each open adds its ends (a
// read end for O_RDONLY, a write end for O_WRONLY, both for O_RDWR) as
// an fdPipe description that also holds the inode open, and the last
// close frees the pipe, and with it anything still buffered, as on
// Linux. Reads, writes, readiness and the rest are the pipe's; fstat
// describes the FIFO's inode.
//
// Opening follows open(2) and fifo(7): O_RDONLY waits until a writer
// opens (at once with O_NONBLOCK), O_WRONLY until a reader opens
// (ENXIO at once with O_NONBLOCK), O_RDWR never waits. An open that
// waits is complete but for the wait: its descriptor exists and its end
// counts, so that the other side's open finds it and wakes it (the
// call's result, the descriptor, is set then), as Linux counts a
// waiting opener. The thread waits as waitFifo, with pipeWait the pipe
// plus one and pipeDone its descriptor<<1 | the side it waits for.

// The side a thread waiting in a FIFO's open waits for.
const (
	fifoWantsWriter = 0 // a reader waits for a writer to open
	fifoWantsReader = 1 // a writer waits for a reader to open
)

// fifoIno returns the FIFO inode pipe description d is open on, or 0
// for a pipe of pipe(2).
func fifoIno(d *openFile) tmpfs.Ino {
	id, _ := pipeOf(d)
	return pipeFifo[id]
}

// fifoPipe returns the pipe of FIFO ino, or -1 if it is not open.
func fifoPipe(ino tmpfs.Ino) int {
	for id := range pipes {
		if pipeFifo[id] == ino && pipes[id].InUse() {
			return id
		}
	}
	return -1
}

// fifoOpen opens FIFO ino for thread t with open's flags (not O_PATH).
func fifoOpen(t *Thread, ino tmpfs.Ino, flags uint32) uint64 {
	acc := flags & linux.O_ACCMODE
	nonblock := flags&linux.O_NONBLOCK != 0
	id := fifoPipe(ino)
	if acc == linux.O_WRONLY && nonblock && (id < 0 || pipes[id].Readers() == 0) {
		return linux.ENXIO.Ret()
	}
	made := id < 0
	if made {
		var e linux.Errno
		if id, e = newPipe(true); e != 0 {
			return e.Ret()
		}
		pipeFifo[id] = ino
	}
	end := pipeReadEnd
	if acc == linux.O_WRONLY {
		end = pipeWriteEnd
	}
	keep := flags&^(linux.O_CREAT|linux.O_EXCL|linux.O_NOCTTY|linux.O_TRUNC|linux.O_CLOEXEC) | linux.O_LARGEFILE
	fd := allocFD(fdPipe, pipeObj(id, end), keep, flags&linux.O_CLOEXEC != 0)
	if fd < 0 {
		if made && pipes[id].Drop() {
			freePipe(id)
		}
		return linux.EMFILE.Ret()
	}
	rootFS.Open(ino)
	p := &pipes[id]
	if acc != linux.O_WRONLY {
		p.AddReader()
		fifoWake(id, fifoWantsReader)
	}
	if acc != linux.O_RDONLY {
		p.AddWriter()
		fifoWake(id, fifoWantsWriter)
	}
	pipeChanged(id, false, false)
	switch {
	case nonblock:
	case acc == linux.O_RDONLY && p.Writers() == 0:
		fifoWait(t, id, fd, fifoWantsWriter)
	case acc == linux.O_WRONLY && p.Readers() == 0:
		fifoWait(t, id, fd, fifoWantsReader)
	}
	return uint64(fd)
}

// fifoWait parks t, whose open made descriptor fd on pipe id, until the
// other side opens.
func fifoWait(t *Thread, id, fd, want int) {
	block(t, waitFifo, 0)
	t.pipeWait = int32(id) + 1
	t.pipeDone = uint64(fd)<<1 | uint64(want)
}

// fifoWake ends the opens that wait on pipe id for the side that just
// opened (want): each returns its descriptor.
func fifoWake(id, want int) {
	for i := range liveSlots() {
		t := &threads[i]
		if t.state != threadBlocked || t.wait != waitFifo || t.pipeWait != int32(id)+1 || int(t.pipeDone&1) != want {
			continue
		}
		fd := t.pipeDone >> 1
		t.pipeWait, t.pipeDone = 0, 0
		wake(t, fd)
	}
}
