package stack

import (
	"fmt"
	"net/netip"

	"gvisor.dev/gvisor/pkg/tcpip/network/arp"
	gstack "gvisor.dev/gvisor/pkg/tcpip/stack"
)

// announce broadcasts one ARP announcement for IPv4 address a of the
// Ethernet NIC (RFC 5227 §3): an ARP request whose sender and target
// protocol addresses are both a, sent from the NIC's MAC address.
//
// Why: a peer that sent the guest a packet before the address was up
// (QEMU's user networking forwards a host connection's SYN as soon as
// the host connects) asked for the guest's MAC then, got no answer, and
// holds the packet until a later exchange tells it. The announcement
// tells it now, so the first SYN needs no ARP round trip of its own.
// Linux and RFC 5227 send two announcements two seconds apart; one is
// sent here, as nothing on this path may wait, and a lost one costs a
// peer only the ARP request it would have made anyway.
//
// Duplicate address detection is off (see New), so no probes come first.
// IPv6 addresses are not announced: peers find them by neighbour
// solicitation.
func (s *Stack) announce(a netip.Addr) error {
	if !s.hasLink || !a.Is4() {
		return nil
	}
	ep, terr := s.ns.GetNetworkEndpoint(EthernetNICID, arp.ProtocolNumber)
	if terr != nil {
		return fmt.Errorf("net: announcing %s: %s", a, terr)
	}
	r, ok := ep.(gstack.LinkAddressResolver)
	if !ok {
		return fmt.Errorf("net: announcing %s: ARP endpoint %T cannot send requests", a, ep)
	}
	// An empty link address broadcasts the request.
	if terr := r.LinkAddressRequest(toTCPIP(a), toTCPIP(a), ""); terr != nil {
		return fmt.Errorf("net: announcing %s: %s", a, terr)
	}
	return nil
}
