package stack

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// capture assembles a message from hex fields, laid out as in RFC 2131
// Figure 1; "z N" stands for N zero bytes. Spaces are ignored.
func capture(fields ...string) []byte {
	var b []byte
	for _, f := range fields {
		var n int
		if _, err := fmt.Sscanf(f, "z %d", &n); err == nil {
			b = append(b, make([]byte, n)...)
			continue
		}
		h, err := hex.DecodeString(strings.ReplaceAll(f, " ", ""))
		if err != nil {
			panic(fmt.Sprintf("capture %q: %v", f, err))
		}
		b = append(b, h...)
	}
	return b
}

var (
	testMAC = [6]byte{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}

	// The DHCPDISCOVER this client sends: BROADCAST flag, client
	// identifier, parameter request list, maximum message size 1500,
	// END, zero padding to 300 bytes.
	discoverCapture = capture(
		"01 01 06 00",          // op BOOTREQUEST, htype Ethernet, hlen 6, hops 0
		"3903f326",             // xid
		"0000 8000",            // secs 0, flags BROADCAST
		"00000000",             // ciaddr
		"00000000",             // yiaddr
		"00000000",             // siaddr
		"00000000",             // giaddr
		"525400123456", "z 10", // chaddr, padded to 16
		"z 64",                          // sname
		"z 128",                         // file
		"63825363",                      // magic cookie
		"35 01 01",                      // 53 message type: DHCPDISCOVER
		"3d 07 01 525400123456",         // 61 client identifier: htype 1, MAC
		"37 08 01 03 06 0c 0f 33 3a 3b", // 55 parameter request list
		"39 02 05dc",                    // 57 maximum message size 1500
		"ff",                            // END
		"z 33",                          // pad to 300 bytes
	)

	// A DHCPOFFER such as QEMU's slirp sends: 10.0.2.15 from 10.0.2.2.
	offerCapture = capture(
		"02 01 06 00", "3903f326", "0000 8000",
		"00000000", "0a00020f", "0a000202", "00000000", // ciaddr, yiaddr 10.0.2.15, siaddr 10.0.2.2, giaddr
		"525400123456", "z 10", "z 64", "z 128", "63825363",
		"35 01 02",                     // DHCPOFFER
		"36 04 0a000202",               // 54 server identifier 10.0.2.2
		"33 04 00015180",               // 51 lease time 86400 s
		"01 04 ffffff00",               // 1 subnet mask 255.255.255.0
		"03 04 0a000202",               // 3 router 10.0.2.2
		"06 08 0a000203 08080808",      // 6 DNS 10.0.2.3, 8.8.8.8
		"0f 0b 6578616d706c652e636f6d", // 15 domain "example.com"
		"ff",
	)

	// A DHCPACK with option overload (RFC 2132 §9.3): the options field
	// says file and sname hold more options; the DNS option is split
	// between them (RFC 3396) and the hostname carries a trailing NUL.
	ackOverloadCapture = capture(
		"02 01 06 00", "3903f326", "0000 8000",
		"00000000", "0a00020f", "00000000", "00000000",
		"525400123456", "z 10",
		// sname (64 bytes): second half of option 6, END
		"06 04 01010101 ff", "z 57",
		// file (128 bytes): mask, router, first half of option 6, END
		"01 04 ffff0000 03 04 0a000201 06 04 08080808 ff", "z 109",
		"63825363",
		"35 01 05",           // DHCPACK
		"34 01 03",           // 52 overload: file and sname
		"36 04 0a000202",     // server identifier
		"33 04 00000e10",     // lease time 3600 s
		"3a 04 00000384",     // 58 T1 900 s
		"3b 04 00000a8c",     // 59 T2 2700 s
		"0c 05 766d31 2d 00", // 12 hostname "vm1-" + NUL: invalid, dropped
		"00 00",              // pads
		"ff",
	)
)

func TestDHCPEncode(t *testing.T) {
	c := &dhcpClient{mac: testMAC, mtu: 1500}
	got := c.request(dhcpDiscover, 0x3903f326, 0, netip.Addr{}).encode()
	if !bytes.Equal(got, discoverCapture) {
		t.Errorf("DHCPDISCOVER\n got % x\nwant % x", got, discoverCapture)
	}
	// Encoding what was decoded gives the same bytes back.
	for _, b := range [][]byte{discoverCapture} {
		m, err := decodeDHCP(b)
		if err != nil {
			t.Fatal(err)
		}
		if again := m.encode(); !bytes.Equal(again, b) {
			t.Errorf("re-encoded\n got % x\nwant % x", again, b)
		}
	}
	// A renewing request has ciaddr and no BROADCAST flag; a hostname is
	// sent when configured; a long option is split in 255-byte pieces.
	c.hostname = "web"
	m := c.request(dhcpRequest, 1, 3, netip.MustParseAddr("10.0.2.15"))
	m.opts = append(m.opts, dhcpOption{200, bytes.Repeat([]byte{7}, 300)})
	b := m.encode()
	if !bytes.Equal(b[dhcpOffSecs:dhcpOffCIAddr+4], []byte{0, 3, 0, 0, 10, 0, 2, 15}) {
		t.Errorf("secs, flags, ciaddr = % x", b[dhcpOffSecs:dhcpOffCIAddr+4])
	}
	if !bytes.Contains(b, []byte{optHostname, 3, 'w', 'e', 'b'}) {
		t.Errorf("no hostname option in % x", b[dhcpOffOpts:])
	}
	if i := bytes.Index(b, []byte{200, 255, 7}); i < 0 || !bytes.Equal(b[i+257:i+259], []byte{200, 45}) {
		t.Errorf("option 200 not split 255+45: % x", b[dhcpOffOpts:])
	}
	back, err := decodeDHCP(b)
	if err != nil || !bytes.Equal(back.option(200), bytes.Repeat([]byte{7}, 300)) {
		t.Errorf("split option did not join back: %v", err)
	}
}

func TestDHCPDecode(t *testing.T) {
	offer, err := decodeDHCP(offerCapture)
	if err != nil {
		t.Fatal(err)
	}
	if offer.op != bootReply || offer.xid != 0x3903f326 || offer.flags != dhcpFlagBroadcast || offer.chaddr != testMAC ||
		offer.yiaddr != netip.MustParseAddr("10.0.2.15") || offer.siaddr != netip.MustParseAddr("10.0.2.2") ||
		offer.msgType() != dhcpOffer {
		t.Errorf("offer header: %+v", offer)
	}
	l, err := leaseFrom(offer, time.Unix(1000, 0))
	if err != nil {
		t.Fatal(err)
	}
	want := &Lease{
		Addr:     netip.MustParsePrefix("10.0.2.15/24"),
		Router:   netip.MustParseAddr("10.0.2.2"),
		DNS:      addrs("10.0.2.3", "8.8.8.8"),
		Domain:   "example.com",
		Server:   netip.MustParseAddr("10.0.2.2"),
		Duration: 86400 * time.Second,
		T1:       43200 * time.Second,
		T2:       75600 * time.Second,
		Start:    time.Unix(1000, 0),
	}
	if !reflect.DeepEqual(l, want) {
		t.Errorf("lease from offer\n got %+v\nwant %+v", l, want)
	}

	ack, err := decodeDHCP(ackOverloadCapture)
	if err != nil {
		t.Fatal(err)
	}
	if ack.msgType() != dhcpAck {
		t.Errorf("type %d", ack.msgType())
	}
	l, err = leaseFrom(ack, time.Unix(1000, 0))
	if err != nil {
		t.Fatal(err)
	}
	want = &Lease{
		Addr:     netip.MustParsePrefix("10.0.2.15/16"),
		Router:   netip.MustParseAddr("10.0.2.1"),
		DNS:      addrs("8.8.8.8", "1.1.1.1"),
		Server:   netip.MustParseAddr("10.0.2.2"),
		Duration: time.Hour,
		T1:       900 * time.Second,
		T2:       2700 * time.Second,
		Start:    time.Unix(1000, 0),
	}
	if !reflect.DeepEqual(l, want) {
		t.Errorf("lease from overloaded ack\n got %+v\nwant %+v", l, want)
	}
}

func TestDHCPDecodeErrors(t *testing.T) {
	mutate := func(f func(b []byte) []byte) []byte {
		return f(slices.Clone(offerCapture))
	}
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"short", offerCapture[:239], "239 bytes"},
		{"cookie", mutate(func(b []byte) []byte { b[dhcpOffCookie] = 0x64; return b }), "magic cookie"},
		{"op", mutate(func(b []byte) []byte { b[dhcpOffOp] = 3; return b }), "op 3"},
		{"htype", mutate(func(b []byte) []byte { b[dhcpOffHType] = 6; return b }), "hardware type 6"},
		{"overrun", append(slices.Clone(offerCapture[:dhcpOffOpts]), 0x35, 0x05, 0x02), "option 53 overruns"},
		{"no length", append(slices.Clone(offerCapture[:dhcpOffOpts]), 0x35), "option 53 overruns"},
		{"overload overrun", capture("02 01 06 00", "z 24", "z 16", "z 64", "03 7f", "z 126", "63825363", "34 01 01 ff"), "overruns the file field"},
	}
	for _, tt := range tests {
		_, err := decodeDHCP(tt.b)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
	// An options field that runs out without END is accepted.
	m, err := decodeDHCP(append(slices.Clone(offerCapture[:dhcpOffOpts]), 0x35, 0x01, 0x02))
	if err != nil || m.msgType() != dhcpOffer {
		t.Errorf("options without END: %v", err)
	}
}

func TestLeaseFrom(t *testing.T) {
	base := func(opts ...dhcpOption) *dhcpMsg {
		return &dhcpMsg{op: bootReply, yiaddr: netip.MustParseAddr("172.16.5.9"), opts: append([]dhcpOption{{optMessageType, []byte{dhcpAck}}}, opts...)}
	}
	l, err := leaseFrom(base(u32Opt(optLeaseTime, 0xffffffff)), time.Time{})
	if err != nil || l.Duration != InfiniteLease || l.T1 != InfiniteLease || l.Addr.Bits() != 16 {
		t.Errorf("infinite, classful: %+v, %v", l, err)
	}
	l, err = leaseFrom(base(u32Opt(optLeaseTime, 100), u32Opt(optRenewalT1, 90), u32Opt(optRebindingT2, 80)), time.Time{})
	if err != nil || l.T1 != 50*time.Second || l.T2 != 87500*time.Millisecond {
		t.Errorf("T1 > T2 falls back to the defaults: %+v, %v", l, err)
	}
	l, err = leaseFrom(base(), time.Time{})
	if err != nil || l.Duration != defaultLease {
		t.Errorf("no lease time: %+v, %v", l, err)
	}
	l, err = leaseFrom(base(dhcpOption{optRouter, []byte{0, 0, 0, 0, 10, 0, 0, 1}}, dhcpOption{optDNS, []byte{1, 2, 3}}), time.Time{})
	if err != nil || l.Router != netip.MustParseAddr("10.0.0.1") || l.DNS != nil {
		t.Errorf("router 0.0.0.0 skipped, malformed DNS dropped: %+v, %v", l, err)
	}
	if _, err := leaseFrom(base(addrOpt(optSubnetMask, netip.MustParseAddr("255.0.255.0"))), time.Time{}); err == nil {
		t.Error("non-contiguous mask accepted")
	}
	m := base()
	m.yiaddr = netip.MustParseAddr("0.0.0.0")
	if _, err := leaseFrom(m, time.Time{}); err == nil {
		t.Error("yiaddr 0.0.0.0 accepted")
	}
}

// Decoding never panics, and what decodes re-encodes to something that
// decodes to the same options.
func FuzzDecodeDHCP(f *testing.F) {
	for _, b := range [][]byte{discoverCapture, offerCapture, ackOverloadCapture} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeDHCP(b)
		if err != nil {
			return
		}
		again, err := decodeDHCP(m.encode())
		if err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
		if !reflect.DeepEqual(again.opts, m.opts) && !(len(again.opts) == 0 && len(m.opts) == 0) {
			t.Fatalf("options changed: %v -> %v", m.opts, again.opts)
		}
	})
}
