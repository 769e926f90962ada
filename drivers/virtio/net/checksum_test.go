package virtionet

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/checksum"
	"gvisor.dev/gvisor/pkg/tcpip/header"
)

// refSum is RFC 1071 done the slow, obvious way.
func refSum(b []byte) uint16 {
	var s uint32
	for i := 0; i < len(b); i += 2 {
		w := uint32(b[i]) << 8
		if i+1 < len(b) {
			w |= uint32(b[i+1])
		}
		s += w
		s = s&0xffff + s>>16
	}
	return uint16(s)
}

func TestOnesSum(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 70000)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	ones := make([]byte, 70000)
	for i := range ones {
		ones[i] = 0xff // every word 0xffff: the carries never stop
	}
	for _, b := range [][]byte{buf, ones} {
		for n := range 80 {
			for off := range 9 { // every alignment
				if got, want := onesSum(b[off:off+n]), refSum(b[off:off+n]); got != want {
					t.Fatalf("%d bytes at %d: got %#04x, want %#04x", n, off, got, want)
				}
			}
		}
		for _, n := range []int{1499, 1500, 65535, 65589, 69999} {
			got, want := onesSum(b[1:1+n]), refSum(b[1:1+n])
			if got != want || got != checksum.Checksum(b[1:1+n], 0) {
				t.Errorf("%d bytes: got %#04x, want %#04x (gVisor %#04x)", n, got, want, checksum.Checksum(b[1:1+n], 0))
			}
		}
	}
	if got := onesSum(nil); got != 0 {
		t.Errorf("no bytes: got %#04x", got)
	}
}

// partialFrame builds an Ethernet frame holding a TCP or UDP packet over
// IPv4 or IPv6 with payload, whose transport checksum is the folded
// pseudo-header sum, as a device delivers it with NEEDS_CSUM; and
// returns csum_start and csum_offset.
func partialFrame(ipv6 bool, proto tcpip.TransportProtocolNumber, payload []byte) (frame []byte, start, offset uint16) {
	src4, dst4 := tcpip.AddrFrom4([4]byte{192, 0, 2, 1}), tcpip.AddrFrom4([4]byte{192, 0, 2, 2})
	src6 := tcpip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 1})
	dst6 := tcpip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 2})
	l4len := header.TCPMinimumSize
	if proto == header.UDPProtocolNumber {
		l4len = header.UDPMinimumSize
	}
	l3len := header.IPv4MinimumSize
	if ipv6 {
		l3len = header.IPv6MinimumSize
	}
	frame = make([]byte, header.EthernetMinimumSize+l3len+l4len+len(payload))
	eth := header.Ethernet(frame)
	eth.Encode(&header.EthernetFields{Type: header.IPv4ProtocolNumber})
	l3 := frame[header.EthernetMinimumSize:]
	l4 := l3[l3len:]
	copy(l4[l4len:], payload)
	var src, dst tcpip.Address
	if ipv6 {
		eth.Encode(&header.EthernetFields{Type: header.IPv6ProtocolNumber})
		src, dst = src6, dst6
		header.IPv6(l3).Encode(&header.IPv6Fields{
			PayloadLength: uint16(l4len + len(payload)), TransportProtocol: proto,
			HopLimit: 64, SrcAddr: src, DstAddr: dst,
		})
	} else {
		src, dst = src4, dst4
		ip := header.IPv4(l3)
		ip.Encode(&header.IPv4Fields{
			TotalLength: uint16(l3len + l4len + len(payload)), Protocol: uint8(proto),
			TTL: 64, SrcAddr: src, DstAddr: dst,
		})
		ip.SetChecksum(^ip.CalculateChecksum())
	}
	pseudo := header.PseudoHeaderChecksum(proto, src, dst, uint16(l4len+len(payload)))
	if proto == header.UDPProtocolNumber {
		header.UDP(l4).Encode(&header.UDPFields{SrcPort: 53, DstPort: 4242, Length: uint16(l4len + len(payload)), Checksum: pseudo})
		offset = 6 // the UDP checksum field
	} else {
		header.TCP(l4).Encode(&header.TCPFields{SrcPort: 80, DstPort: 4242, SeqNum: 1, AckNum: 2,
			DataOffset: header.TCPMinimumSize, Flags: header.TCPFlagAck, WindowSize: 1000, Checksum: pseudo})
		offset = header.TCPChecksumOffset
	}
	return frame, uint16(header.EthernetMinimumSize + l3len), offset
}

// valid checks the transport checksum of a frame partialFrame built, the
// way netstack does.
func valid(t *testing.T, frame []byte, ipv6 bool, proto tcpip.TransportProtocolNumber) bool {
	t.Helper()
	l3 := frame[header.EthernetMinimumSize:]
	var net header.Network = header.IPv4(l3)
	if ipv6 {
		net = header.IPv6(l3)
	}
	l4 := net.Payload()
	if proto == header.UDPProtocolNumber {
		u := header.UDP(l4)
		return u.Checksum() != 0 && u.IsChecksumValid(net.SourceAddress(), net.DestinationAddress(), checksum.Checksum(u.Payload(), 0))
	}
	tcp := header.TCP(l4)
	return tcp.IsChecksumValid(net.SourceAddress(), net.DestinationAddress(), checksum.Checksum(tcp.Payload(), 0), uint16(len(tcp.Payload())))
}

func TestFinishChecksum(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, ipv6 := range []bool{false, true} {
		for _, proto := range []tcpip.TransportProtocolNumber{header.TCPProtocolNumber, header.UDPProtocolNumber} {
			for _, n := range []int{0, 1, 2, 3, 1000, 1459, 65000} {
				payload := make([]byte, n)
				for i := range payload {
					payload[i] = byte(r.Uint32())
				}
				frame, start, offset := partialFrame(ipv6, proto, payload)
				if valid(t, frame, ipv6, proto) && n > 3 {
					t.Fatalf("ipv6 %v, proto %d, %d bytes: valid before it was finished", ipv6, proto, n)
				}
				if !finishChecksum(frame, start, offset) {
					t.Fatalf("ipv6 %v, proto %d, %d bytes: refused", ipv6, proto, n)
				}
				if !valid(t, frame, ipv6, proto) {
					t.Errorf("ipv6 %v, proto %d, %d bytes: checksum not valid once finished", ipv6, proto, n)
				}
				frame[len(frame)-1] ^= 1 // netstack must now reject it
				if valid(t, frame, ipv6, proto) && n > 0 {
					t.Errorf("ipv6 %v, proto %d, %d bytes: valid with a flipped bit", ipv6, proto, n)
				}
			}
		}
	}
}

// A UDP checksum that comes out as 0 is sent as 0xffff: 0 would mean
// "no checksum".
func TestFinishChecksumZero(t *testing.T) {
	frame, start, offset := partialFrame(false, header.UDPProtocolNumber, []byte{0, 0})
	// Choose the payload so that the whole sum is 0xffff, whose
	// complement is 0.
	finishChecksum(frame, start, offset)
	c := binary.BigEndian.Uint16(frame[start+offset:])
	frame, start, offset = partialFrame(false, header.UDPProtocolNumber, []byte{byte(c >> 8), byte(c)})
	if !finishChecksum(frame, start, offset) {
		t.Fatal("refused")
	}
	if got := binary.BigEndian.Uint16(frame[start+offset:]); got != 0xffff {
		t.Errorf("checksum %#04x, want 0xffff", got)
	}
	if !valid(t, frame, false, header.UDPProtocolNumber) {
		t.Error("not valid")
	}
}

func TestFinishChecksumOutside(t *testing.T) {
	frame := make([]byte, 60)
	for _, c := range []struct{ start, offset uint16 }{
		{59, 0}, {58, 1}, {60, 0}, {34, 26}, {0xffff, 0xffff}, {40, 0xfff0},
	} {
		if finishChecksum(frame, c.start, c.offset) {
			t.Errorf("start %d, offset %d in a 60-byte frame: accepted", c.start, c.offset)
		}
	}
	if !finishChecksum(frame, 34, 24) {
		t.Error("the last two bytes: refused")
	}
	for i, b := range frame[:58] {
		if b != 0 {
			t.Fatalf("byte %d changed", i)
		}
	}
}
