package stack

import (
	"context"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
)

// segments counts the TCP segments on a wire by direction and kind.
type segments struct {
	syns, resets atomic.Int32 // from B to A, and from A to B
}

func (c *segments) watch(w *wire) {
	w.setDrop(func(aToB bool, frame []byte) bool {
		eth := header.Ethernet(frame)
		if eth.Type() != header.IPv4ProtocolNumber {
			return false
		}
		ip := header.IPv4(frame[header.EthernetMinimumSize:])
		if ip.TransportProtocol() != header.TCPProtocolNumber {
			return false
		}
		tcp := header.TCP(ip.Payload())
		switch {
		case !aToB && tcp.Flags() == header.TCPFlagSyn:
			c.syns.Add(1)
		case aToB && tcp.Flags().Contains(header.TCPFlagRst):
			c.resets.Add(1)
		}
		return false
	})
}

// A SYN for a port the program listens on, arriving before netstack
// listens, is held and answered once the listener is open: the client's
// one SYN connects, with no reset and no retransmission.
func TestHoldSYN(t *testing.T) {
	w := newWire(t)
	var seen segments
	seen.watch(w)
	a := newStack(t, "ip=192.0.2.2/24", w.A)
	b := newStack(t, "ip=192.0.2.1/24", w.B)
	asked := make(chan tcpip.FullAddress, 1)
	a.HoldSYNs(func(addr tcpip.FullAddress) bool {
		select {
		case asked <- addr:
		default:
		}
		return addr.Port == 8080 // the kernel listens there
	})

	dst := tcpip.FullAddress{Addr: toTCPIP(netip.MustParseAddr("192.0.2.2")), Port: 8080}
	dialed := make(chan error, 1)
	go func() {
		c, err := gonet.DialContextTCP(context.Background(), b.Netstack(), dst, ipv4.ProtocolNumber)
		if err == nil {
			c.Close()
		}
		dialed <- err
	}()
	select {
	case got := <-asked:
		if got.Port != 8080 || got.Addr != dst.Addr {
			t.Errorf("asked about %v, want %v", got, dst)
		}
	case err := <-dialed:
		t.Fatalf("dial ended before anything listened: %v", err)
	case <-time.After(failAfter):
		t.Fatal("the SYN never reached the hold")
	}

	ln, err := gonet.ListenTCP(a.Netstack(), tcpip.FullAddress{Port: 8080}, ipv4.ProtocolNumber)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	a.ReleaseSYNs()
	select {
	case err := <-dialed:
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
	case <-time.After(failAfter):
		t.Fatal("the held SYN was not answered")
	}
	if n := seen.syns.Load(); n != 1 {
		t.Errorf("client sent %d SYNs, want 1 (held, not lost)", n)
	}
	if n := seen.resets.Load(); n != 0 {
		t.Errorf("server sent %d resets", n)
	}
}

// A SYN for a port nothing listens on is reset at once, held or not.
func TestHoldSYNClosedPort(t *testing.T) {
	w := newWire(t)
	var seen segments
	seen.watch(w)
	a := newStack(t, "ip=192.0.2.2/24", w.A)
	b := newStack(t, "ip=192.0.2.1/24", w.B)
	a.HoldSYNs(func(addr tcpip.FullAddress) bool { return addr.Port == 8080 })
	dst := tcpip.FullAddress{Addr: toTCPIP(netip.MustParseAddr("192.0.2.2")), Port: 9090}
	_, err := gonet.DialContextTCP(context.Background(), b.Netstack(), dst, ipv4.ProtocolNumber)
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("dial to a closed port: %v, want connection refused", err)
	}
	if n := seen.resets.Load(); n != 1 {
		t.Errorf("server sent %d resets, want 1", n)
	}
}
