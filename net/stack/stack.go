package stack

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/link/ethernet"
	"gvisor.dev/gvisor/pkg/tcpip/link/loopback"
	"gvisor.dev/gvisor/pkg/tcpip/network/arp"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	gstack "gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/icmp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
)

// NIC IDs and names. The loopback NIC always exists; the Ethernet NIC
// only when New was given a link.
const (
	LoopbackNICID tcpip.NICID = 1
	EthernetNICID tcpip.NICID = 2

	LoopbackNICName = "lo"
	EthernetNICName = "eth0"
)

// TCP receive buffer sizes: Linux's tcp_rmem minimum, a default larger
// than Linux's 128 KiB (an unscaled 64 KiB window would throttle bulk
// transfers before moderation catches up), and gVisor's 4 MiB maximum that
// receive-buffer moderation may grow a busy connection to. Buffers hold
// only what the program has not read yet; nothing is reserved up front.
const (
	tcpRcvBufMin     = 4 << 10
	tcpRcvBufDefault = 256 << 10
	tcpRcvBufMax     = 4 << 20
)

// Stack is a gVisor network stack with coracle's configuration applied.
type Stack struct {
	ns      *gstack.Stack
	hasLink bool
	static  Config // from the command line; never changes
	// eth is the link/ethernet endpoint New put around a raw-frame
	// link (nil otherwise): delivering a frame to it is receiving it.
	eth *ethernet.Endpoint
	// syn holds early SYNs once HoldSYNs was called (synhold.go).
	syn *synHold

	mu sync.Mutex
	// cfg is the configuration in effect: static, or static merged with
	// the DHCP lease. Guarded by mu.
	cfg Config
	// lease is the DHCP lease applied to the Ethernet NIC, if any.
	// Guarded by mu.
	lease *Lease

	// dhcpRunning is set once StartDHCP is under way or has succeeded.
	// Guarded by mu.
	dhcpRunning bool
	// dhcpStop ends the DHCP renewal goroutine, which closes dhcpDone
	// when it returns (Close). Guarded by mu.
	dhcpStop context.CancelFunc
	dhcpDone chan struct{}
	// closed is set by Close. Guarded by mu.
	closed bool
}

// New creates a gVisor stack with IPv4, IPv6, ARP, ICMP (echo requests are
// answered), TCP (SACK, CUBIC, receive-buffer moderation), UDP, and a
// loopback NIC (127.0.0.1/8, ::1/128).
//
// link, if not nil, becomes the Ethernet NIC (see the package doc for what
// New expects of it). The static addresses of cfg are assigned to it, with
// an on-link route for each prefix and a default route through each
// gateway. With cfg.DHCP(), the NIC starts without an IPv4 address: call
// StartDHCP. The NIC also gets an IPv6 link-local address derived from its
// MAC address. Duplicate address detection is off: the addresses are
// usable as soon as New returns, and each static IPv4 address is
// announced once by ARP (RFC 5227 §3; a DHCP lease's address when it is
// applied).
//
// With link nil the stack has only the loopback NIC and cfg's addresses
// and gateways are ignored (its DNS, search and hostname still serve
// resolv.conf and hosts).
func New(cfg Config, link gstack.LinkEndpoint) (*Stack, error) {
	ns := gstack.New(gstack.Options{
		NetworkProtocols: []gstack.NetworkProtocolFactory{
			ipv4.NewProtocol,
			ipv6.NewProtocolWithOptions(ipv6.Options{AutoGenLinkLocal: true}),
			arp.NewProtocol,
		},
		TransportProtocols: []gstack.TransportProtocolFactory{
			tcp.NewProtocolCUBIC,
			udp.NewProtocol,
			icmp.NewProtocol4,
			icmp.NewProtocol6,
		},
		// Packets to the stack's own addresses on eth0 loop back inside
		// the stack instead of going out on the wire.
		HandleLocal: true,
		Clock:       clock{},
	})
	cfg = cfg.clone()
	s := &Stack{ns: ns, hasLink: link != nil, static: cfg, cfg: cfg.clone()}
	if err := s.init(cfg, link); err != nil {
		ns.Destroy()
		return nil, err
	}
	return s, nil
}

// timeWaitTimeout is how long a connection this side closed first stays
// in TIME_WAIT: a few of a peer's FIN retransmissions (RFC 6298's initial
// RTO is 1 s).
const timeWaitTimeout = 2 * time.Second

func (s *Stack) init(cfg Config, link gstack.LinkEndpoint) error {
	sack := tcpip.TCPSACKEnabled(true)
	moderate := tcpip.TCPModerateReceiveBufferOption(true)
	rcv := tcpip.TCPReceiveBufferSizeRangeOption{Min: tcpRcvBufMin, Default: tcpRcvBufDefault, Max: tcpRcvBufMax}
	// TIME_WAIT lasts timeWaitTimeout instead of netstack's 60 s: every
	// connection in it keeps Go timers alive, and with thousands of them
	// the runtime's timer heap work became a tenth of a busy server's
	// CPU time (docs/network.md). Losing the state early costs at most a
	// reset instead of an ACK to a peer that retransmits its FIN.
	timeWait := tcpip.TCPTimeWaitTimeoutOption(timeWaitTimeout)
	// RACK-TLP unless turned off (Config.NoRACK); netstack's default
	// would do, but the option is set either way so that the stack's
	// behaviour does not follow a change of netstack's default unseen.
	recovery := tcpip.TCPRACKLossDetection
	if cfg.NoRACK {
		recovery = 0
	}
	for _, opt := range []tcpip.SettableTransportProtocolOption{&sack, &moderate, &rcv, &timeWait, &recovery} {
		if err := s.ns.SetTransportProtocolOption(tcp.ProtocolNumber, opt); err != nil {
			return fmt.Errorf("net: TCP option %T: %s", opt, err)
		}
	}

	if err := s.ns.CreateNICWithOptions(LoopbackNICID, loopback.New(), gstack.NICOptions{Name: LoopbackNICName}); err != nil {
		return fmt.Errorf("net: creating %s: %s", LoopbackNICName, err)
	}
	lo := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/8"), netip.MustParsePrefix("::1/128")}
	for _, p := range lo {
		if err := s.addAddr(LoopbackNICID, p); err != nil {
			return err
		}
		s.ns.AddRoute(tcpip.Route{Destination: subnet(p), NIC: LoopbackNICID})
	}

	if link == nil {
		s.cfg.Addrs, s.cfg.Gateways = nil, nil
		return nil
	}
	if link.MTU() <= header.EthernetMinimumSize {
		return fmt.Errorf("net: link MTU %d leaves no room after the %d-byte Ethernet header", link.MTU(), header.EthernetMinimumSize)
	}
	if cfg.Loss > 0 {
		link = newLossyLink(link, cfg.Loss)
	}
	if link.ARPHardwareType() != header.ARPHardwareEther {
		s.eth = ethernet.New(link)
		link = s.eth
	}
	if err := s.ns.CreateNICWithOptions(EthernetNICID, link, gstack.NICOptions{Name: EthernetNICName}); err != nil {
		return fmt.Errorf("net: creating %s: %s", EthernetNICName, err)
	}
	for _, p := range cfg.Addrs {
		if err := s.addAddr(EthernetNICID, p); err != nil {
			return err
		}
		s.ns.AddRoute(tcpip.Route{Destination: subnet(p), NIC: EthernetNICID})
	}
	for _, gw := range cfg.Gateways {
		s.ns.AddRoute(defaultRoute(gw))
	}
	for _, p := range cfg.Addrs {
		// Best effort: a lost announcement costs a peer one ARP
		// exchange, not the stack.
		_ = s.announce(p.Addr())
	}
	return nil
}

// Netstack returns the gVisor stack, for the socket layer.
func (s *Stack) Netstack() *gstack.Stack { return s.ns }

// NIC returns the ID of the Ethernet NIC, or 0 when the stack has none.
func (s *Stack) NIC() tcpip.NICID {
	if !s.hasLink {
		return 0
	}
	return EthernetNICID
}

// Config returns the configuration in effect: the static one, or after a
// DHCP lease the leased address, router, DNS servers, domain and host name
// (command-line dns=, search= and hostname= win over the lease's).
func (s *Stack) Config() Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.clone()
}

func (c Config) clone() Config {
	c.Addrs = slices.Clone(c.Addrs)
	c.Gateways = slices.Clone(c.Gateways)
	c.DNS = slices.Clone(c.DNS)
	c.Search = slices.Clone(c.Search)
	return c
}

// Lease returns the DHCP lease in effect, if any.
func (s *Stack) Lease() (Lease, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lease == nil {
		return Lease{}, false
	}
	l := *s.lease
	l.DNS = slices.Clone(l.DNS)
	return l, true
}

// Close stops the DHCP client, aborts every endpoint and closes the NICs'
// link endpoints (LinkEndpoint.Close), then waits for gVisor's goroutines.
func (s *Stack) Close() {
	s.mu.Lock()
	stop, done := s.dhcpStop, s.dhcpDone
	s.dhcpStop = nil
	s.closed = true
	s.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
	s.ns.Destroy()
}

// applyLease replaces the Ethernet NIC's DHCP-managed address and routes
// with those of l (or removes them when l is nil), and records l's DNS
// servers, domain and host name unless the command line gave its own.
func (s *Stack) applyLease(l *Lease) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.lease
	// Take down what changes: the old address, its on-link route and
	// the default route through the old router.
	if old != nil && (l == nil || old.Addr != l.Addr || old.Router != l.Router) {
		s.ns.RemoveRoutes(func(r tcpip.Route) bool {
			return r.NIC == EthernetNICID && (r.Destination == subnet(old.Addr) ||
				old.Router.IsValid() && r.Gateway == toTCPIP(old.Router) && r.Destination == header.IPv4EmptySubnet)
		})
		if old.Addr != l.addr() {
			if err := s.ns.RemoveAddress(EthernetNICID, toTCPIP(old.Addr.Addr())); err != nil {
				return fmt.Errorf("net: removing %s: %s", old.Addr, err)
			}
		}
	}
	s.lease = nil
	s.cfg = s.static
	if l == nil {
		return nil
	}
	if old == nil || old.Addr != l.Addr {
		if err := s.addAddr(EthernetNICID, l.Addr); err != nil {
			return err
		}
		_ = s.announce(l.Addr.Addr()) // best effort, as in init
	}
	if old == nil || old.Addr != l.Addr || old.Router != l.Router {
		s.ns.AddRoute(tcpip.Route{Destination: subnet(l.Addr), NIC: EthernetNICID})
		if l.Router.IsValid() {
			s.ns.AddRoute(defaultRoute(l.Router))
		}
	}
	lc := *l
	s.lease = &lc
	s.cfg.Addrs = append(slices.Clone(s.static.Addrs), l.Addr)
	if l.Router.IsValid() {
		s.cfg.Gateways = append(slices.Clone(s.static.Gateways), l.Router)
	}
	if len(s.static.DNS) == 0 {
		s.cfg.DNS = slices.Clone(l.DNS)
	}
	if len(s.static.Search) == 0 && l.Domain != "" {
		s.cfg.Search = []string{l.Domain}
	}
	if s.static.Hostname == "" {
		s.cfg.Hostname = l.Hostname
	}
	return nil
}

func (l *Lease) addr() netip.Prefix {
	if l == nil {
		return netip.Prefix{}
	}
	return l.Addr
}

func (s *Stack) addAddr(nic tcpip.NICID, p netip.Prefix) error {
	pa := tcpip.ProtocolAddress{
		Protocol: protocolOf(p.Addr()),
		AddressWithPrefix: tcpip.AddressWithPrefix{
			Address:   toTCPIP(p.Addr()),
			PrefixLen: p.Bits(),
		},
	}
	if err := s.ns.AddProtocolAddress(nic, pa, gstack.AddressProperties{}); err != nil {
		return fmt.Errorf("net: adding %s to NIC %d: %s", p, nic, err)
	}
	return nil
}

func defaultRoute(gw netip.Addr) tcpip.Route {
	dst := header.IPv4EmptySubnet
	if gw.Is6() {
		dst = header.IPv6EmptySubnet
	}
	return tcpip.Route{Destination: dst, Gateway: toTCPIP(gw), NIC: EthernetNICID}
}

// subnet is the network of interface prefix p (host bits cleared).
func subnet(p netip.Prefix) tcpip.Subnet {
	return tcpip.AddressWithPrefix{Address: toTCPIP(p.Addr()), PrefixLen: p.Bits()}.Subnet()
}

func protocolOf(a netip.Addr) tcpip.NetworkProtocolNumber {
	if a.Is4() {
		return ipv4.ProtocolNumber
	}
	return ipv6.ProtocolNumber
}

func toTCPIP(a netip.Addr) tcpip.Address {
	if a.Is4() {
		return tcpip.AddrFrom4(a.As4())
	}
	return tcpip.AddrFrom16(a.As16())
}

func fromTCPIP(a tcpip.Address) netip.Addr {
	b, _ := netip.AddrFromSlice(a.AsSlice())
	return b
}
