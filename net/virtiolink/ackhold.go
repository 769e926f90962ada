package virtiolink

import (
	"sync"
	"time"

	virtionet "github.com/coracle-os/coracle/drivers/virtio/net"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/seqnum"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
)

// Delayed acknowledgments, done at the link.
//
// Netstack's TCP acknowledges every batch of segments it receives at
// once, with a segment of its own (it has no delayed ACK, RFC 1122
// 4.2.3.2). For a request that the program answers, that ACK goes out
// just before the answer, which carries the same acknowledgment: one
// frame more per request for the guest, the device and the peer. Linux
// delays the ACK and lets the answer carry it.
//
// The endpoint does the same for frames netstack has already built: it
// holds a pure ACK (flags ACK only, no payload) for at most ackHoldMax.
// The next TCP segment of the same connection decides its fate: one
// that carries an acknowledgment at least as far (data, FIN, RST with
// ACK) makes it redundant, and it is dropped; another pure ACK sends it
// first, so that duplicate ACKs and window updates all reach the peer, in
// order. A timer sends what is still held after ackHoldMax. So no
// acknowledgment is lost or reordered within a connection; some arrive up
// to ackHoldMax later, far below any peer's retransmission timeout
// (200 ms at least on Linux, RFC 6298's floor is 1 s).

// ackHoldMax bounds how long a pure ACK waits for a segment to carry it.
// An answer computed at once follows its request's ACK by 100-400 µs
// under TCG, more when the guest is busy; Linux waits 40 ms at least
// (TCP_DELACK_MIN), which a peer that waits for each ACK (Nagle's
// algorithm without TCP_NODELAY) feels. 5 ms keeps that cost small.
const ackHoldMax = 5 * time.Millisecond

// maxHeldFrame is the largest pure ACK held: Ethernet, IPv4 with options
// or IPv6, and TCP with options (SACK blocks) fit; a larger one is sent
// at once.
const maxHeldFrame = 14 + 60 + 60

// flowKey names a TCP connection by its addresses and ports.
type flowKey struct {
	src, dst         tcpip.Address
	srcPort, dstPort uint16
}

// segKind is what a frame is to the ACK holder.
type segKind uint8

const (
	notTCP     segKind = iota // not a TCP segment: sent as it is
	pureAck                   // ACK alone, no payload: may be held
	carriesAck                // another segment with the ACK flag (not a FIN)
	finAck                    // a FIN with the ACK flag
	noAck                     // a TCP segment without ACK (SYN, bare RST)
)

// tcpSegment classifies an outgoing packet from its network and
// transport headers.
func tcpSegment(netProto tcpip.NetworkProtocolNumber, nh, th []byte, payload int) (flowKey, seqnum.Value, segKind) {
	var k flowKey
	switch netProto {
	case header.IPv4ProtocolNumber:
		ip := header.IPv4(nh)
		if len(nh) < header.IPv4MinimumSize || ip.TransportProtocol() != header.TCPProtocolNumber {
			return k, 0, notTCP
		}
		k.src, k.dst = ip.SourceAddress(), ip.DestinationAddress()
	case header.IPv6ProtocolNumber:
		ip := header.IPv6(nh)
		if len(nh) < header.IPv6MinimumSize || ip.TransportProtocol() != header.TCPProtocolNumber {
			return k, 0, notTCP
		}
		k.src, k.dst = ip.SourceAddress(), ip.DestinationAddress()
	default:
		return k, 0, notTCP
	}
	if len(th) < header.TCPMinimumSize {
		return k, 0, notTCP
	}
	tcp := header.TCP(th)
	k.srcPort, k.dstPort = tcp.SourcePort(), tcp.DestinationPort()
	flags := tcp.Flags()
	switch {
	case flags == header.TCPFlagAck && payload == 0:
		return k, seqnum.Value(tcp.AckNumber()), pureAck
	case flags.Contains(header.TCPFlagAck | header.TCPFlagFin):
		return k, seqnum.Value(tcp.AckNumber()), finAck
	case flags.Contains(header.TCPFlagAck):
		return k, seqnum.Value(tcp.AckNumber()), carriesAck
	}
	return k, 0, noAck
}

// heldAck is one pure ACK frame, copied out of its packet.
type heldAck struct {
	ack   seqnum.Value
	o     virtionet.TxOffload
	n     int
	frame [maxHeldFrame]byte
}

// maxClosing bounds ackHolder.closing; past it the set starts again
// empty, which at worst delays one more ACK of a closing connection.
const maxClosing = 4096

// ackHolder holds at most one pure ACK per connection.
type ackHolder struct {
	send func(o virtionet.TxOffload, parts ...[]byte) error

	mu   sync.Mutex
	held map[flowKey]*heldAck // +checklocks:mu
	// closing holds the connections that sent their FIN: their ACKs go
	// at once, as Linux's do once a connection closes (what follows
	// is the peer's FIN, which nothing of ours will carry an ACK for).
	closing map[flowKey]struct{} // +checklocks:mu
	free    []*heldAck           // +checklocks:mu
	timer   *time.Timer          // +checklocks:mu; armed while held is not empty
}

func newAckHolder(send func(o virtionet.TxOffload, parts ...[]byte) error) *ackHolder {
	return &ackHolder{send: send, held: make(map[flowKey]*heldAck), closing: make(map[flowKey]struct{})}
}

// write sends pkt's frame, or holds it, after sending or dropping what
// is held for its connection.
func (h *ackHolder) write(pkt *stack.PacketBuffer) error {
	o := txOffload(pkt)
	parts := pkt.AsSlices()
	k, ack, kind := tcpSegment(pkt.NetworkProtocolNumber, pkt.NetworkHeader().Slice(), pkt.TransportHeader().Slice(), pkt.Data().Size())
	if kind == notTCP {
		return h.send(o, parts...)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if a := h.held[k]; a != nil {
		delete(h.held, k)
		if (kind != carriesAck && kind != finAck) || ack.LessThan(a.ack) {
			h.send(a.o, a.frame[:a.n]) // best effort, as a lost ACK
		}
		h.free = append(h.free, a)
	}
	switch kind {
	case finAck:
		if len(h.closing) >= maxClosing {
			clear(h.closing)
		}
		h.closing[k] = struct{}{}
	case pureAck:
		if _, closing := h.closing[k]; !closing && h.hold(k, ack, o, parts) {
			return nil
		}
	case noAck:
		delete(h.closing, k) // a new connection (SYN) or a reset
	}
	return h.send(o, parts...)
}

// hold copies a pure ACK into a free slot and makes sure the timer will
// send it. It reports false when the frame is too large to hold.
// Preconditions: h.mu is held.
func (h *ackHolder) hold(k flowKey, ack seqnum.Value, o virtionet.TxOffload, parts [][]byte) bool {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if n > maxHeldFrame {
		return false
	}
	var a *heldAck
	if l := len(h.free); l > 0 {
		a, h.free = h.free[l-1], h.free[:l-1]
	} else {
		a = new(heldAck)
	}
	a.ack, a.o, a.n = ack, o, 0
	for _, p := range parts {
		a.n += copy(a.frame[a.n:], p)
	}
	h.held[k] = a
	if len(h.held) == 1 {
		if h.timer == nil {
			h.timer = time.AfterFunc(ackHoldMax, h.flush)
		} else {
			h.timer.Reset(ackHoldMax)
		}
	}
	return true
}

// flush sends every held ACK.
func (h *ackHolder) flush() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for k, a := range h.held {
		h.send(a.o, a.frame[:a.n])
		delete(h.held, k)
		h.free = append(h.free, a)
	}
}
