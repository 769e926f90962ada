package pipe

import "github.com/coracle-os/coracle/kernel/abi/linux"

const (
	// PageSize is the size of one of a pipe's buffers.
	PageSize = 4096
	// Pages is how many buffers a pipe has: Linux's default of 16
	// (PIPE_DEF_BUFFERS).
	Pages = 16
	// Capacity is how many bytes a pipe holds: 64 KiB, Linux's default
	// pipe size.
	Capacity = Pages * PageSize
	// Atomic is PIPE_BUF: writes of at most this many bytes are atomic.
	Atomic = linux.PIPE_BUF
)

// Memory gives the bytes of the buffer page at address pa (a physical
// address in the kernel; anything the Memory understands in tests).
type Memory interface {
	Page(pa uint64) *[PageSize]byte
}

// A Result says how a read or write may proceed.
type Result uint8

const (
	// OK: the call makes progress now.
	OK Result = iota
	// WouldBlock: EAGAIN for a non-blocking descriptor; a blocking one
	// waits for the pipe to change.
	WouldBlock
	// EOF: a read finds the pipe empty and no write end left.
	EOF
	// Broken: a write finds no read end left (EPIPE and SIGPIPE).
	Broken
)

// A Pipe is one pipe's state. The zero Pipe is not in use; Init makes it
// a pipe with one read end and one write end. It holds no pointer: its
// buffers are page addresses.
type Pipe struct {
	pages [Pages]uint64
	// head and tail count the bytes ever read and written; tail-head
	// is the amount buffered, and a position p lives at p%Capacity.
	head, tail uint64
	// readers and writers count the open ends (open-file descriptions,
	// which dup shares).
	readers, writers int32
	used             bool
}

// Init makes p a new, empty pipe over the buffer pages given, with one
// read end and one write end.
func (p *Pipe) Init(pages *[Pages]uint64) {
	*p = Pipe{pages: *pages, readers: 1, writers: 1, used: true}
}

// InitFIFO makes p a new, empty pipe over the buffer pages given with
// no end open: a FIFO's, whose opens add their ends (AddReader,
// AddWriter). Drop releases it if no end ever comes.
func (p *Pipe) InitFIFO(pages *[Pages]uint64) {
	*p = Pipe{pages: *pages, used: true}
}

// Drop releases p if no end is open (a FIFO whose first open failed)
// and reports whether it did.
func (p *Pipe) Drop() bool { return p.release() }

// InUse reports whether p is a pipe (Init was called and Release was
// not).
func (p *Pipe) InUse() bool { return p.used }

// Pages returns the buffer pages Init was given, for the kernel to free.
func (p *Pipe) Pages() *[Pages]uint64 { return &p.pages }

// Len is the number of bytes buffered (FIONREAD).
func (p *Pipe) Len() int { return int(p.tail - p.head) }

// Free is the room left, in bytes.
func (p *Pipe) Free() int { return Capacity - p.Len() }

// Readers and Writers are the counts of open read and write ends.
func (p *Pipe) Readers() int { return int(p.readers) }

// Writers is the count of open write ends.
func (p *Pipe) Writers() int { return int(p.writers) }

// CanRead says how a read may proceed: OK while bytes are buffered, EOF
// once the pipe is empty with no write end, WouldBlock otherwise.
func (p *Pipe) CanRead() Result {
	switch {
	case p.tail != p.head:
		return OK
	case p.writers == 0:
		return EOF
	}
	return WouldBlock
}

// Take copies up to len(b) buffered bytes into b, removes them from the
// pipe and returns how many.
func (p *Pipe) Take(mem Memory, b []byte) int {
	n := 0
	for n < len(b) && p.head != p.tail {
		off := int(p.head % Capacity)
		page := mem.Page(p.pages[off/PageSize])
		in := off % PageSize
		k := min(len(b)-n, PageSize-in, p.Len())
		copy(b[n:n+k], page[in:in+k])
		n += k
		p.head += uint64(k)
	}
	return n
}

// CanWrite says how a write of n more bytes (n > 0) may proceed and, if
// it may (OK), how many bytes it takes now: all n when they fit; a write
// of at most Atomic bytes is never split, so otherwise it would block; a
// larger one takes what room there is once at least a page is free. A
// write that gets fewer than n bytes in waits for the rest when it is
// blocking (the rest, n smaller, is asked again), and returns what it
// wrote when it is not.
func (p *Pipe) CanWrite(n int) (int, Result) {
	free := p.Free()
	switch {
	case p.readers == 0:
		return 0, Broken
	case n <= free:
		return n, OK
	case n > Atomic && free >= Atomic:
		return free, OK
	}
	return 0, WouldBlock
}

// Put appends up to p.Free() bytes of b to the pipe and returns how
// many it took.
func (p *Pipe) Put(mem Memory, b []byte) int {
	n := 0
	for n < len(b) && p.Free() > 0 {
		off := int(p.tail % Capacity)
		page := mem.Page(p.pages[off/PageSize])
		in := off % PageSize
		k := min(len(b)-n, PageSize-in, p.Free())
		copy(page[in:in+k], b[n:n+k])
		n += k
		p.tail += uint64(k)
	}
	return n
}

// ReadEvents is the read end's readiness as epoll events: EPOLLIN while
// bytes are buffered, EPOLLHUP once no write end remains.
func (p *Pipe) ReadEvents() uint32 {
	var r uint32
	if p.tail != p.head {
		r |= linux.EPOLLIN
	}
	if p.writers == 0 {
		r |= linux.EPOLLHUP
	}
	return r
}

// WriteEvents is the write end's readiness: EPOLLOUT while at least a
// page is free, EPOLLERR once no read end remains.
func (p *Pipe) WriteEvents() uint32 {
	var r uint32
	if p.Free() >= Atomic {
		r |= linux.EPOLLOUT
	}
	if p.readers == 0 {
		r |= linux.EPOLLERR
	}
	return r
}

// AddReader and AddWriter count another open read or write end.
func (p *Pipe) AddReader() { p.readers++ }

// AddWriter counts another open write end.
func (p *Pipe) AddWriter() { p.writers++ }

// CloseReader and CloseWriter drop an open end. They report whether
// that was the pipe's last end: then p is no longer in use and the
// kernel frees its pages (Pages).
func (p *Pipe) CloseReader() bool {
	if p.readers > 0 {
		p.readers--
	}
	return p.release()
}

// CloseWriter drops an open write end; see CloseReader.
func (p *Pipe) CloseWriter() bool {
	if p.writers > 0 {
		p.writers--
	}
	return p.release()
}

func (p *Pipe) release() bool {
	if p.readers > 0 || p.writers > 0 || !p.used {
		return false
	}
	p.used = false
	return true
}
