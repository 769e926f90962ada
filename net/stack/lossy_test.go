package stack

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"gvisor.dev/gvisor/pkg/buffer"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/link/channel"
	gstack "gvisor.dev/gvisor/pkg/tcpip/stack"
)

// countingDispatcher counts the frames a link delivers.
type countingDispatcher struct{ frames int }

func (d *countingDispatcher) DeliverNetworkPacket(tcpip.NetworkProtocolNumber, *gstack.PacketBuffer) {
	d.frames++
}
func (*countingDispatcher) DeliverLinkPacket(tcpip.NetworkProtocolNumber, *gstack.PacketBuffer) {}

// everyOther drops the second, fourth, ... frame it is asked about.
func everyOther() func() bool {
	n := 0
	return func() bool { n++; return n%2 == 0 }
}

func frames(n int) gstack.PacketBufferList {
	var l gstack.PacketBufferList
	for range n {
		l.PushBack(gstack.NewPacketBuffer(gstack.PacketBufferOptions{Payload: buffer.MakeWithData(make([]byte, 60))}))
	}
	return l
}

// The link drops the frames its lose function picks, each way, and
// reports a dropped outbound frame as sent.
func TestLossyLinkDrops(t *testing.T) {
	child := channel.New(64, 1514, macA)
	l := newLossyLinkFunc(child, everyOther())
	var d countingDispatcher
	l.Attach(&d)

	out := frames(10)
	defer out.DecRef()
	if n, err := l.WritePackets(out); n != 10 || err != nil {
		t.Errorf("WritePackets(10 frames) = %d, %v; want 10, nil", n, err)
	}
	if got := child.NumQueued(); got != 5 {
		t.Errorf("the child link was given %d frames, want 5 of 10", got)
	}

	for range 10 {
		pkt := gstack.NewPacketBuffer(gstack.PacketBufferOptions{Payload: buffer.MakeWithData(make([]byte, 60))})
		child.InjectInbound(0, pkt)
		pkt.DecRef()
	}
	if d.frames != 5 {
		t.Errorf("%d received frames were delivered, want 5 of 10", d.frames)
	}
}

// refusingLink takes a number of frames, then refuses, as a device with
// a full queue does.
type refusingLink struct {
	*channel.Endpoint
	room int
}

func (r *refusingLink) WritePackets(pkts gstack.PacketBufferList) (int, tcpip.Error) {
	if r.room < pkts.Len() {
		return 0, &tcpip.ErrNoBufferSpace{}
	}
	r.room -= pkts.Len()
	return r.Endpoint.WritePackets(pkts)
}

// When the child refuses a frame, WritePackets says how many of the
// frames, from the first, were taken (dropped ones count as taken), and
// an error only when none was.
func TestLossyLinkChildFull(t *testing.T) {
	never := func() bool { return false }
	for _, tt := range []struct {
		room  int
		lose  func() bool
		wantN int
		err   bool
	}{
		{room: 0, lose: never, wantN: 0, err: true},
		{room: 3, lose: never, wantN: 3},
		{room: 3, lose: everyOther(), wantN: 6}, // frames 2, 4, 6 dropped; 7 refused
		{room: 8, lose: never, wantN: 8},
	} {
		child := &refusingLink{Endpoint: channel.New(64, 1514, macA), room: tt.room}
		l := newLossyLinkFunc(child, tt.lose)
		pkts := frames(8 + 1)
		n, err := l.WritePackets(pkts)
		pkts.DecRef()
		if n != min(tt.wantN, 9) || (err != nil) != tt.err {
			t.Errorf("room %d: WritePackets(9 frames) = %d, %v; want %d, error %v", tt.room, n, err, tt.wantN, tt.err)
		}
	}
}

// net_loss=P drops about P% of the frames.
func TestLossyLinkRate(t *testing.T) {
	l := newLossyLink(channel.New(1, 1514, macA), 30)
	lost := 0
	const draws = 20000
	for range draws {
		if l.lose() {
			lost++
		}
	}
	// The binomial's standard deviation is about 65 frames here.
	if lost < draws*28/100 || lost > draws*32/100 {
		t.Errorf("net_loss=30 dropped %d of %d frames", lost, draws)
	}
}

// Two stacks joined by a wire, one of them dropping one frame in a
// hundred each way: HTTP and a 256 KiB echo still arrive whole, with
// RACK-TLP on (the default) and off. The stack without the word has no
// lossy link. The echo is bounded by two minutes, not failAfter:
// netstack's TCP sometimes stalls for many seconds under random loss
// (at 2%, with the frames dropped by the test's wire instead, 3 echoes
// in 80 took 15-31 s; docs/network.md).
func TestLossyStacks(t *testing.T) {
	for _, rack := range []string{"", " tcp_rack=off"} {
		t.Run("rack"+strings.ReplaceAll(rack, " tcp_rack=", "-"), func(t *testing.T) {
			w := newWire(t)
			a := newStack(t, "ip=10.1.0.1/24", w.A)
			b := newStack(t, "ip=10.1.0.2/24 net_loss=1"+rack, w.B)
			if _, lossy := a.eth.Child().(*lossyLink); lossy {
				t.Errorf("a stack without net_loss has a lossy link")
			}
			if _, lossy := b.eth.Child().(*lossyLink); !lossy {
				t.Fatalf("the stack with net_loss=1 has no lossy link: %T", b.eth.Child())
			}
			serveHTTP(t, a, 80)
			for range 5 {
				if got := get(t, b, "http://10.1.0.1/"); !strings.HasPrefix(got, "hello 10.1.0.2:") {
					t.Errorf("GET 10.1.0.1: %q", got)
				}
			}
			echoTCP(t, a, 7)
			exchangeTCPWithin(t, b, netip.MustParseAddrPort("10.1.0.1:7"), 256<<10, 2*time.Minute)
		})
	}
}
