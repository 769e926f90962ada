package virtiolink

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	virtionet "github.com/coracle-os/coracle/drivers/virtio/net"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
	"gvisor.dev/gvisor/pkg/tcpip/checksum"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/link/ethernet"
	"gvisor.dev/gvisor/pkg/tcpip/network/arp"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
)

// fakeNIC stands for a virtionet.Device: Receive delivers what the test
// puts in rx, as the driver delivers whole frames; Send puts frames in tx.
type fakeNIC struct {
	rx chan []byte
	tx chan []byte
}

func (*fakeNIC) MAC() [6]byte                      { return guestMAC }
func (*fakeNIC) Offloads() (csum, tso4, tso6 bool) { return false, false, false }

func (n *fakeNIC) Send(_ virtionet.TxOffload, parts ...[]byte) error {
	n.tx <- bytes.Join(parts, nil)
	return nil
}

func (n *fakeNIC) Receive(deliver func(frame []byte)) error {
	for f := range n.rx {
		deliver(f)
		clear(f) // the frame is the driver's again: the stack must have copied it
	}
	return errors.New("closed")
}

var (
	guestMAC = [6]byte{0x52, 0x54, 0, 0x12, 0x34, 0x56}
	peerMAC  = tcpip.LinkAddress("\x52\x54\x00\x65\x43\x21")
	guestIP  = tcpip.AddrFrom4([4]byte{192, 0, 2, 2})
	peerIP   = tcpip.AddrFrom4([4]byte{192, 0, 2, 1})
)

// newStack returns a stack whose only NIC is the endpoint over a fake
// device, as net/stack builds it (Ethernet wrapped around the endpoint),
// with the guest's address and the peer as a static neighbour.
func newStack(t *testing.T) (*stack.Stack, *fakeNIC) {
	nic := &fakeNIC{rx: make(chan []byte), tx: make(chan []byte, 64)}
	s := stack.New(stack.Options{
		NetworkProtocols:   []stack.NetworkProtocolFactory{ipv4.NewProtocol, arp.NewProtocol},
		TransportProtocols: []stack.TransportProtocolFactory{tcp.NewProtocol, udp.NewProtocol},
	})
	ep := newEndpoint(nic)
	if err := s.CreateNIC(1, ethernet.New(ep)); err != nil {
		t.Fatal(err)
	}
	addr := tcpip.ProtocolAddress{Protocol: ipv4.ProtocolNumber, AddressWithPrefix: guestIP.WithPrefix()}
	addr.AddressWithPrefix.PrefixLen = 24
	if err := s.AddProtocolAddress(1, addr, stack.AddressProperties{}); err != nil {
		t.Fatal(err)
	}
	s.SetRouteTable([]tcpip.Route{{Destination: addr.AddressWithPrefix.Subnet(), NIC: 1}})
	if err := s.AddStaticNeighbor(1, ipv4.ProtocolNumber, peerIP, peerMAC); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		ep.Run()
		close(done)
	}()
	t.Cleanup(func() {
		close(nic.rx)
		<-done
		s.Close()
		s.Wait()
	})
	return s, nic
}

// ipv4Frame wraps an IPv4 packet carrying l4 (whose checksum field the
// caller has filled in) in an Ethernet frame from the peer to the guest.
func ipv4Frame(proto tcpip.TransportProtocolNumber, l4 []byte) []byte {
	f := make([]byte, header.EthernetMinimumSize+header.IPv4MinimumSize+len(l4))
	header.Ethernet(f).Encode(&header.EthernetFields{SrcAddr: peerMAC, DstAddr: tcpip.LinkAddress(guestMAC[:]), Type: header.IPv4ProtocolNumber})
	ip := header.IPv4(f[header.EthernetMinimumSize:])
	ip.Encode(&header.IPv4Fields{TotalLength: uint16(header.IPv4MinimumSize + len(l4)), TTL: 64, Protocol: uint8(proto), SrcAddr: peerIP, DstAddr: guestIP})
	ip.SetChecksum(^ip.CalculateChecksum())
	copy(ip.Payload(), l4)
	return f
}

func udpFrame(port uint16, payload []byte) []byte {
	l4 := make([]byte, header.UDPMinimumSize+len(payload))
	u := header.UDP(l4)
	u.Encode(&header.UDPFields{SrcPort: 5353, DstPort: port, Length: uint16(len(l4))})
	copy(u.Payload(), payload)
	xsum := header.PseudoHeaderChecksum(header.UDPProtocolNumber, peerIP, guestIP, uint16(len(l4)))
	u.SetChecksum(^u.CalculateChecksum(checksum.Checksum(payload, xsum)))
	return ipv4Frame(header.UDPProtocolNumber, l4)
}

func tcpFrame(f header.TCPFields, opts, payload []byte) []byte {
	f.DataOffset = uint8(header.TCPMinimumSize + len(opts))
	l4 := make([]byte, int(f.DataOffset)+len(payload))
	h := header.TCP(l4)
	h.Encode(&f)
	copy(l4[header.TCPMinimumSize:], opts)
	copy(l4[f.DataOffset:], payload)
	xsum := header.PseudoHeaderChecksum(header.TCPProtocolNumber, peerIP, guestIP, uint16(len(l4)))
	h.SetChecksum(^h.CalculateChecksum(checksum.Checksum(payload, xsum)))
	return ipv4Frame(header.TCPProtocolNumber, l4)
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 13)
	}
	return b
}

// wait polls cond for up to a second.
func wait(cond func() bool) bool {
	for range 100 {
		if cond() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// Netstack checks every checksum itself (the endpoint claims no receive
// checksum offload): a datagram or header with a bad one is dropped. And
// it takes a frame far larger than the MTU.
func TestReceiveUDP(t *testing.T) {
	s, nic := newStack(t)
	conn, err := gonet.DialUDP(s, &tcpip.FullAddress{NIC: 1, Addr: guestIP, Port: 5000}, nil, ipv4.ProtocolNumber)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	read := func() ([]byte, error) {
		conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		b := make([]byte, 65536)
		n, _, err := conn.ReadFrom(b)
		return b[:n], err
	}

	badData := udpFrame(5000, pattern(100))
	badData[len(badData)-1] ^= 1
	badHeader := udpFrame(5000, pattern(100))
	badHeader[header.EthernetMinimumSize+8] ^= 1 // the TTL: the IPv4 header checksum no longer fits
	nic.rx <- badData
	nic.rx <- badHeader
	if got, err := read(); err == nil {
		t.Errorf("a datagram with a bad checksum arrived: %d bytes", len(got))
	}
	if !wait(func() bool { return s.Stats().UDP.ChecksumErrors.Value() == 1 }) {
		t.Errorf("UDP checksum errors: %d, want 1", s.Stats().UDP.ChecksumErrors.Value())
	}
	if got := s.Stats().IP.MalformedPacketsReceived.Value(); got != 1 {
		t.Errorf("malformed IP packets: %d, want 1", got)
	}

	for _, n := range []int{100, 60000, 65535 - header.IPv4MinimumSize - header.UDPMinimumSize} {
		want := pattern(n)
		nic.rx <- udpFrame(5000, want)
		if got, err := read(); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%d-byte datagram in one frame: got %d bytes, %v", n, len(got), err)
		}
	}
}

// A TCP segment as large as the device coalesces (GUEST_TSO4) is
// accepted whole, once its checksum is right.
func TestReceiveLargeTCPSegment(t *testing.T) {
	s, nic := newStack(t)
	l, err := gonet.ListenTCP(s, tcpip.FullAddress{NIC: 1, Addr: guestIP, Port: 8080}, ipv4.ProtocolNumber)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	const size = 60000
	want := pattern(size)
	got := make(chan []byte, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		b := make([]byte, size)
		n, _ := io.ReadFull(c, b)
		got <- b[:n]
	}()

	// Handshake, with window scaling so that the window can take the
	// segment: SYN (MSS 1460, window scale 7), SYN-ACK, ACK.
	const iss = 1000
	syn := header.TCPFields{SrcPort: 4242, DstPort: 8080, SeqNum: iss, Flags: header.TCPFlagSyn, WindowSize: 65535}
	nic.rx <- tcpFrame(syn, []byte{2, 4, 0x05, 0xb4, 1, 3, 3, 7}, nil)
	var synAck header.TCP
	select {
	case f := <-nic.tx:
		synAck = header.TCP(header.IPv4(f[header.EthernetMinimumSize:]).Payload())
	case <-time.After(5 * time.Second):
		t.Fatal("no SYN-ACK")
	}
	if synAck.Flags() != header.TCPFlagSyn|header.TCPFlagAck || synAck.AckNumber() != iss+1 {
		t.Fatalf("flags %v, ack %d: not a SYN-ACK for our SYN", synAck.Flags(), synAck.AckNumber())
	}
	ack := header.TCPFields{SrcPort: 4242, DstPort: 8080, SeqNum: iss + 1, AckNum: synAck.SequenceNumber() + 1, Flags: header.TCPFlagAck, WindowSize: 1024}
	nic.rx <- tcpFrame(ack, nil, nil)

	data := ack
	data.Flags |= header.TCPFlagPsh
	bad := tcpFrame(data, nil, want)
	bad[len(bad)-1] ^= 1
	nic.rx <- bad
	if !wait(func() bool { return s.Stats().TCP.ChecksumErrors.Value() == 1 }) {
		t.Errorf("TCP checksum errors: %d, want 1", s.Stats().TCP.ChecksumErrors.Value())
	}
	frame := tcpFrame(data, nil, want)
	if len(frame) <= virtionet.MaxFrame || len(frame) > virtionet.MaxRxFrame {
		t.Fatalf("a %d-byte frame does not test what it should", len(frame))
	}
	nic.rx <- frame
	if b := <-got; !bytes.Equal(b, want) {
		t.Errorf("got %d bytes, want the %d sent", len(b), size)
	}
}
