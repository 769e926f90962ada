package stack

import (
	"bytes"
	"net/netip"
	"testing"

	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/link/channel"
)

// arpFrames returns the ARP frames the stack has sent on link so far,
// whole (Ethernet header first).
func arpFrames(link *channel.Endpoint) [][]byte {
	var out [][]byte
	for {
		pkt := link.Read()
		if pkt == nil {
			return out
		}
		var frame []byte
		for _, s := range pkt.AsSlices() {
			frame = append(frame, s...)
		}
		pkt.DecRef()
		if len(frame) >= header.EthernetMinimumSize && header.Ethernet(frame).Type() == header.ARPProtocolNumber {
			out = append(out, frame)
		}
	}
}

// checkAnnouncement fails unless frames is exactly one ARP announcement
// of addr from mac (RFC 5227 §3): broadcast, an ARP request for
// Ethernet and IPv4 whose sender is mac and addr and whose target
// protocol address is addr too, the target hardware address zero.
func checkAnnouncement(t *testing.T, frames [][]byte, mac []byte, addr netip.Addr) {
	t.Helper()
	if len(frames) != 1 {
		t.Fatalf("%d ARP frames sent, want 1 announcement: % x", len(frames), frames)
	}
	eth := header.Ethernet(frames[0])
	if dst := eth.DestinationAddress(); dst != header.EthernetBroadcastAddress {
		t.Errorf("destination %v, want broadcast", dst)
	}
	if src := eth.SourceAddress(); string(src) != string(mac) {
		t.Errorf("source %v, want % x", src, mac)
	}
	a := header.ARP(frames[0][header.EthernetMinimumSize:])
	if !a.IsValid() {
		t.Fatalf("not an ARP packet for Ethernet and IPv4: % x", frames[0])
	}
	ip := addr.As4()
	for _, c := range []struct {
		what      string
		got, want []byte
	}{
		{"operation", []byte{byte(a.Op())}, []byte{byte(header.ARPRequest)}},
		{"sender hardware address", a.HardwareAddressSender(), mac},
		{"sender protocol address", a.ProtocolAddressSender(), ip[:]},
		{"target protocol address", a.ProtocolAddressTarget(), ip[:]},
		{"target hardware address", a.HardwareAddressTarget(), make([]byte, 6)},
	} {
		if !bytes.Equal(c.got, c.want) {
			t.Errorf("%s % x, want % x", c.what, c.got, c.want)
		}
	}
}

// A static IPv4 address is announced once when New configures it; the
// IPv6 address beside it is not ARP's business.
func TestAnnounceStatic(t *testing.T) {
	link := channel.New(16, 1514, macA)
	newStack(t, "ip=192.0.2.2/24 ip=2001:db8::2/64 gw=192.0.2.1", link)
	checkAnnouncement(t, arpFrames(link), []byte(macA), netip.MustParseAddr("192.0.2.2"))
}

// A DHCP lease's address is announced when the lease is applied, again
// when a renewal brings a new address, and not when it keeps the old one.
func TestAnnounceLease(t *testing.T) {
	link := channel.New(16, 1514, macA)
	s := newStack(t, "", link)
	if f := arpFrames(link); len(f) != 0 {
		t.Fatalf("ARP frames before any address: % x", f)
	}
	lease := &Lease{Addr: netip.MustParsePrefix("10.0.2.15/24"), Router: netip.MustParseAddr("10.0.2.2")}
	if err := s.applyLease(lease); err != nil {
		t.Fatal(err)
	}
	checkAnnouncement(t, arpFrames(link), []byte(macA), lease.Addr.Addr())
	if err := s.applyLease(lease); err != nil {
		t.Fatal(err)
	}
	if f := arpFrames(link); len(f) != 0 {
		t.Errorf("renewal of the same address sent ARP frames: % x", f)
	}
	moved := &Lease{Addr: netip.MustParsePrefix("10.0.2.16/24"), Router: lease.Router}
	if err := s.applyLease(moved); err != nil {
		t.Fatal(err)
	}
	checkAnnouncement(t, arpFrames(link), []byte(macA), moved.Addr.Addr())
}
