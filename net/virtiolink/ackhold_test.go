package virtiolink

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	virtionet "github.com/coracle-os/coracle/drivers/virtio/net"
	"gvisor.dev/gvisor/pkg/buffer"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
)

// sentLog records the frames an ackHolder sends, by the TCP
// acknowledgment number and flags they carry.
type sentLog struct {
	mu     sync.Mutex
	frames []string
}

func (l *sentLog) send(_ virtionet.TxOffload, parts ...[]byte) error {
	f := slices.Concat(parts...)
	ip := header.IPv4(f[header.EthernetMinimumSize:])
	desc := "udp"
	if ip.TransportProtocol() == header.TCPProtocolNumber {
		tcp := header.TCP(ip.Payload())
		desc = strings.ReplaceAll(tcp.Flags().String(), " ", "") + "/" + string(rune('0'+tcp.AckNumber()%10)) + "/" + string(rune('0'+tcp.SourcePort()%10))
	}
	l.mu.Lock()
	l.frames = append(l.frames, desc)
	l.mu.Unlock()
	return nil
}

func (l *sentLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.frames)
}

// outPacket builds an outgoing packet as netstack hands it to the link:
// headers pushed in front of the payload, protocol numbers set.
func outPacket(proto tcpip.TransportProtocolNumber, port uint16, flags header.TCPFlags, ack uint32, payload []byte) *stack.PacketBuffer {
	pkt := stack.NewPacketBuffer(stack.PacketBufferOptions{
		ReserveHeaderBytes: header.EthernetMinimumSize + header.IPv4MinimumSize + header.TCPMinimumSize,
		Payload:            buffer.MakeWithData(payload),
	})
	l4 := header.TCPMinimumSize
	if proto == header.UDPProtocolNumber {
		l4 = header.UDPMinimumSize
		header.UDP(pkt.TransportHeader().Push(l4)).Encode(&header.UDPFields{SrcPort: port, DstPort: 53, Length: uint16(l4 + len(payload))})
	} else {
		header.TCP(pkt.TransportHeader().Push(l4)).Encode(&header.TCPFields{SrcPort: port, DstPort: 40000, AckNum: ack, Flags: flags, DataOffset: uint8(l4), WindowSize: 1000})
	}
	pkt.TransportProtocolNumber = proto
	header.IPv4(pkt.NetworkHeader().Push(header.IPv4MinimumSize)).Encode(&header.IPv4Fields{
		TotalLength: uint16(header.IPv4MinimumSize + l4 + len(payload)), TTL: 64, Protocol: uint8(proto), SrcAddr: guestIP, DstAddr: peerIP,
	})
	pkt.NetworkProtocolNumber = header.IPv4ProtocolNumber
	header.Ethernet(pkt.LinkHeader().Push(header.EthernetMinimumSize)).Encode(&header.EthernetFields{SrcAddr: tcpip.LinkAddress(guestMAC[:]), DstAddr: peerMAC, Type: header.IPv4ProtocolNumber})
	return pkt
}

func TestAckHold(t *testing.T) {
	const ack, psh = header.TCPFlagAck, header.TCPFlagAck | header.TCPFlagPsh
	type seg struct {
		proto   tcpip.TransportProtocolNumber
		port    uint16
		flags   header.TCPFlags
		ack     uint32
		payload string
	}
	tcp := header.TCPProtocolNumber
	for _, tc := range []struct {
		name string
		segs []seg
		now  []string // sent before the timer
		all  []string // sent once the timer has fired
	}{
		{"an answer carries the ACK", []seg{{tcp, 1, ack, 5, ""}, {tcp, 1, psh, 5, "answer"}}, []string{"PA/5/1"}, []string{"PA/5/1"}},
		{"an answer that acknowledges more", []seg{{tcp, 1, ack, 5, ""}, {tcp, 1, psh, 7, "answer"}}, []string{"PA/7/1"}, []string{"PA/7/1"}},
		{"a FIN carries it", []seg{{tcp, 1, ack, 5, ""}, {tcp, 1, ack | header.TCPFlagFin, 5, ""}}, []string{"FA/5/1"}, []string{"FA/5/1"}},
		{"a second ACK sends the first", []seg{{tcp, 1, ack, 3, ""}, {tcp, 1, ack, 5, ""}}, []string{"A/3/1"}, []string{"A/3/1", "A/5/1"}},
		{"duplicate ACKs all go", []seg{{tcp, 1, ack, 3, ""}, {tcp, 1, ack, 3, ""}, {tcp, 1, ack, 3, ""}}, []string{"A/3/1", "A/3/1"}, []string{"A/3/1", "A/3/1", "A/3/1"}},
		{"a segment acknowledging less sends it first", []seg{{tcp, 1, ack, 5, ""}, {tcp, 1, psh, 3, "x"}}, []string{"A/5/1", "PA/3/1"}, []string{"A/5/1", "PA/3/1"}},
		{"a SYN does not carry it", []seg{{tcp, 1, ack, 5, ""}, {tcp, 1, header.TCPFlagSyn, 0, ""}}, []string{"A/5/1", "S/0/1"}, []string{"A/5/1", "S/0/1"}},
		{"connections apart", []seg{{tcp, 1, ack, 5, ""}, {tcp, 2, psh, 6, "other"}}, []string{"PA/6/2"}, []string{"PA/6/2", "A/5/1"}},
		{"not TCP", []seg{{header.UDPProtocolNumber, 1, 0, 0, "dns"}}, []string{"udp"}, []string{"udp"}},
		{"the timer sends it", []seg{{tcp, 1, ack, 5, ""}}, nil, []string{"A/5/1"}},
		{"after our FIN, ACKs go at once", []seg{{tcp, 1, ack | header.TCPFlagFin, 5, ""}, {tcp, 1, ack, 6, ""}}, []string{"FA/5/1", "A/6/1"}, []string{"FA/5/1", "A/6/1"}},
		{"a new connection on the port is held again", []seg{{tcp, 1, ack | header.TCPFlagFin, 5, ""}, {tcp, 1, header.TCPFlagSyn, 0, ""}, {tcp, 1, ack, 6, ""}}, []string{"FA/5/1", "S/0/1"}, []string{"FA/5/1", "S/0/1", "A/6/1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log sentLog
			h := newAckHolder(log.send)
			for _, s := range tc.segs {
				pkt := outPacket(s.proto, s.port, s.flags, s.ack, []byte(s.payload))
				if err := h.write(pkt); err != nil {
					t.Fatal(err)
				}
				pkt.DecRef()
			}
			if got := log.get(); !slices.Equal(got, tc.now) {
				t.Errorf("sent at once: %q, want %q", got, tc.now)
			}
			deadline := time.Now().Add(time.Second)
			for !slices.Equal(log.get(), tc.all) && time.Now().Before(deadline) {
				time.Sleep(ackHoldMax)
			}
			if got := log.get(); !slices.Equal(got, tc.all) {
				t.Errorf("sent in all: %q, want %q", got, tc.all)
			}
		})
	}
}

// A pure ACK too large to copy (more options than any TCP segment has)
// goes at once.
func TestAckHoldTooLarge(t *testing.T) {
	var log sentLog
	h := newAckHolder(log.send)
	var k flowKey
	if h.hold(k, 1, virtionet.TxOffload{}, [][]byte{make([]byte, maxHeldFrame+1)}) {
		t.Fatal("held a frame larger than maxHeldFrame")
	}
}
