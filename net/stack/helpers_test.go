package stack

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"testing"
	"time"

	"gvisor.dev/gvisor/pkg/buffer"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/link/channel"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	gstack "gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/icmp"
	"gvisor.dev/gvisor/pkg/waiter"
)

// failAfter bounds every wait in these tests; nothing waits for it to
// pass on the way to success.
const failAfter = 20 * time.Second

var (
	macA = tcpip.LinkAddress("\x52\x54\x00\x00\x00\x0a")
	macB = tcpip.LinkAddress("\x52\x54\x00\x00\x00\x0b")
)

// wire joins two channel endpoints the way two virtio-net devices on one
// switch would be: a goroutine per direction copies each outbound frame
// into a fresh PacketBuffer and injects it into the other side, as the
// driver will copy frames out of and into its rings. drop, if set, sees
// each frame (from a's side when aToB) and may discard it.
type wire struct {
	A, B *channel.Endpoint
	wg   sync.WaitGroup
	mu   sync.Mutex
	drop func(aToB bool, frame []byte) bool // guarded by mu
}

func newWire(t *testing.T) *wire {
	w := &wire{
		A: channel.New(256, 1514, macA),
		B: channel.New(256, 1514, macB),
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.wg.Add(2)
	go w.pump(ctx, w.A, w.B, true)
	go w.pump(ctx, w.B, w.A, false)
	t.Cleanup(func() {
		cancel()
		w.wg.Wait()
	})
	return w
}

// setDrop installs f to decide which frames the wire loses.
func (w *wire) setDrop(f func(aToB bool, frame []byte) bool) {
	w.mu.Lock()
	w.drop = f
	w.mu.Unlock()
}

func (w *wire) pump(ctx context.Context, from, to *channel.Endpoint, aToB bool) {
	defer w.wg.Done()
	for {
		pkt := from.ReadContext(ctx)
		if pkt == nil {
			return // ctx ended or from was closed
		}
		var frame []byte
		for _, s := range pkt.AsSlices() {
			frame = append(frame, s...)
		}
		pkt.DecRef()
		w.mu.Lock()
		drop := w.drop
		w.mu.Unlock()
		if drop != nil && drop(aToB, frame) {
			continue
		}
		in := gstack.NewPacketBuffer(gstack.PacketBufferOptions{Payload: buffer.MakeWithData(frame)})
		to.InjectInbound(0, in) // link/ethernet reads the EtherType
		in.DecRef()             // the creator owns it
	}
}

func newStack(t *testing.T, cmdline string, link gstack.LinkEndpoint) *Stack {
	t.Helper()
	cfg, err := ParseConfig(cmdline)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(cfg, link)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func fullAddr(ap netip.AddrPort) tcpip.FullAddress {
	return tcpip.FullAddress{Addr: toTCPIP(ap.Addr()), Port: ap.Port()}
}

// serveHTTP serves on port of every address of s (an IPv6 endpoint with no
// address takes IPv4 too, as Go's net.Listen("tcp", ":port") does). The
// handler answers "hello SRC" naming the client's address.
func serveHTTP(t *testing.T, s *Stack, port uint16) {
	t.Helper()
	ln, err := gonet.ListenTCP(s.Netstack(), tcpip.FullAddress{Port: port}, ipv6.ProtocolNumber)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", r.RemoteAddr)
	})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
}

// get fetches url through s and returns the body.
func get(t *testing.T, s *Stack, url string) string {
	t.Helper()
	tr := &http.Transport{
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
			ap, err := netip.ParseAddrPort(addr)
			if err != nil {
				return nil, err
			}
			return gonet.DialContextTCP(ctx, s.Netstack(), fullAddr(ap), protocolOf(ap.Addr()))
		},
	}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: failAfter}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s, %q, %v", url, resp.Status, body, err)
	}
	return string(body)
}

// ping sends one ICMP echo request from s to dst through an ICMP ("ping")
// endpoint and checks the echo reply.
func ping(t *testing.T, s *Stack, dst netip.Addr) {
	t.Helper()
	netProto, transProto := ipv4.ProtocolNumber, icmp.ProtocolNumber4
	req := make([]byte, header.ICMPv4MinimumSize, 64)
	header.ICMPv4(req).SetType(header.ICMPv4Echo)
	header.ICMPv4(req).SetSequence(7)
	wantType := byte(header.ICMPv4EchoReply)
	if dst.Is6() {
		netProto, transProto = ipv6.ProtocolNumber, icmp.ProtocolNumber6
		req = make([]byte, header.ICMPv6EchoMinimumSize, 64)
		header.ICMPv6(req).SetType(header.ICMPv6EchoRequest)
		header.ICMPv6(req).SetSequence(7)
		wantType = byte(header.ICMPv6EchoReply)
	}
	req = append(req, "coracle ping"...)

	var wq waiter.Queue
	ep, terr := s.Netstack().NewEndpoint(transProto, netProto, &wq)
	if terr != nil {
		t.Fatalf("ping endpoint: %s", terr)
	}
	c := gonet.NewUDPConn(&wq, ep) // any datagram endpoint: for its deadlines
	defer c.Close()
	if terr := ep.Connect(tcpip.FullAddress{Addr: toTCPIP(dst)}); terr != nil {
		t.Fatalf("ping %s: connect: %s", dst, terr)
	}
	if _, err := c.Write(req); err != nil {
		t.Fatalf("ping %s: %v", dst, err)
	}
	c.SetReadDeadline(time.Now().Add(failAfter))
	buf := make([]byte, 1500)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("ping %s: no reply: %v", dst, err)
	}
	reply := buf[:n]
	if len(reply) != len(req) || reply[0] != wantType || !bytes.Equal(reply[8:], req[8:]) {
		t.Fatalf("ping %s: reply % x, want type %d and payload %q", dst, reply, wantType, req[8:])
	}
}

// echoTCP serves TCP echo on port; exchange sends n bytes through it.
func echoTCP(t *testing.T, s *Stack, port uint16) {
	t.Helper()
	ln, err := gonet.ListenTCP(s.Netstack(), tcpip.FullAddress{Port: port}, ipv6.ProtocolNumber)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
}

func exchangeTCP(t *testing.T, s *Stack, dst netip.AddrPort, n int) {
	t.Helper()
	exchangeTCPWithin(t, s, dst, n, failAfter)
}

// exchangeTCPWithin is exchangeTCP with the whole exchange bounded by
// limit instead of failAfter.
func exchangeTCPWithin(t *testing.T, s *Stack, dst netip.AddrPort, n int, limit time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	c, err := gonet.DialContextTCP(ctx, s.Netstack(), fullAddr(dst), protocolOf(dst.Addr()))
	if err != nil {
		t.Fatalf("dial %s: %v", dst, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(limit))
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i*7 + i>>8)
	}
	werr := make(chan error, 1)
	go func() {
		_, err := c.Write(data)
		if err == nil {
			err = c.CloseWrite()
		}
		werr <- err
	}()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("echo from %s: %v", dst, err)
	}
	if err := <-werr; err != nil {
		t.Fatalf("echo to %s: %v", dst, err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("echo from %s: got %d bytes, want the %d sent", dst, len(got), n)
	}
}
