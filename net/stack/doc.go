// Package stack builds coracle's network stack: gVisor's netstack
// (gvisor.dev/gvisor/pkg/tcpip) with a loopback NIC and, over the
// virtio-net driver's link endpoint, one Ethernet NIC, configured from the
// kernel command line (ParseConfig: ip=, gw=, dns=, search=, hostname=) or
// by its own DHCPv4 client. It also renders /etc/resolv.conf and
// /etc/hosts from the configuration in effect, for the kernel's file
// layer. The socket layer uses the gVisor stack directly (Netstack, NIC).
//
// Specifications: RFC 2131 (DHCP) and RFC 2132 (DHCP options), with RFC
// 3396 (long options) and RFC 1542 §3.2.2 (300-byte minimum) for
// decoding and encoding; RFC 1123 §2.1 for host names; Linux's nfsroot.rst
// for the colon form of ip=.
//
// Trap context: none — everything here runs in ordinary goroutines and
// may allocate and block (docs/network.md).
//
// # Using it
//
//	cfg, err := stack.ParseConfig(cmdline)
//	s, err := stack.New(cfg, link) // link == nil: loopback only
//	if cfg.DHCP() {
//		lease, err := s.StartDHCP(ctx, stack.DHCPOptions{})
//	}
//	s.HoldSYNs(listening) // early SYNs wait for their listener; s.ReleaseSYNs after each Listen
//	ns := s.Netstack() // *gvisor stack.Stack, NICs stack.LoopbackNICID and s.NIC()
//	defer s.Close()
//
// # The link endpoint
//
// New takes a gVisor stack.LinkEndpoint that carries whole Ethernet
// frames, which is what a virtio-net device sends and receives (after the
// driver strips or adds its virtio_net_hdr). Unless the endpoint says it
// handles Ethernet itself (ARPHardwareType() == header.ARPHardwareEther),
// New wraps it in gVisor's link/ethernet endpoint, which adds and strips
// the 14-byte header. So the driver's endpoint must:
//
//   - MTU(): report the largest frame it can carry without the FCS,
//     Ethernet header included: 1514 for a 1500-byte IP MTU (link/ethernet
//     subtracts the header). More than 14.
//   - LinkAddress(): the NIC's MAC address (6 bytes; DHCP needs it).
//   - ARPHardwareType(): header.ARPHardwareNone; MaxHeaderLength(): 0;
//     AddHeader and ParseHeader: no-ops, as the Ethernet header is
//     link/ethernet's business.
//   - Capabilities(): 0: the stack computes and checks every checksum. An
//     offload capability is a promise that the driver does that work.
//   - WritePackets: transmit each packet as one frame: the bytes of
//     pkt.AsSlices() (or pkt.ToView()), Ethernet header first. The stack
//     keeps its references; an endpoint that queues a packet beyond the
//     call takes its own with IncRef and DecRefs it when done.
//   - Inbound: for each received frame, build a PacketBuffer whose Payload
//     is the whole frame, Ethernet header first
//     (stack.NewPacketBuffer(stack.PacketBufferOptions{Payload:
//     buffer.MakeWithData(frame)})), call the attached dispatcher's
//     DeliverNetworkPacket(0, pkt) (link/ethernet reads the EtherType),
//     then DecRef the packet: the creator owns it. gVisor processes the
//     packet on the calling goroutine; several goroutines may deliver at
//     once.
//   - Filtering by destination MAC is the device's job; the stack accepts
//     whatever it is given.
//   - Close(): the stack calls it from Close; stop delivering packets.
//
// gVisor's link/channel endpoint fits this contract; the tests join two
// Stacks with two of them and goroutines that copy each frame from one to
// the other, as the driver will copy frames out of and into its rings.
//
// # DHCP
//
// The client (StartDHCP) runs over an ordinary gVisor UDP endpoint bound
// to port 68 of the Ethernet NIC with no local address and SO_BROADCAST,
// sending to 255.255.255.255:67. Two things make that work in gVisor,
// which has no notion of an interface without an address:
//
//   - Sending from 0.0.0.0: a route's source is one of the NIC's primary
//     addresses, and a NIC with none has no route, even to the broadcast
//     address. While acquiring, the client assigns 0.0.0.0/32 to the NIC
//     (then its only IPv4 primary address, so DISCOVER and REQUEST leave
//     from 0.0.0.0) and removes it once it has a lease. Spoofing mode does
//     not help: it applies to an explicit local address, and binding the
//     endpoint to 0.0.0.0 would keep it from receiving broadcasts.
//   - Receiving broadcasts: gVisor's IPv4 endpoint holds 255.255.255.255
//     as a permanent, never-primary address of every NIC, and UDP delivers
//     a broadcast to every endpoint bound to the port with no address.
//     The client sets the BROADCAST flag, so servers (and relays) send
//     DHCPOFFER and DHCPACK to 255.255.255.255 (RFC 2131 §4.1; QEMU's
//     slirp always does). A server that ignored the flag and sent them to
//     the offered address would not be heard. Promiscuous mode, the
//     obvious way to hear those, cannot be used: with HandleLocal (which
//     this stack needs), gVisor's IPv4 endpoint checks whether a packet's
//     source is one of its own addresses with temporary addresses allowed
//     when the NIC is promiscuous, creates one for every source, and drops
//     every packet from the wire as a martian (ipv4.go, HandlePacket).
//     Renewals are unicast to the leased address, which the NIC has.
//
// The client does not probe the offered address with ARP before using it
// (RFC 2131 §4.4.1 SHOULD) and sends no DHCPDECLINE or DHCPRELEASE.
//
// # Locking
//
// Stack.mu guards the configuration in effect and the lease; it is never
// held across network I/O, and gVisor calls made under it (addresses and
// routes) take only gVisor's own locks.
package stack
