package stack

import (
	"sync"

	"gvisor.dev/gvisor/pkg/buffer"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	gstack "gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
)

// maxHeldSYNs bounds the SYNs held for listeners about to open: a burst
// larger than an accept queue (socktab.AcceptQueue is 128) is answered
// as before, with resets.
const maxHeldSYNs = 128

// synHold keeps TCP SYNs that arrive for a port the program listens on
// before netstack does: the kernel completes listen(2) at once and the
// socket service opens netstack's listener when it next runs
// (docs/network.md, "Bring-up"). Without it netstack answers such a SYN
// with a reset, as for a closed port, and a client that connects once
// at that moment gets "connection refused".
type synHold struct {
	// listening reports whether the program listens on TCP address
	// addr (its local address and port), from the kernel's socket
	// table. Set once, by HoldSYNs.
	listening func(addr tcpip.FullAddress) bool
	// inject delivers a whole Ethernet frame to the NIC as if it had
	// arrived: the ethernet endpoint New put around the link.
	inject gstack.NetworkDispatcher
	ns     *gstack.Stack

	mu sync.Mutex
	// held are the frames of SYNs waiting for their listener.
	held [][]byte // guarded by mu
	// again are the packets ReleaseSYNs is delivering: one that
	// still finds no listener is not held twice. Guarded by mu.
	again map[*gstack.PacketBuffer]bool
}

// HoldSYNs makes a TCP SYN that finds no netstack listener wait, instead
// of being reset, when listening reports that the program listens on
// its destination: the socket layer is about to open that listener and
// calls ReleaseSYNs when it has. Call it once, before the program makes
// socket calls. Without an Ethernet NIC it does nothing (loopback
// connections are made by the program itself, after listen).
//
// Only frames from a link New wrapped in link/ethernet can be held (it
// is what delivers them again); a link that handles Ethernet itself
// keeps netstack's resets.
func (s *Stack) HoldSYNs(listening func(addr tcpip.FullAddress) bool) {
	if s.eth == nil {
		return
	}
	s.syn = &synHold{listening: listening, inject: s.eth, ns: s.ns, again: map[*gstack.PacketBuffer]bool{}}
	s.ns.SetTransportProtocolHandler(tcp.ProtocolNumber, s.syn.unknown)
}

// ReleaseSYNs delivers the held SYNs again. The socket layer calls it
// after it has opened a listener; a SYN whose listener is still missing
// is then reset as usual.
func (s *Stack) ReleaseSYNs() {
	if s.syn != nil {
		s.syn.release()
	}
}

// unknown is netstack's handler for TCP segments that no endpoint takes.
// It reports true for a SYN it holds; anything else goes on to
// netstack's answer (a reset).
func (h *synHold) unknown(id gstack.TransportEndpointID, pkt *gstack.PacketBuffer) bool {
	th := header.TCP(pkt.TransportHeader().Slice())
	if len(th) < header.TCPMinimumSize || th.Flags()&(header.TCPFlagSyn|header.TCPFlagAck|header.TCPFlagRst|header.TCPFlagFin) != header.TCPFlagSyn {
		return false
	}
	if pkt.NICID != EthernetNICID || !h.listening(tcpip.FullAddress{Addr: id.LocalAddress, Port: id.LocalPort}) {
		return false
	}
	h.mu.Lock()
	if h.again[pkt] || len(h.held) >= maxHeldSYNs {
		h.mu.Unlock()
		return false
	}
	h.held = append(h.held, pkt.ToView().ToSlice())
	h.mu.Unlock()
	// The listener may have opened, and ReleaseSYNs run, since netstack
	// looked for it: then nobody else releases this SYN. (If it opens
	// after this look, ReleaseSYNs comes after the SYN was held.)
	if h.ns.FindTransportEndpoint(pkt.NetworkProtocolNumber, tcp.ProtocolNumber, id, pkt.NICID) != nil {
		go h.release() // not here: this goroutine is inside netstack's delivery
	}
	return true
}

// release delivers every held frame again, on the calling goroutine.
func (h *synHold) release() {
	h.mu.Lock()
	frames := h.held
	h.held = nil
	h.mu.Unlock()
	for _, f := range frames {
		pkt := gstack.NewPacketBuffer(gstack.PacketBufferOptions{Payload: buffer.MakeWithData(f)})
		h.mu.Lock()
		h.again[pkt] = true
		h.mu.Unlock()
		h.inject.DeliverNetworkPacket(0, pkt) // link/ethernet reads the EtherType
		h.mu.Lock()
		delete(h.again, pkt)
		h.mu.Unlock()
		pkt.DecRef()
	}
}
