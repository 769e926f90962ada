// Package socktab is the socket table that the kernel's socket system
// calls and the socket service (net/sockserver) share. The kernel owns each
// socket's state and completes every socket call in trap context against
// it; the service follows asynchronously, driving gVisor's netstack, and
// moves data between netstack endpoints and each socket's receive and
// transmit rings (docs/network.md explains why no call may wait for a
// goroutine).
//
// Synchronization: one CPU, and a trap may interrupt the service at any
// instruction, so every field written by both sides is atomic. The rings
// are single-producer, single-consumer: for Rx the service produces
// (advances Tail) and the kernel consumes (advances Head); for Tx the
// reverse. Data is written before the index that publishes it.
//
// Trap context: everything here may run in trap context: atomics and
// fixed arrays only.
package socktab

import (
	"sync/atomic"
	"unsafe"
)

// Limits.
const (
	MaxSockets  = 256
	RingSize    = 64 << 10 // bytes per ring; a power of two
	AcceptQueue = 128
	// Window is where the rings live: socket i's receive ring at
	// Window + 2*i*RingSize, its transmit ring right after. The kernel
	// maps it as ordinary memory, backed on first touch.
	Window     = 0x7d00_0000_0000
	WindowSize = MaxSockets * 2 * RingSize
)

// Socket states.
const (
	Free uint32 = iota
	Open        // created; maybe bound
	Listening
	Connecting
	Connected
	Closing // the program closed it; the service tears it down
)

// Work for the service, OR-ed into Socket.Work by the kernel.
const (
	WorkCreate   = 1 << iota // make the endpoint
	WorkOptions              // apply Options
	WorkListen               // bind and listen
	WorkConnect              // bind (if bound) and connect to Peer
	WorkTx                   // the transmit ring has data
	WorkRxSpace              // the receive ring has room again
	WorkShutWr               // shut down the write side once Tx is sent
	WorkClose                // tear down and free
	WorkBind                 // bind a datagram socket to Local
	WorkAccepted             // the program took a connection from a full accept queue
)

// Socket types (Socket.Type), Linux's SOCK_STREAM and SOCK_DGRAM.
const (
	Stream = 1
	Dgram  = 2
)

// Option bits and values (Socket.Options, KeepIdle...).
const (
	OptReuseAddr = 1 << iota
	OptKeepAlive
	OptNoDelay
	OptV6Only
	OptBroadcast
)

// Addr is a socket address.
type Addr struct {
	IP   [16]byte
	Len  uint8 // 4 or 16; 0 means unspecified (any)
	Port uint16
}

// Unmap4 turns an IPv4-mapped IPv6 address (::ffff:a.b.c.d) into the
// IPv4 address it carries: sockets keep IPv4 peers of dual-stack sockets
// as IPv4.
func (a *Addr) Unmap4() {
	if a.Len != 16 || a.IP[10] != 0xff || a.IP[11] != 0xff || !allZero(a.IP[:10]) {
		return
	}
	copy(a.IP[:4], a.IP[12:16])
	clear(a.IP[4:])
	a.Len = 4
}

// Unspecified reports whether a is the any-address (0.0.0.0 or ::).
func (a *Addr) Unspecified() bool {
	return a.Len == 0 || allZero(a.IP[:a.Len])
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// Ring indices; the bytes are at RingData. A stream socket's rings hold
// bytes; a datagram socket's hold records, each a DgramHeader and then
// the payload, so that datagram boundaries and addresses survive.
//
// Positions run on (byte i is at i mod RingSize), but the producer moves
// an empty ring's position on to the next multiple of RingSize before
// it writes (Writable), and the consumer takes the bytes skipped as
// read (Readable). So a connection whose messages are read before the
// next arrives, a request and its answer at a time, keeps writing the
// ring's first page instead of walking through all sixteen, each of
// which costs a frame from its first touch on.
type Ring struct {
	Head, Tail atomic.Uint64
	// Start is where the producer last moved the empty ring's position
	// to. Stored before the Tail that covers bytes written from it.
	Start atomic.Uint64
}

// Used is how many bytes are in the ring; either side, or a third, may
// ask.
func (r *Ring) Used() uint64 {
	tail := r.Tail.Load()
	from := max(r.Start.Load(), r.Head.Load())
	if from >= tail {
		return 0
	}
	return tail - from
}

// Readable is where the consumer reads next, head, and the end of what
// there is to read, tail. A move of the ring's position that the
// producer published with the bytes now in it is taken first: Head
// jumps to Start.
func (r *Ring) Readable() (head, tail uint64) {
	tail = r.Tail.Load()
	head = r.Head.Load()
	if s := r.Start.Load(); s > head && s <= tail {
		head = s
		r.Head.Store(s)
	}
	return head, tail
}

// Writable is where the producer writes next, tail, and the room there
// is. An empty ring's position is first moved to the start of the
// ring's memory (Start), unless it is there; the producer publishes
// what it writes from there by storing Tail, as ever, and need not
// write anything.
func (r *Ring) Writable() (tail, room uint64) {
	tail = r.Tail.Load()
	head := r.Head.Load()
	if head == tail {
		if off := tail % RingSize; off != 0 {
			tail += RingSize - off
			r.Start.Store(tail)
		}
		return tail, RingSize
	}
	return tail, RingSize - (tail - max(head, r.Start.Load()))
}

// Socket is one socket.
type Socket struct {
	State   atomic.Uint32
	Work    atomic.Uint32
	Family  int32 // AF_INET or AF_INET6
	Type    int32 // Stream or Dgram
	Options atomic.Uint32
	// KeepIdle, KeepIntvl (seconds) and KeepCnt, when set.
	KeepIdle, KeepIntvl, KeepCnt atomic.Int32
	Backlog                      int32

	Local, Peer Addr // written by one side before a state change publishes them
	Bound       bool // Local was set by bind (or autobind)

	Err    atomic.Int32 // pending SO_ERROR, an errno
	RxEOF  atomic.Bool  // the peer finished sending, after the Rx data
	TxShut atomic.Bool  // the program shut down writing
	// RxBlocked: the service holds a datagram the receive ring had no
	// room for; the kernel asks for WorkRxSpace when it frees some.
	RxBlocked atomic.Bool

	Rx, Tx Ring

	// The accept queue of a listening socket: socket numbers of new
	// connections, produced by the service, consumed by accept4.
	AcceptQ                [AcceptQueue]atomic.Int32
	AcceptHead, AcceptTail atomic.Uint32
}

// Table is every socket.
var Table [MaxSockets]Socket

// high bounds the sockets ever allocated: loops over the table, which
// run on every socket wake-up, stop there.
var high atomic.Int32

// Used is the part of Table that has ever held a socket.
func Used() []Socket { return Table[:high.Load()] }

// RingData returns socket id's receive (rx true) or transmit ring memory.
func RingData(id int, rx bool) []byte {
	a := uintptr(Window + uint64(id)*2*RingSize)
	if !rx {
		a += RingSize
	}
	return unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&a))), RingSize)
}

// Alloc claims a free socket, or returns -1.
func Alloc(family, typ int32) int {
	for i := range Table {
		s := &Table[i]
		if s.State.Load() == Free && s.State.CompareAndSwap(Free, Open) {
			for {
				h := high.Load()
				if int32(i) < h || high.CompareAndSwap(h, int32(i)+1) {
					break
				}
			}
			s.Work.Store(0)
			s.Family, s.Type = family, typ
			s.Options.Store(0)
			s.KeepIdle.Store(0)
			s.KeepIntvl.Store(0)
			s.KeepCnt.Store(0)
			s.Backlog = 0
			s.Local, s.Peer, s.Bound = Addr{}, Addr{}, false
			s.Err.Store(0)
			s.RxEOF.Store(false)
			s.TxShut.Store(false)
			s.RxBlocked.Store(false)
			s.Rx.Head.Store(0)
			s.Rx.Tail.Store(0)
			s.Rx.Start.Store(0)
			s.Tx.Head.Store(0)
			s.Tx.Tail.Store(0)
			s.Tx.Start.Store(0)
			s.AcceptHead.Store(0)
			s.AcceptTail.Store(0)
			return i
		}
	}
	return -1
}

// CopyIn writes b at ring position pos (mod RingSize).
func CopyIn(ring []byte, pos uint64, b []byte) {
	off := pos % RingSize
	n := copy(ring[off:], b)
	copy(ring, b[n:])
}

// CopyOut reads len(b) bytes from ring position pos (mod RingSize).
func CopyOut(b []byte, ring []byte, pos uint64) {
	off := pos % RingSize
	n := copy(b, ring[off:])
	copy(b[n:], ring)
}

// Datagram records.
const (
	// DgramHeader is the size of a record header: the payload length
	// (uint32), the address length, a zero byte, the port (big endian)
	// and 16 address bytes.
	DgramHeader = 24
	// MaxDgram is the largest payload a record can carry: a whole ring.
	// Linux's limits (65,507 bytes over IPv4, 65,527 over IPv6) are
	// close; larger sends fail with EMSGSIZE.
	MaxDgram = RingSize - DgramHeader
)

// PutDgramHeader writes the header of a record of n payload bytes to or
// from a.
func PutDgramHeader(h *[DgramHeader]byte, n int, a *Addr) {
	h[0], h[1], h[2], h[3] = byte(n), byte(n>>8), byte(n>>16), byte(n>>24)
	h[4], h[5] = a.Len, 0
	h[6], h[7] = byte(a.Port>>8), byte(a.Port)
	copy(h[8:], a.IP[:])
}

// ParseDgramHeader reads a record header.
func ParseDgramHeader(h *[DgramHeader]byte) (n int, a Addr) {
	n = int(h[0]) | int(h[1])<<8 | int(h[2])<<16 | int(h[3])<<24
	a.Len = h[4]
	a.Port = uint16(h[6])<<8 | uint16(h[7])
	copy(a.IP[:], h[8:])
	return n, a
}
