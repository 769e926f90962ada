package stack

import (
	"net/netip"
	"strings"
	"testing"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/link/channel"
	"gvisor.dev/gvisor/pkg/tcpip/link/ethernet"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
)

// A loopback-only stack serves HTTP to itself, over IPv4 and IPv6, and
// answers pings.
func TestLoopback(t *testing.T) {
	s := newStack(t, "hostname=solo dns=10.9.9.9", nil)
	if s.NIC() != 0 {
		t.Errorf("NIC() = %d without a link, want 0", s.NIC())
	}
	if got := s.Netstack().NICInfo(); len(got) != 1 || got[LoopbackNICID].Name != LoopbackNICName {
		t.Errorf("NICs = %v, want only %s", got, LoopbackNICName)
	}
	serveHTTP(t, s, 8080)
	if got := get(t, s, "http://127.0.0.1:8080/"); !strings.HasPrefix(got, "hello 127.0.0.1:") {
		t.Errorf("GET 127.0.0.1: %q", got)
	}
	if got := get(t, s, "http://[::1]:8080/"); !strings.HasPrefix(got, "hello [::1]:") {
		t.Errorf("GET [::1]: %q", got)
	}
	ping(t, s, netip.MustParseAddr("127.0.0.1"))
	ping(t, s, netip.MustParseAddr("::1"))
	echoTCP(t, s, 7)
	exchangeTCP(t, s, netip.MustParseAddrPort("127.0.0.1:7"), 1<<20)

	c := s.Config()
	if c.Hostname != "solo" || len(c.Addrs) != 0 {
		t.Errorf("Config() = %+v", c)
	}
}

// Two statically configured stacks on one wire reach each other over IPv4
// and IPv6 (ARP, NDP, ICMP echo, TCP, HTTP), directly and through the
// default route.
func TestStatic(t *testing.T) {
	w := newWire(t)
	a := newStack(t, "ip=10.1.0.1/24,fd00:1::1/64,198.51.100.7/32", w.A)
	b := newStack(t, "ip=10.1.0.2/24,fd00:1::2/64 gw=10.1.0.1,fd00:1::1", w.B)

	if b.NIC() != EthernetNICID {
		t.Fatalf("NIC() = %d, want %d", b.NIC(), EthernetNICID)
	}
	info := b.Netstack().NICInfo()[EthernetNICID]
	if info.Name != EthernetNICName || info.LinkAddress != macB || info.MTU != 1500 {
		t.Errorf("%s: name %q, MAC %s, MTU %d; want %s, %s, 1500", EthernetNICName, info.Name, info.LinkAddress, info.MTU, EthernetNICName, macB)
	}
	var linkLocal bool
	for _, pa := range info.ProtocolAddresses {
		linkLocal = linkLocal || header.IsV6LinkLocalUnicastAddress(pa.AddressWithPrefix.Address)
	}
	if !linkLocal {
		t.Errorf("%s has no IPv6 link-local address: %v", EthernetNICName, info.ProtocolAddresses)
	}
	routes := b.Netstack().GetRouteTable()
	for _, want := range []tcpip.Route{
		{Destination: header.IPv4EmptySubnet, Gateway: toTCPIP(netip.MustParseAddr("10.1.0.1")), NIC: EthernetNICID},
		{Destination: header.IPv6EmptySubnet, Gateway: toTCPIP(netip.MustParseAddr("fd00:1::1")), NIC: EthernetNICID},
		{Destination: subnet(netip.MustParsePrefix("10.1.0.2/24")), NIC: EthernetNICID},
	} {
		if !hasRoute(routes, want) {
			t.Errorf("no route %v in %v", want, routes)
		}
	}

	ping(t, b, netip.MustParseAddr("10.1.0.1"))
	ping(t, a, netip.MustParseAddr("10.1.0.2"))
	ping(t, b, netip.MustParseAddr("fd00:1::1"))
	ping(t, a, netip.MustParseAddr("fd00:1::2"))

	serveHTTP(t, a, 80)
	if got := get(t, b, "http://10.1.0.1/"); !strings.HasPrefix(got, "hello 10.1.0.2:") {
		t.Errorf("GET 10.1.0.1: %q", got)
	}
	if got := get(t, b, "http://[fd00:1::1]/"); !strings.HasPrefix(got, "hello [fd00:1::2]:") {
		t.Errorf("GET [fd00:1::1]: %q", got)
	}
	// 198.51.100.7 is not on b's subnet: the packets go to the gateway's
	// MAC, where a holds that address.
	if got := get(t, b, "http://198.51.100.7/"); !strings.HasPrefix(got, "hello 10.1.0.2:") {
		t.Errorf("GET 198.51.100.7 through the gateway: %q", got)
	}
	echoTCP(t, a, 7)
	exchangeTCP(t, b, netip.MustParseAddrPort("10.1.0.1:7"), 4<<20)
	exchangeTCP(t, b, netip.MustParseAddrPort("[fd00:1::1]:7"), 1<<20)
}

func hasRoute(routes []tcpip.Route, want tcpip.Route) bool {
	for _, r := range routes {
		if r.Equal(want) {
			return true
		}
	}
	return false
}

// A link that handles Ethernet itself is used as it is; a raw-frame link
// gets wrapped; a link too small for a frame is refused.
func TestNewLink(t *testing.T) {
	if _, err := New(Config{}, channel.New(1, 14, macA)); err == nil || !strings.Contains(err.Error(), "MTU 14") {
		t.Errorf("New with MTU 14: %v, want an MTU error", err)
	}
	eth := ethernet.New(channel.New(1, 1514, macA))
	s, err := New(Config{}, eth)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if mtu := s.Netstack().NICInfo()[EthernetNICID].MTU; mtu != 1500 {
		t.Errorf("MTU through an ethernet.Endpoint = %d, want 1500 (not wrapped twice)", mtu)
	}
}

func TestProtocols(t *testing.T) {
	s := newStack(t, "", nil)
	ns := s.Netstack()
	for _, p := range []tcpip.NetworkProtocolNumber{ipv4.ProtocolNumber, ipv6.ProtocolNumber, header.ARPProtocolNumber} {
		if ns.NetworkProtocolInstance(p) == nil {
			t.Errorf("network protocol %#x missing", p)
		}
	}
	var sack tcpip.TCPSACKEnabled
	if err := ns.TransportProtocolOption(6, &sack); err != nil || !bool(sack) {
		t.Errorf("TCP SACK = %v, %v; want on", sack, err)
	}
	var rcv tcpip.TCPReceiveBufferSizeRangeOption
	if err := ns.TransportProtocolOption(6, &rcv); err != nil || rcv.Default != tcpRcvBufDefault || rcv.Max != tcpRcvBufMax {
		t.Errorf("TCP receive buffer = %+v, %v", rcv, err)
	}
	var recovery tcpip.TCPRecovery
	if err := ns.TransportProtocolOption(6, &recovery); err != nil || recovery != tcpip.TCPRACKLossDetection {
		t.Errorf("TCP recovery = %#x, %v; want RACK loss detection (on by default)", recovery, err)
	}
	noRACK := newStack(t, "tcp_rack=off", nil)
	if err := noRACK.Netstack().TransportProtocolOption(6, &recovery); err != nil || recovery != 0 {
		t.Errorf("TCP recovery with tcp_rack=off = %#x, %v; want 0", recovery, err)
	}
}
