package stack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
	"gvisor.dev/gvisor/pkg/waiter"
)

// dhcpServer is a minimal DHCP server on a test Stack: it offers one
// address and answers renewals, with knobs for the cases under test.
type dhcpServer struct {
	t      *testing.T
	s      *Stack
	conn   *gonet.UDPConn
	id     netip.Addr // server identifier: the stack's address
	offer  netip.Addr
	extra  []dhcpOption // router, DNS, lease times...
	bits   int
	closed chan struct{}

	mu          sync.Mutex
	unicast     bool // ignore the BROADCAST flag: reply to yiaddr
	naks        int  // refuse this many REQUESTs in SELECTING first
	silentRenew bool // ignore requests with ciaddr set
	seen        []*dhcpMsg
	notify      chan *dhcpMsg // each message received, if not nil
}

func startServer(t *testing.T, s *Stack, offer string, extra ...dhcpOption) *dhcpServer {
	t.Helper()
	var wq waiter.Queue
	ep, terr := s.Netstack().NewEndpoint(udp.ProtocolNumber, ipv4.ProtocolNumber, &wq)
	if terr != nil {
		t.Fatal(terr)
	}
	ep.SocketOptions().SetBroadcast(true)
	if terr := ep.Bind(tcpip.FullAddress{NIC: EthernetNICID, Port: dhcpServerPort}); terr != nil {
		t.Fatal(terr)
	}
	d := &dhcpServer{
		t:      t,
		s:      s,
		conn:   gonet.NewUDPConn(&wq, ep),
		id:     s.Config().Addrs[0].Addr(),
		bits:   s.Config().Addrs[0].Bits(),
		offer:  netip.MustParseAddr(offer),
		extra:  extra,
		closed: make(chan struct{}),
		notify: make(chan *dhcpMsg, 100),
	}
	go d.serve()
	t.Cleanup(func() {
		d.conn.Close()
		<-d.closed
	})
	return d
}

func (d *dhcpServer) serve() {
	defer close(d.closed)
	buf := make([]byte, 1500)
	for {
		n, _, err := d.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		m, err := decodeDHCP(buf[:n])
		if err != nil || m.op != bootRequest {
			d.t.Errorf("server: bad request % x: %v", buf[:n], err)
			continue
		}
		d.mu.Lock()
		d.seen = append(d.seen, m)
		unicast, silent := d.unicast, d.silentRenew
		var nak bool
		if m.msgType() == dhcpRequest && !m.ciaddr.IsUnspecified() {
			// RENEWING or REBINDING
		} else if m.msgType() == dhcpRequest && d.naks > 0 {
			d.naks--
			nak = true
		}
		d.mu.Unlock()
		select {
		case d.notify <- m:
		default:
		}

		r := &dhcpMsg{op: bootReply, xid: m.xid, flags: m.flags, chaddr: m.chaddr, yiaddr: d.offer}
		mask := net.CIDRMask(d.bits, 32)
		r.opts = []dhcpOption{{optMessageType, []byte{dhcpOffer}}, addrOpt(optServerID, d.id), {optSubnetMask, mask}}
		r.opts = append(r.opts, d.extra...)
		switch {
		case m.msgType() == dhcpDiscover:
		case m.msgType() == dhcpRequest && !m.ciaddr.IsUnspecified():
			if silent {
				continue
			}
			r.opts[0].data[0] = dhcpAck
		case m.msgType() == dhcpRequest:
			req, _ := m.addrOption(optRequestedIP)
			id, _ := m.addrOption(optServerID)
			r.opts[0].data[0] = dhcpAck
			if nak || req != d.offer || id != d.id {
				r.yiaddr = netip.IPv4Unspecified()
				r.opts = []dhcpOption{{optMessageType, []byte{dhcpNak}}, addrOpt(optServerID, d.id), {optMessage, []byte("go away")}}
			}
		default:
			d.t.Errorf("server: unexpected %s", dhcpTypeName(m.msgType()))
			continue
		}

		// Where to reply (RFC 2131 §4.1): ciaddr when set, broadcast when
		// asked, else yiaddr at chaddr, which the client cannot ARP for.
		dst := netip.IPv4Unspecified()
		switch {
		case !m.ciaddr.IsUnspecified():
			dst = m.ciaddr
		case m.flags&dhcpFlagBroadcast != 0 && !unicast:
			dst = netip.AddrFrom4([4]byte{255, 255, 255, 255})
		default:
			dst = r.yiaddr
			if r.opts[0].data[0] == dhcpNak {
				dst = netip.AddrFrom4([4]byte{255, 255, 255, 255})
			}
			if terr := d.s.Netstack().AddStaticNeighbor(EthernetNICID, ipv4.ProtocolNumber, toTCPIP(dst), tcpip.LinkAddress(m.chaddr[:])); terr != nil {
				d.t.Errorf("server: static neighbor: %s", terr)
			}
		}
		if _, err := d.conn.WriteTo(r.encode(), net.UDPAddrFromAddrPort(netip.AddrPortFrom(dst, dhcpClientPort))); err != nil {
			d.t.Errorf("server: sending to %s: %v", dst, err)
		}
	}
}

// count returns how many messages of type t the server received.
func (d *dhcpServer) count(t byte) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, m := range d.seen {
		if m.msgType() == t {
			n++
		}
	}
	return n
}

// logs collects the client's log lines; wait returns the first one
// containing substr.
type logs struct {
	t  *testing.T
	ch chan string
}

func newLogs(t *testing.T) *logs { return &logs{t, make(chan string, 100)} }

func (l *logs) logf(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	l.t.Log(s)
	select {
	case l.ch <- s:
	default:
	}
}

func (l *logs) wait(substr string) string {
	l.t.Helper()
	tm := time.NewTimer(failAfter)
	defer tm.Stop()
	for {
		select {
		case s := <-l.ch:
			if strings.Contains(s, substr) {
				return s
			}
		case <-tm.C:
			l.t.Fatalf("no log line with %q within %s", substr, failAfter)
		}
	}
}

// dhcpPair is a server stack (10.0.0.1/24, and 192.0.2.80/32 to stand for
// a host beyond the router) and a client stack on one wire.
func dhcpPair(t *testing.T, extra ...dhcpOption) (*wire, *Stack, *Stack, *dhcpServer) {
	w := newWire(t)
	srv := newStack(t, "ip=10.0.0.1/24,192.0.2.80/32", w.A)
	cl := newStack(t, "", w.B)
	if len(extra) == 0 {
		extra = []dhcpOption{
			addrOpt(optRouter, netip.MustParseAddr("10.0.0.1")),
			{optDNS, []byte{10, 0, 0, 53, 10, 0, 0, 54}},
			{optDomainName, []byte("example.test")},
			{optHostname, []byte("client-1")},
			u32Opt(optLeaseTime, 3600),
		}
	}
	return w, srv, cl, startServer(t, srv, "10.0.0.100", extra...)
}

func startDHCP(t *testing.T, s *Stack, lg *logs) Lease {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), failAfter)
	defer cancel()
	l, err := s.StartDHCP(ctx, DHCPOptions{Retransmit: 100 * time.Millisecond, Logf: lg.logf})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// The client obtains the offered address, router, DNS servers, domain and
// host name, and applies them: the stacks then talk TCP, HTTP and ICMP,
// directly and through the default route.
func TestDHCP(t *testing.T) {
	_, srv, cl, d := dhcpPair(t)
	l := startDHCP(t, cl, newLogs(t))

	if l.Addr != netip.MustParsePrefix("10.0.0.100/24") || l.Router != netip.MustParseAddr("10.0.0.1") ||
		!slices.Equal(l.DNS, addrs("10.0.0.53", "10.0.0.54")) || l.Domain != "example.test" ||
		l.Hostname != "client-1" || l.Server != netip.MustParseAddr("10.0.0.1") || l.Duration != time.Hour ||
		l.T1 != 30*time.Minute || l.T2 != 52*time.Minute+30*time.Second {
		t.Errorf("lease %+v", l)
	}
	if got, ok := cl.Lease(); !ok || !reflect.DeepEqual(got, l) {
		t.Errorf("Lease() = %+v, %v", got, ok)
	}
	c := cl.Config()
	want := Config{
		Addrs:    pfx("10.0.0.100/24"),
		Gateways: addrs("10.0.0.1"),
		DNS:      addrs("10.0.0.53", "10.0.0.54"),
		Search:   []string{"example.test"},
		Hostname: "client-1",
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Config()\n got %+v\nwant %+v", c, want)
	}
	if got := string(cl.ResolvConf()); !strings.Contains(got, "nameserver 10.0.0.53\nnameserver 10.0.0.54\nsearch example.test\n") {
		t.Errorf("resolv.conf:\n%s", got)
	}
	if got := string(cl.Hosts()); !strings.Contains(got, "10.0.0.100\tclient-1\n") {
		t.Errorf("hosts:\n%s", got)
	}

	info := cl.Netstack().NICInfo()[EthernetNICID]
	var v4 []tcpip.AddressWithPrefix
	for _, pa := range info.ProtocolAddresses {
		if pa.Protocol == ipv4.ProtocolNumber {
			v4 = append(v4, pa.AddressWithPrefix)
		}
	}
	if len(v4) != 1 || v4[0].String() != "10.0.0.100/24" {
		t.Errorf("IPv4 addresses of %s = %v, want only 10.0.0.100/24 (0.0.0.0 removed)", EthernetNICName, v4)
	}
	if !hasRoute(cl.Netstack().GetRouteTable(), tcpip.Route{Destination: header.IPv4EmptySubnet, Gateway: toTCPIP(netip.MustParseAddr("10.0.0.1")), NIC: EthernetNICID}) {
		t.Errorf("no default route: %v", cl.Netstack().GetRouteTable())
	}
	// The request asked for a broadcast reply and for our options, from
	// 0.0.0.0; check what the server saw.
	if n := d.count(dhcpDiscover); n != 1 {
		t.Errorf("server saw %d DHCPDISCOVER, want 1", n)
	}

	serveHTTP(t, srv, 80)
	if got := get(t, cl, "http://10.0.0.1/"); !strings.HasPrefix(got, "hello 10.0.0.100:") {
		t.Errorf("GET 10.0.0.1: %q", got)
	}
	if got := get(t, cl, "http://192.0.2.80/"); !strings.HasPrefix(got, "hello 10.0.0.100:") {
		t.Errorf("GET 192.0.2.80 through the router: %q", got)
	}
	echoTCP(t, srv, 7)
	exchangeTCP(t, cl, netip.MustParseAddrPort("10.0.0.1:7"), 1<<20)
	ping(t, cl, netip.MustParseAddr("10.0.0.1"))
	ping(t, srv, netip.MustParseAddr("10.0.0.100"))

	if _, err := cl.StartDHCP(context.Background(), DHCPOptions{}); err == nil || !strings.Contains(err.Error(), "already") {
		t.Errorf("second StartDHCP: %v", err)
	}
}

// The DISCOVER leaves from 0.0.0.0 to 255.255.255.255 with the client's
// MAC, and the server's broadcast reply reaches the client.
func TestDHCPWire(t *testing.T) {
	w, _, cl, _ := dhcpPair(t)
	frames := make(chan []byte, 10)
	w.setDrop(func(aToB bool, f []byte) bool {
		if !aToB && isUDP4(f) {
			select {
			case frames <- slices.Clone(f):
			default:
			}
		}
		return false
	})
	startDHCP(t, cl, newLogs(t))
	f := <-frames
	eth := header.Ethernet(f)
	ip := header.IPv4(f[header.EthernetMinimumSize:])
	u := header.UDP(ip.Payload())
	if eth.SourceAddress() != macB || eth.DestinationAddress() != header.EthernetBroadcastAddress ||
		ip.SourceAddress() != header.IPv4Any || ip.DestinationAddress() != header.IPv4Broadcast ||
		u.SourcePort() != dhcpClientPort || u.DestinationPort() != dhcpServerPort {
		t.Errorf("DISCOVER frame: %s > %s, %s > %s, ports %d > %d",
			eth.SourceAddress(), eth.DestinationAddress(), ip.SourceAddress(), ip.DestinationAddress(), u.SourcePort(), u.DestinationPort())
	}
	m, err := decodeDHCP(u.Payload())
	if err != nil || m.msgType() != dhcpDiscover || m.flags != dhcpFlagBroadcast || m.chaddr != [6]byte([]byte(macB)) {
		t.Errorf("DISCOVER: %+v, %v", m, err)
	}
}

// A server that ignores the BROADCAST flag and sends its replies to the
// offered address is not heard: a known limitation (package doc). This
// pins the gVisor behaviour behind it, so that a gVisor update that
// changes it shows up here.
func TestDHCPUnicastRepliesUnheard(t *testing.T) {
	_, _, cl, d := dhcpPair(t)
	d.mu.Lock()
	d.unicast = true
	d.mu.Unlock()
	_, err := cl.StartDHCP(context.Background(), DHCPOptions{Timeout: 500 * time.Millisecond, Retransmit: 50 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "received 0 DHCPOFFER") {
		t.Errorf("StartDHCP: %v, want no offer heard", err)
	}
	if d.count(dhcpDiscover) == 0 {
		t.Error("server saw no DHCPDISCOVER")
	}
	// And promiscuous mode would make the NIC deaf to everything.
	if err := cl.Netstack().SetPromiscuousMode(EthernetNICID, true); err != nil {
		t.Fatal(err)
	}
	before := cl.Netstack().Stats().IP.InvalidSourceAddressesReceived.Value()
	_, err = cl.StartDHCP(context.Background(), DHCPOptions{Timeout: 500 * time.Millisecond, Retransmit: 50 * time.Millisecond})
	if err == nil {
		t.Error("gVisor now accepts packets on a promiscuous NIC with HandleLocal: revisit the DHCP client's receive path")
	}
	if after := cl.Netstack().Stats().IP.InvalidSourceAddressesReceived.Value(); after == before {
		t.Error("no martian drops counted on the promiscuous NIC")
	}
}

// Lost packets are retransmitted; a DHCPNAK sends the client back to
// DHCPDISCOVER.
func TestDHCPLossAndNAK(t *testing.T) {
	w, _, cl, d := dhcpPair(t)
	d.mu.Lock()
	d.naks = 1
	d.mu.Unlock()
	var mu sync.Mutex
	lost := 0
	w.setDrop(func(aToB bool, f []byte) bool {
		mu.Lock()
		defer mu.Unlock()
		if !aToB && isUDP4(f) && lost < 2 {
			lost++
			return true // the first two client datagrams (DISCOVERs)
		}
		return false
	})
	lg := newLogs(t)
	l := startDHCP(t, cl, lg)
	if l.Addr.Addr() != netip.MustParseAddr("10.0.0.100") {
		t.Errorf("lease %+v", l)
	}
	if n := d.count(dhcpDiscover); n != 2 {
		t.Errorf("server saw %d DHCPDISCOVER, want 2 (one before and one after the NAK)", n)
	}
	if n := d.count(dhcpRequest); n != 2 {
		t.Errorf("server saw %d DHCPREQUEST, want 2", n)
	}
	lg.wait("refused 10.0.0.100: go away")
}

// With nobody answering, StartDHCP gives up at the timeout and says what
// happened; the NIC is left as it was.
func TestDHCPTimeout(t *testing.T) {
	w := newWire(t)
	w.setDrop(func(bool, []byte) bool { return true })
	cl := newStack(t, "", w.B)
	_, err := cl.StartDHCP(context.Background(), DHCPOptions{Timeout: 300 * time.Millisecond, Retransmit: 20 * time.Millisecond})
	if err == nil {
		t.Fatal("StartDHCP succeeded with nobody on the wire")
	}
	for _, want := range []string{"no DHCP lease on eth0 after", "DHCPDISCOVER", "received 0 DHCPOFFER", "deadline exceeded"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v is not context.DeadlineExceeded", err)
	}
	if strings.Contains(err.Error(), "sent 1 DHCPDISCOVER") || strings.Contains(err.Error(), "sent 0 DHCPDISCOVER") {
		t.Errorf("no retransmissions: %v", err)
	}
	info := cl.Netstack().NICInfo()[EthernetNICID]
	for _, pa := range info.ProtocolAddresses {
		if pa.Protocol == ipv4.ProtocolNumber {
			t.Errorf("IPv4 address %s left on %s", pa.AddressWithPrefix, EthernetNICName)
		}
	}
	// Cancelling the context ends it too, and the client may try again.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := cl.StartDHCP(ctx, DHCPOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("StartDHCP with a cancelled context: %v", err)
	}
}

// The lease is renewed at T1 by unicast to the server; when the server
// stops answering, the client rebinds by broadcast, loses the address at
// expiry and starts over.
func TestDHCPRenewAndExpiry(t *testing.T) {
	w, _, cl, d := dhcpPair(t,
		addrOpt(optRouter, netip.MustParseAddr("10.0.0.1")),
		u32Opt(optLeaseTime, 3), u32Opt(optRenewalT1, 1), u32Opt(optRebindingT2, 2))
	// Watch for a rebinding DHCPREQUEST: broadcast, from the leased
	// address, with ciaddr set.
	rebind := make(chan struct{})
	var once sync.Once
	w.setDrop(func(aToB bool, f []byte) bool {
		if aToB || !isUDP4(f) {
			return false
		}
		ip := header.IPv4(f[header.EthernetMinimumSize:])
		m, err := decodeDHCP(header.UDP(ip.Payload()).Payload())
		if err == nil && ip.DestinationAddress() == header.IPv4Broadcast &&
			ip.SourceAddress() == toTCPIP(netip.MustParseAddr("10.0.0.100")) && m.ciaddr == netip.MustParseAddr("10.0.0.100") {
			once.Do(func() { close(rebind) })
		}
		return false
	})
	lg := newLogs(t)
	first := startDHCP(t, cl, lg)
	if first.T1 != time.Second || first.T2 != 2*time.Second || first.Duration != 3*time.Second {
		t.Fatalf("lease times %+v", first)
	}
	lg.wait("renewed 10.0.0.100")
	renewal := waitMsg(t, d, func(m *dhcpMsg) bool { return !m.ciaddr.IsUnspecified() })
	if renewal.ciaddr != netip.MustParseAddr("10.0.0.100") || renewal.flags != 0 || renewal.option(optRequestedIP) != nil {
		t.Errorf("renewing DHCPREQUEST: ciaddr %s flags %#x options %v", renewal.ciaddr, renewal.flags, renewal.opts)
	}
	if l, _ := cl.Lease(); !l.Start.After(first.Start) {
		t.Errorf("renewed lease starts %v, not after %v", l.Start, first.Start)
	}

	d.mu.Lock()
	d.silentRenew = true
	d.mu.Unlock()
	lg.wait("rebinding")
	select {
	case <-rebind:
	case <-time.After(failAfter):
		t.Fatal("no broadcast DHCPREQUEST from 10.0.0.100 while rebinding")
	}
	lg.wait("lost 10.0.0.100/24: the lease expired")
	lg.wait("leased 10.0.0.100")
	if _, ok := cl.Lease(); !ok {
		t.Error("no lease after starting over")
	}
	if n := d.count(dhcpDiscover); n != 2 {
		t.Errorf("server saw %d DHCPDISCOVER, want 2 (boot, and after expiry)", n)
	}
}

func waitMsg(t *testing.T, d *dhcpServer, f func(*dhcpMsg) bool) *dhcpMsg {
	t.Helper()
	tm := time.NewTimer(failAfter)
	defer tm.Stop()
	for {
		select {
		case m := <-d.notify:
			if f(m) {
				return m
			}
		case <-tm.C:
			t.Fatal("server: no such message")
		}
	}
}

// isUDP4 reports whether Ethernet frame f holds an IPv4 UDP datagram.
func isUDP4(f []byte) bool {
	return header.Ethernet(f).Type() == header.IPv4ProtocolNumber &&
		header.IPv4(f[header.EthernetMinimumSize:]).TransportProtocol() == header.UDPProtocolNumber
}
