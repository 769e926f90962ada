package unixsock

const (
	// PageSize is the size of one of a ring's buffers.
	PageSize = 4096
	// Pages is how many buffers a socket's receive ring has.
	Pages = 16
	// Capacity is how many bytes a receive ring holds: 64 KiB.
	Capacity = Pages * PageSize
)

// Memory gives the bytes of the buffer page at address pa (a physical
// address in the kernel; anything the Memory understands in tests).
type Memory interface {
	Page(pa uint64) *[PageSize]byte
}

// A ring is a byte queue over Pages buffer pages. head and tail count
// the bytes ever taken and put; tail-head is the amount queued, and a
// position p lives at p%Capacity.
type ring struct {
	pages      [Pages]uint64
	head, tail uint64
}

func (r *ring) len() int  { return int(r.tail - r.head) }
func (r *ring) free() int { return Capacity - r.len() }

// put appends up to r.free() bytes of b and returns how many.
func (r *ring) put(mem Memory, b []byte) int {
	n := 0
	for n < len(b) && r.free() > 0 {
		off := int(r.tail % Capacity)
		in := off % PageSize
		k := min(len(b)-n, PageSize-in, r.free())
		copy(mem.Page(r.pages[off/PageSize])[in:in+k], b[n:n+k])
		n += k
		r.tail += uint64(k)
	}
	return n
}

// peek copies the queued bytes from offset skip on into b, without
// taking them, and returns how many.
func (r *ring) peek(mem Memory, skip int, b []byte) int {
	n := 0
	for n < len(b) && skip+n < r.len() {
		off := int((r.head + uint64(skip+n)) % Capacity)
		in := off % PageSize
		k := min(len(b)-n, PageSize-in, r.len()-skip-n)
		copy(b[n:n+k], mem.Page(r.pages[off/PageSize])[in:in+k])
		n += k
	}
	return n
}

// drop takes n queued bytes away.
func (r *ring) drop(n int) { r.head += uint64(min(n, r.len())) }
