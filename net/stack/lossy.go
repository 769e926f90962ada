package stack

import (
	"math/rand/v2"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/link/nested"
	gstack "gvisor.dev/gvisor/pkg/tcpip/stack"
)

// lossyLink drops frames at random on their way in and out of the link
// it wraps (Config.Loss, net_loss=): a lossy network for trying a
// program and TCP's recovery on, where the host's own tools for one
// (netem) may be missing. A dropped outbound frame is reported as sent,
// as a frame lost on the wire would be.
type lossyLink struct {
	nested.Endpoint
	lose func() bool // reports whether to drop the next frame
}

var _ gstack.LinkEndpoint = (*lossyLink)(nil)

// newLossyLink wraps child so that each frame, either way, is dropped
// with probability percent/100.
func newLossyLink(child gstack.LinkEndpoint, percent float64) *lossyLink {
	p := percent / 100
	return newLossyLinkFunc(child, func() bool { return rand.Float64() < p })
}

// newLossyLinkFunc wraps child so that each frame, either way, is
// dropped when lose says so (the tests' deterministic choice).
func newLossyLinkFunc(child gstack.LinkEndpoint, lose func() bool) *lossyLink {
	l := &lossyLink{lose: lose}
	l.Endpoint.Init(child, l)
	return l
}

// DeliverNetworkPacket implements stack.NetworkDispatcher: the child's
// received frames come here first.
func (l *lossyLink) DeliverNetworkPacket(protocol tcpip.NetworkProtocolNumber, pkt *gstack.PacketBuffer) {
	if l.lose() {
		return
	}
	l.Endpoint.DeliverNetworkPacket(protocol, pkt)
}

// WritePackets implements stack.LinkWriter: the frames not dropped go to
// the child one at a time, so that the count returned still says how
// many of pkts, from the first, were taken.
func (l *lossyLink) WritePackets(pkts gstack.PacketBufferList) (int, tcpip.Error) {
	for i, pkt := range pkts.AsSlice() {
		if l.lose() {
			continue
		}
		var one gstack.PacketBufferList
		one.PushBack(pkt)
		if n, err := l.Endpoint.WritePackets(one); n == 0 {
			if i == 0 {
				return 0, err
			}
			return i, nil
		}
	}
	return pkts.Len(), nil
}
