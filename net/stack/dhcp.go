package stack

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/netip"
	"strings"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	gstack "gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
	"gvisor.dev/gvisor/pkg/waiter"

	"github.com/coracle-os/coracle/kernel/sysgo"
)

// UDP ports of DHCP (RFC 2131 §4.1).
const (
	dhcpServerPort = 67
	dhcpClientPort = 68
)

// InfiniteLease is the Duration of a lease that never expires (lease time
// 0xffffffff, RFC 2131 §3.3).
const InfiniteLease = time.Duration(math.MaxInt64)

// defaultLease is assumed when an ACK lacks option 51, which RFC 2131
// Table 3 requires: renewing hourly is harmless.
const defaultLease = time.Hour

// Lease is an IPv4 configuration obtained by DHCP.
type Lease struct {
	Addr     netip.Prefix  // yiaddr with the subnet mask (option 1; classful if absent)
	Router   netip.Addr    // first router of option 3; invalid if none
	DNS      []netip.Addr  // option 6
	Domain   string        // option 15, for resolv.conf's search
	Hostname string        // option 12
	Server   netip.Addr    // option 54, the server identifier
	Duration time.Duration // option 51; InfiniteLease if 0xffffffff
	T1, T2   time.Duration // options 58, 59; else 1/2 and 7/8 of Duration (RFC 2131 §4.4.5)
	Start    time.Time     // when the REQUEST that got this lease was sent
}

// DHCPOptions tune the DHCP client. The zero value is ready to use.
type DHCPOptions struct {
	// Timeout bounds StartDHCP's wait for the first lease; 0 means 30s.
	// Its context may end it sooner.
	Timeout time.Duration

	// Retransmit is the wait before the first retransmission. It doubles
	// after each, randomised by ±1/8, up to 64s (RFC 2131 §4.1). 0 means
	// 1s; the RFC's 4s would cost a boot 4s for one lost packet.
	Retransmit time.Duration

	// Logf, if not nil, gets one line per lease event and failure.
	Logf func(format string, args ...any)
}

// StartDHCP obtains an IPv4 lease for the Ethernet NIC (DHCPDISCOVER,
// DHCPOFFER, DHCPREQUEST, DHCPACK; RFC 2131 §3.1), applies it (address,
// on-link route, default route, and the DNS servers, domain and host name
// that Config reports) and returns it. A goroutine then renews the lease
// (RFC 2131 §4.4.5): at T1 by unicast to the server, from T2 by broadcast,
// and at expiry it removes the address and starts over. Close stops it.
//
// StartDHCP fails if no lease came within opts.Timeout or before ctx
// ends; the error says what was sent and received.
func (s *Stack) StartDHCP(ctx context.Context, opts DHCPOptions) (Lease, error) {
	if !s.hasLink {
		return Lease{}, errors.New("net: DHCP needs an Ethernet NIC; the stack has only loopback")
	}
	if !s.static.DHCP() {
		return Lease{}, fmt.Errorf("net: DHCP with a static IPv4 address (%s)", s.static)
	}
	s.mu.Lock()
	if s.dhcpRunning {
		s.mu.Unlock()
		return Lease{}, errors.New("net: DHCP is already running")
	}
	s.dhcpRunning = true
	s.mu.Unlock()
	started := false
	defer func() {
		if !started {
			s.mu.Lock()
			s.dhcpRunning = false
			s.mu.Unlock()
		}
	}()

	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.Retransmit <= 0 {
		opts.Retransmit = time.Second
	}
	info, ok := s.ns.NICInfo()[EthernetNICID]
	if !ok || len(info.LinkAddress) != 6 {
		return Lease{}, fmt.Errorf("net: DHCP needs a 6-byte MAC address on %s, have %q", EthernetNICName, info.LinkAddress)
	}
	c := &dhcpClient{
		s:        s,
		opts:     opts,
		mac:      [6]byte([]byte(info.LinkAddress)),
		mtu:      info.MTU,
		hostname: s.static.Hostname,
	}

	actx, cancel := context.WithTimeout(ctx, opts.Timeout)
	l, err := c.acquire(actx)
	cancel()
	if err != nil {
		return Lease{}, err
	}
	if err := s.applyLease(l); err != nil {
		return Lease{}, err
	}
	c.logf("dhcp: leased %s from %s for %s (router %s, dns %v)", l.Addr, l.Server, l.Duration, l.Router, l.DNS)

	mctx, mcancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		mcancel()
		return Lease{}, errors.New("net: stack closed during DHCP")
	}
	s.dhcpStop, s.dhcpDone = mcancel, done
	s.mu.Unlock()
	started = true
	sysgo.Go(func() {
		defer close(done)
		c.maintain(mctx, l)
	})
	return *l, nil
}

// dhcpClient is one NIC's DHCP client. Its methods run on one goroutine
// at a time (StartDHCP, then the maintain goroutine).
type dhcpClient struct {
	s        *Stack
	opts     DHCPOptions
	mac      [6]byte
	mtu      uint32
	hostname string

	// counts for the error of a failed acquisition
	sent, rcvd [dhcpRelease + 1]int
}

func (c *dhcpClient) logf(format string, args ...any) {
	if c.opts.Logf != nil {
		c.opts.Logf(format, args...)
	}
}

// open binds a UDP endpoint to port 68 of the Ethernet NIC, with no local
// address so that it receives datagrams to 255.255.255.255 as well as to
// the NIC's addresses, and with SO_BROADCAST so that it may send to
// 255.255.255.255.
func (c *dhcpClient) open() (*gonet.UDPConn, error) {
	var wq waiter.Queue
	ep, terr := c.s.ns.NewEndpoint(udp.ProtocolNumber, ipv4.ProtocolNumber, &wq)
	if terr != nil {
		return nil, fmt.Errorf("net: DHCP socket: %s", terr)
	}
	ep.SocketOptions().SetBroadcast(true)
	if terr := ep.Bind(tcpip.FullAddress{NIC: EthernetNICID, Port: dhcpClientPort}); terr != nil {
		ep.Close()
		return nil, fmt.Errorf("net: DHCP socket: binding port %d on %s: %s", dhcpClientPort, EthernetNICName, terr)
	}
	return gonet.NewUDPConn(&wq, ep), nil
}

// unspecified is 0.0.0.0, the source address of a client without one.
var unspecified = tcpip.AddrFrom4([4]byte{})

// acquire runs INIT, SELECTING and REQUESTING (RFC 2131 §4.4, Figure 5)
// until a DHCPACK, restarting after a DHCPNAK or an unanswered REQUEST.
//
// Until it has an address the NIC has no source for the DISCOVER: gVisor
// picks a route's source among the NIC's primary addresses. So 0.0.0.0/32
// is assigned to the NIC for the exchange, becoming its only IPv4 primary
// address, and removed afterwards. Replies must come to 255.255.255.255,
// which gVisor's IPv4 endpoint accepts on every NIC: the requests set the
// BROADCAST flag, which servers and relays honour (RFC 2131 §4.1). A
// reply sent to the offered address instead would be dropped, as the NIC
// does not have it yet (see the package doc on promiscuous mode).
func (c *dhcpClient) acquire(ctx context.Context) (*Lease, error) {
	ns := c.s.ns
	zero := tcpip.ProtocolAddress{
		Protocol:          ipv4.ProtocolNumber,
		AddressWithPrefix: tcpip.AddressWithPrefix{Address: unspecified, PrefixLen: 32},
	}
	if err := ns.AddProtocolAddress(EthernetNICID, zero, gstack.AddressProperties{}); err != nil {
		return nil, fmt.Errorf("net: DHCP: adding 0.0.0.0 to %s: %s", EthernetNICName, err)
	}
	defer ns.RemoveAddress(EthernetNICID, unspecified)

	conn, err := c.open()
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	began := time.Now()
	c.sent, c.rcvd = [dhcpRelease + 1]int{}, [dhcpRelease + 1]int{}
	for {
		xid := rand.Uint32()
		var secs uint16
		offer, err := c.exchange(ctx, conn, broadcast, 0, func() *dhcpMsg {
			secs = uint16(min(time.Since(began)/time.Second, math.MaxUint16))
			return c.request(dhcpDiscover, xid, secs, netip.Addr{})
		}, func(m *dhcpMsg) bool {
			_, hasServer := m.addrOption(optServerID)
			return m.msgType() == dhcpOffer && hasServer && usableAddr(m.yiaddr)
		})
		if err != nil {
			return nil, c.acquireError(ctx, began, err)
		}
		server, _ := offer.addrOption(optServerID)
		c.logf("dhcp: %s offers %s", server, offer.yiaddr)

		var start time.Time
		ack, err := c.exchange(ctx, conn, broadcast, 4, func() *dhcpMsg {
			start = time.Now()
			m := c.request(dhcpRequest, xid, secs, netip.Addr{})
			m.opts = append(m.opts, addrOpt(optRequestedIP, offer.yiaddr), addrOpt(optServerID, server))
			return m
		}, func(m *dhcpMsg) bool {
			id, _ := m.addrOption(optServerID)
			switch m.msgType() {
			case dhcpAck:
				return id == server && m.yiaddr == offer.yiaddr
			case dhcpNak:
				return id == server || !id.IsValid()
			}
			return false
		})
		switch {
		case errors.Is(err, errNoAnswer):
			c.logf("dhcp: no answer to DHCPREQUEST for %s; starting over", offer.yiaddr)
			continue
		case err != nil:
			return nil, c.acquireError(ctx, began, err)
		case ack.msgType() == dhcpNak:
			c.logf("dhcp: %s refused %s: %s; starting over", server, offer.yiaddr, ack.option(optMessage))
			continue
		}
		l, err := leaseFrom(ack, start)
		if err != nil {
			return nil, err
		}
		return l, nil
	}
}

func (c *dhcpClient) acquireError(ctx context.Context, began time.Time, err error) error {
	if ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	return fmt.Errorf("net: no DHCP lease on %s after %s (sent %d DHCPDISCOVER, %d DHCPREQUEST; received %d DHCPOFFER, %d DHCPACK, %d DHCPNAK): %w",
		EthernetNICName, time.Since(began).Round(time.Millisecond),
		c.sent[dhcpDiscover], c.sent[dhcpRequest], c.rcvd[dhcpOffer], c.rcvd[dhcpAck], c.rcvd[dhcpNak], err)
}

// maintain keeps lease l: BOUND, RENEWING, REBINDING and back to INIT when
// it expires or is refused (RFC 2131 §4.4.5). It returns when ctx ends.
func (c *dhcpClient) maintain(ctx context.Context, l *Lease) {
	for {
		if l == nil {
			var err error
			if l, err = c.acquire(ctx); err != nil {
				return // ctx ended: without a deadline nothing else stops acquire
			}
			if err := c.s.applyLease(l); err != nil {
				c.logf("dhcp: %v", err)
				return
			}
			c.logf("dhcp: leased %s from %s for %s", l.Addr, l.Server, l.Duration)
		}
		if l.Duration == InfiniteLease {
			<-ctx.Done()
			return
		}
		if !sleepUntil(ctx, l.Start.Add(l.T1)) {
			return
		}
		next, err := c.renew(ctx, l, netip.AddrPortFrom(l.Server, dhcpServerPort), l.Start.Add(l.T2))
		if errors.Is(err, errNoAnswer) {
			c.logf("dhcp: %s did not renew %s; rebinding", l.Server, l.Addr)
			next, err = c.renew(ctx, l, broadcast, l.Start.Add(l.Duration))
		}
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			if errors.Is(err, errNoAnswer) {
				err = errors.New("the lease expired")
			}
			c.logf("dhcp: lost %s: %v", l.Addr, err)
			if err := c.s.applyLease(nil); err != nil {
				c.logf("dhcp: %v", err)
			}
			l = nil
		default:
			if err := c.s.applyLease(next); err != nil {
				c.logf("dhcp: %v", err)
				return
			}
			c.logf("dhcp: renewed %s from %s for %s", next.Addr, next.Server, next.Duration)
			l = next
		}
	}
}

var errNAK = errors.New("DHCPNAK")

// renew sends DHCPREQUESTs for l with ciaddr set (RENEWING to dst = the
// server, REBINDING to broadcast) until a DHCPACK, a DHCPNAK or until.
func (c *dhcpClient) renew(ctx context.Context, l *Lease, dst netip.AddrPort, until time.Time) (*Lease, error) {
	ctx, cancel := context.WithDeadline(ctx, until)
	defer cancel()
	conn, err := c.open()
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	xid := rand.Uint32()
	var start time.Time
	ack, err := c.exchange(ctx, conn, dst, 0, func() *dhcpMsg {
		start = time.Now()
		return c.request(dhcpRequest, xid, 0, l.Addr.Addr())
	}, func(m *dhcpMsg) bool {
		return m.msgType() == dhcpNak || m.msgType() == dhcpAck && m.yiaddr == l.Addr.Addr()
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, errNoAnswer // until passed: next state
		}
		return nil, err
	}
	if ack.msgType() == dhcpNak {
		return nil, fmt.Errorf("%w: %s", errNAK, ack.option(optMessage))
	}
	return leaseFrom(ack, start)
}

// broadcast is the destination of requests from a client without a server
// to talk to (RFC 2131 §4.1).
var broadcast = netip.AddrPortFrom(netip.AddrFrom4([4]byte{255, 255, 255, 255}), dhcpServerPort)

var errNoAnswer = errors.New("no answer")

// exchange sends build()'s message to dst and waits for a reply with the
// same xid and chaddr that accept takes, retransmitting with exponential
// backoff: at most attempts sends (0: until ctx ends), then errNoAnswer.
func (c *dhcpClient) exchange(ctx context.Context, conn *gonet.UDPConn, dst netip.AddrPort, attempts int, build func() *dhcpMsg, accept func(*dhcpMsg) bool) (*dhcpMsg, error) {
	to := net.UDPAddrFromAddrPort(dst)
	buf := make([]byte, 1<<16)
	delay := c.opts.Retransmit
	for n := 0; attempts == 0 || n < attempts; n++ {
		m := build()
		if _, err := conn.WriteTo(m.encode(), to); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("sending %s to %s: %w", dhcpTypeName(m.msgType()), dst, err)
		}
		c.sent[m.msgType()]++
		// ±1/8 randomisation, so that clients booted together spread out.
		wait := delay - delay/8 + rand.N(delay/4+1)
		if err := conn.SetReadDeadline(time.Now().Add(wait)); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
		for {
			k, _, err := conn.ReadFrom(buf)
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("receiving: %w", err)
			}
			r, err := decodeDHCP(buf[:k])
			if err != nil || r.op != bootReply || r.xid != m.xid || r.chaddr != c.mac {
				continue // someone else's, or garbage: keep waiting
			}
			if t := r.msgType(); int(t) < len(c.rcvd) {
				c.rcvd[t]++
			}
			if accept(r) {
				return r, nil
			}
		}
		delay = min(2*delay, 64*time.Second)
	}
	return nil, errNoAnswer
}

// request builds a client message of type t. ciaddr is set when renewing
// or rebinding; otherwise the BROADCAST flag asks for broadcast replies
// (RFC 2131 §4.1), the client having no address to receive unicast on.
func (c *dhcpClient) request(t byte, xid uint32, secs uint16, ciaddr netip.Addr) *dhcpMsg {
	m := &dhcpMsg{op: bootRequest, xid: xid, secs: secs, chaddr: c.mac, ciaddr: ciaddr}
	if !ciaddr.IsValid() {
		m.flags = dhcpFlagBroadcast
	}
	m.opts = []dhcpOption{
		{optMessageType, []byte{t}},
		// Client identifier: hardware type and address (RFC 2132 §9.14).
		{optClientID, append([]byte{htypeEther}, c.mac[:]...)},
		{optParamRequest, []byte{optSubnetMask, optRouter, optDNS, optHostname, optDomainName, optLeaseTime, optRenewalT1, optRebindingT2}},
		// The largest message we accept: the MTU, IP and UDP headers
		// included (RFC 2132 §9.10), at least the 576 every host takes.
		{optMaxMsgSize, binary.BigEndian.AppendUint16(nil, uint16(min(max(c.mtu, 576), 65535)))},
	}
	if c.hostname != "" {
		m.opts = append(m.opts, dhcpOption{optHostname, []byte(c.hostname)})
	}
	return m
}

// leaseFrom reads the lease a DHCPACK grants.
func leaseFrom(ack *dhcpMsg, start time.Time) (*Lease, error) {
	if !usableAddr(ack.yiaddr) {
		return nil, fmt.Errorf("net: DHCPACK grants unusable address %s", ack.yiaddr)
	}
	bits := classfulBits(ack.yiaddr)
	if mask, ok := ack.addrOption(optSubnetMask); ok {
		n, err := parseMask(mask.String())
		if err != nil || n == 0 {
			return nil, fmt.Errorf("net: DHCPACK subnet mask %s: want a contiguous non-zero mask", mask)
		}
		bits = n
	}
	l := &Lease{
		Addr:     netip.PrefixFrom(ack.yiaddr, bits),
		Duration: defaultLease,
		Start:    start,
	}
	for _, r := range ack.addrsOption(optRouter) {
		if usableAddr(r) {
			l.Router = r
			break
		}
	}
	for _, a := range ack.addrsOption(optDNS) {
		if usableAddr(a) {
			l.DNS = append(l.DNS, a)
		}
	}
	l.Server, _ = ack.addrOption(optServerID)
	if h, err := parseDomain(strings.TrimRight(string(ack.option(optHostname)), "\x00")); err == nil {
		l.Hostname = h
	}
	if d, err := parseDomain(strings.TrimRight(string(ack.option(optDomainName)), "\x00")); err == nil {
		l.Domain = d
	}
	if secs, ok := ack.u32Option(optLeaseTime); ok {
		l.Duration = time.Duration(secs) * time.Second
		if secs == math.MaxUint32 {
			l.Duration = InfiniteLease
		}
	}
	if l.Duration == InfiniteLease {
		l.T1, l.T2 = InfiniteLease, InfiniteLease
		return l, nil
	}
	l.T1, l.T2 = l.Duration/2, l.Duration*7/8
	t1, ok1 := ack.u32Option(optRenewalT1)
	t2, ok2 := ack.u32Option(optRebindingT2)
	if ok1 && ok2 && t1 <= t2 && time.Duration(t2)*time.Second <= l.Duration {
		l.T1, l.T2 = time.Duration(t1)*time.Second, time.Duration(t2)*time.Second
	}
	return l, nil
}

// usableAddr reports whether a is an IPv4 unicast address a host may use.
func usableAddr(a netip.Addr) bool {
	return a.Is4() && !a.IsUnspecified() && !a.IsMulticast() && !a.IsLoopback() &&
		a != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

// sleepUntil waits for t; it reports false if ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-tm.C:
		return true
	}
}
