// Package virtiolink joins a virtio-net device (drivers/virtio/net) to
// gVisor's netstack: it is a stack.LinkEndpoint that carries whole
// Ethernet frames, as net/stack expects of its links (net/stack wraps it
// in gVisor's Ethernet endpoint). New returns it for an open device; Run
// then receives, on the caller's goroutine, until the device fails.
//
// Transmit offloads: when the device finishes checksums and segments TCP
// (a tap backend), the endpoint says so to netstack (stack.GSOEndpoint
// with HostGSOSupported), and TCP then hands over frames of up to
// virtionet.MaxGSO bytes that carry only the pseudo-header checksum; the
// virtio-net header tells the device what to do with each.
//
// Receive offloads: the device may coalesce TCP segments into frames of
// up to virtionet.MaxRxFrame bytes and leave their checksums partial or
// mark them checked. The driver reassembles such frames from its
// mergeable buffers and finishes every partial checksum, so the endpoint
// delivers whole frames with complete checksums. Netstack takes a frame
// larger than the MTU (which bounds only what it sends) as long as the
// IP length fields agree with it; TCP accepts a segment of any size that
// fits the receive window.
//
// Receive checksums: the endpoint does not report
// CapabilityRXChecksumOffload, so netstack checks the IPv4 header and
// every TCP and UDP checksum of every frame itself, and a frame with a
// bad one is dropped whatever the device said. The capability cannot be
// given per frame: netstack sets RXChecksumValidated on each packet from
// the endpoint's Capabilities, for every packet. Reporting it would
// oblige the endpoint to check every frame the device did not vouch for,
// and it cannot: the IPv4 header checksum is skipped too, and so is the
// transport checksum of a datagram reassembled from IP fragments, which
// takes the flag of its first fragment. So the device's
// VIRTIO_NET_HDR_F_DATA_VALID saves nothing, and a frame whose partial
// checksum the driver finished is summed a second time by netstack: one
// more pass over the data, in exchange for the frame coming whole.
//
// Ownership: a received frame is copied into a new PacketBuffer, which
// this package DecRefs after delivering it.
//
// Trap context: none. It runs in goroutines (docs/network.md).
package virtiolink

import (
	"sync"

	virtionet "github.com/coracle-os/coracle/drivers/virtio/net"
	"gvisor.dev/gvisor/pkg/buffer"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
)

// device is what the endpoint uses of a *virtionet.Device; the tests
// drive the endpoint with a model of one.
type device interface {
	MAC() [6]byte
	Offloads() (csum, tso4, tso6 bool)
	Send(o virtionet.TxOffload, parts ...[]byte) error
	Receive(deliver func(frame []byte)) error
}

// Endpoint is the link endpoint of one virtio-net device.
type Endpoint struct {
	nic  device
	acks *ackHolder // pure ACKs waiting for a segment to carry them (ackhold.go)

	mu         sync.RWMutex
	dispatcher stack.NetworkDispatcher // +checklocks:mu
	mtu        uint32                  // +checklocks:mu
	linkAddr   tcpip.LinkAddress       // +checklocks:mu
	onClose    func()                  // +checklocks:mu
}

var (
	_ stack.LinkEndpoint = (*Endpoint)(nil)
	_ stack.GSOEndpoint  = (*Endpoint)(nil)
)

// New returns the endpoint for nic. Call Run to receive.
func New(nic *virtionet.Device) *Endpoint { return newEndpoint(nic) }

func newEndpoint(nic device) *Endpoint {
	mac := nic.MAC()
	return &Endpoint{nic: nic, acks: newAckHolder(nic.Send), mtu: virtionet.MaxFrame, linkAddr: tcpip.LinkAddress(mac[:])}
}

// Run delivers received frames to the stack until the device fails.
func (e *Endpoint) Run() error { return e.nic.Receive(e.deliver) }

// deliver hands one received frame, of any size, to the stack. The frame
// is the driver's until deliver returns: MakeWithData copies it into
// pooled memory.
func (e *Endpoint) deliver(frame []byte) {
	e.mu.RLock()
	d := e.dispatcher
	e.mu.RUnlock()
	if d == nil {
		return
	}
	pkt := stack.NewPacketBuffer(stack.PacketBufferOptions{Payload: buffer.MakeWithData(frame)})
	d.DeliverNetworkPacket(0, pkt)
	pkt.DecRef()
}

// WritePackets implements stack.LinkWriter.WritePackets: each packet is
// one frame, except pure TCP ACKs that a later segment carries
// (ackhold.go).
func (e *Endpoint) WritePackets(pkts stack.PacketBufferList) (int, tcpip.Error) {
	n := 0
	for _, pkt := range pkts.AsSlice() {
		if err := e.acks.write(pkt); err != nil {
			if n == 0 {
				return 0, &tcpip.ErrNoBufferSpace{}
			}
			break
		}
		n++
	}
	return n, nil
}

// txOffload is what pkt asks of the device: netstack sets GSOOptions on
// TCP packets only when SupportedGSO says the device can take them.
func txOffload(pkt *stack.PacketBuffer) virtionet.TxOffload {
	g := pkt.GSOOptions
	var o virtionet.TxOffload
	if g.Type == stack.GSONone {
		return o
	}
	if g.NeedsCsum {
		o.NeedsCsum = true
		o.CsumStart = header.EthernetMinimumSize + g.L3HdrLen
		o.CsumOffset = g.CsumOffset
	}
	if pkt.Data().Size() > int(g.MSS) {
		switch g.Type {
		case stack.GSOTCPv4:
			o.GSOType = virtionet.VIRTIO_NET_HDR_GSO_TCPV4
		case stack.GSOTCPv6:
			o.GSOType = virtionet.VIRTIO_NET_HDR_GSO_TCPV6
		}
		o.GSOSize = g.MSS
		o.HdrLen = uint16(pkt.HeaderSize())
	}
	return o
}

// SupportedGSO implements stack.GSOEndpoint: segmentation by the device
// when it finishes checksums and segments TCP over both IPv4 and IPv6
// (netstack asks for one kind, for every TCP endpoint).
func (e *Endpoint) SupportedGSO() stack.SupportedGSO {
	if csum, tso4, tso6 := e.nic.Offloads(); csum && tso4 && tso6 {
		return stack.HostGSOSupported
	}
	return stack.GSONotSupported
}

// GSOMaxSize implements stack.GSOEndpoint.
func (e *Endpoint) GSOMaxSize() uint32 { return virtionet.MaxGSO }

// MTU implements stack.NetworkLinkEndpoint.MTU: the size of the frames
// netstack sends (larger ones are handed over only for segmentation,
// under GSOMaxSize). It does not bound received frames.
func (e *Endpoint) MTU() uint32 {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.mtu
}

// SetMTU implements stack.NetworkLinkEndpoint.SetMTU.
func (e *Endpoint) SetMTU(mtu uint32) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.mtu = min(mtu, virtionet.MaxFrame)
}

// MaxHeaderLength implements stack.NetworkLinkEndpoint.MaxHeaderLength:
// the Ethernet header is added by the wrapping endpoint.
func (*Endpoint) MaxHeaderLength() uint16 { return 0 }

// LinkAddress implements stack.NetworkLinkEndpoint.LinkAddress.
func (e *Endpoint) LinkAddress() tcpip.LinkAddress {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.linkAddr
}

// SetLinkAddress implements stack.NetworkLinkEndpoint.SetLinkAddress.
func (e *Endpoint) SetLinkAddress(addr tcpip.LinkAddress) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.linkAddr = addr
}

// Capabilities implements stack.NetworkLinkEndpoint.Capabilities: none.
// In particular not CapabilityRXChecksumOffload: netstack checks every
// received checksum (see the package doc).
func (*Endpoint) Capabilities() stack.LinkEndpointCapabilities { return 0 }

// Attach implements stack.NetworkLinkEndpoint.Attach.
func (e *Endpoint) Attach(d stack.NetworkDispatcher) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.dispatcher = d
}

// IsAttached implements stack.NetworkLinkEndpoint.IsAttached.
func (e *Endpoint) IsAttached() bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.dispatcher != nil
}

// Wait implements stack.NetworkLinkEndpoint.Wait.
func (*Endpoint) Wait() {}

// ARPHardwareType implements stack.NetworkLinkEndpoint.ARPHardwareType:
// none, so that net/stack adds the Ethernet layer.
func (*Endpoint) ARPHardwareType() header.ARPHardwareType { return header.ARPHardwareNone }

// AddHeader implements stack.NetworkLinkEndpoint.AddHeader: nothing.
func (*Endpoint) AddHeader(*stack.PacketBuffer) {}

// ParseHeader implements stack.NetworkLinkEndpoint.ParseHeader: nothing.
func (*Endpoint) ParseHeader(*stack.PacketBuffer) bool { return true }

// Close implements stack.NetworkLinkEndpoint.Close.
func (e *Endpoint) Close() {
	e.mu.RLock()
	f := e.onClose
	e.mu.RUnlock()
	if f != nil {
		f()
	}
}

// SetOnCloseAction implements stack.NetworkLinkEndpoint.SetOnCloseAction.
func (e *Endpoint) SetOnCloseAction(f func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.onClose = f
}
