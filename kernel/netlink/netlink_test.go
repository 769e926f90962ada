package netlink

import (
	"encoding/binary"
	"fmt"
	"net"
	"slices"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/coracle-os/coracle/kernel/abi/iftab"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// testTable is lo and eth0 as the network service publishes them.
func testTable(t *testing.T) *iftab.Table {
	var tab iftab.Table
	lo := tab.Add(1, "lo")
	lo.Flags = linux.IFF_UP | linux.IFF_LOOPBACK | linux.IFF_RUNNING | linux.IFF_LOWER_UP
	lo.MTU, lo.Type = 65536, linux.ARPHRD_LOOPBACK
	lo.SetHWAddr(make([]byte, 6))
	eth := tab.Add(2, "eth0")
	eth.Flags = linux.IFF_UP | linux.IFF_BROADCAST | linux.IFF_MULTICAST | linux.IFF_RUNNING | linux.IFF_LOWER_UP
	eth.MTU, eth.Type = 1500, linux.ARPHRD_ETHER
	eth.SetHWAddr([]byte{0x52, 0x54, 0, 0x12, 0x34, 0x56})
	for _, a := range []struct {
		f     *iftab.Interface
		ip    string
		bits  int
		scope uint8
	}{
		{lo, "127.0.0.1", 8, linux.RT_SCOPE_HOST},
		{lo, "::1", 128, linux.RT_SCOPE_HOST},
		{eth, "10.0.2.15", 24, linux.RT_SCOPE_UNIVERSE},
		{eth, "fe80::5054:ff:fe12:3456", 64, linux.RT_SCOPE_LINK},
	} {
		ip := net.ParseIP(a.ip)
		if v4 := ip.To4(); v4 != nil {
			ip = v4
		}
		if !a.f.AddAddr(ip, a.bits, linux.IFA_F_PERMANENT, a.scope) {
			t.Fatalf("AddAddr %s", a.ip)
		}
	}
	if !tab.Valid() {
		t.Fatal("table not valid")
	}
	return &tab
}

// request is the wire form of a request with a one-byte rtgenmsg, as
// syscall.NetlinkRIB sends it.
func request(typ, flags uint16, seq uint32, family byte) []byte {
	b := make([]byte, syscall.NLMSG_HDRLEN+syscall.SizeofRtGenmsg)
	binary.LittleEndian.PutUint32(b[0:], uint32(len(b)))
	binary.LittleEndian.PutUint16(b[4:], typ)
	binary.LittleEndian.PutUint16(b[6:], flags)
	binary.LittleEndian.PutUint32(b[8:], seq)
	b[16] = family
	return b
}

// receiveAll receives datagrams until NLMSG_DONE or NLMSG_ERROR, or
// until nothing is left, as NetlinkRIB does, and returns the messages.
func receiveAll(t *testing.T, tab *Table, id ID, ift *iftab.Table) []syscall.NetlinkMessage {
	t.Helper()
	var all []syscall.NetlinkMessage
	for range 100 {
		b, e := tab.Receive(id, ift)
		if e == linux.EAGAIN {
			return all
		}
		if e != 0 {
			t.Fatalf("Receive: %v", e)
		}
		if len(b) > DatagramSize {
			t.Fatalf("datagram of %d bytes", len(b))
		}
		msgs, err := syscall.ParseNetlinkMessage(slices.Clone(b))
		if err != nil {
			t.Fatalf("ParseNetlinkMessage: %v", err)
		}
		tab.Consume(id)
		all = append(all, msgs...)
	}
	t.Fatal("the dump never ended")
	return nil
}

// describe decodes msgs as package net does (interface_linux.go) and
// lists what it finds, one line per message.
func describe(t *testing.T, msgs []syscall.NetlinkMessage) string {
	t.Helper()
	var out []string
	for _, m := range msgs {
		switch m.Header.Type {
		case syscall.NLMSG_DONE:
			out = append(out, fmt.Sprintf("done seq=%d pid=%d", m.Header.Seq, m.Header.Pid))
		case syscall.NLMSG_ERROR:
			e := int32(binary.LittleEndian.Uint32(m.Data))
			out = append(out, fmt.Sprintf("error %d seq=%d flags=%#x", -e, m.Header.Seq, m.Header.Flags))
		case syscall.RTM_NEWLINK:
			ifim := (*syscall.IfInfomsg)(unsafe.Pointer(&m.Data[0]))
			attrs, err := syscall.ParseNetlinkRouteAttr(&m)
			if err != nil {
				t.Fatal(err)
			}
			s := fmt.Sprintf("link %d type=%d flags=%#x", ifim.Index, ifim.Type, ifim.Flags)
			for _, a := range attrs {
				switch a.Attr.Type {
				case syscall.IFLA_IFNAME:
					s += " name=" + string(a.Value[:len(a.Value)-1])
				case syscall.IFLA_MTU:
					s += fmt.Sprintf(" mtu=%d", binary.LittleEndian.Uint32(a.Value))
				case syscall.IFLA_ADDRESS:
					s += " hw=" + net.HardwareAddr(a.Value).String()
				}
			}
			out = append(out, s)
		case syscall.RTM_NEWADDR:
			ifam := (*syscall.IfAddrmsg)(unsafe.Pointer(&m.Data[0]))
			attrs, err := syscall.ParseNetlinkRouteAttr(&m)
			if err != nil {
				t.Fatal(err)
			}
			s := fmt.Sprintf("addr %d scope=%d", ifam.Index, ifam.Scope)
			for _, a := range attrs {
				switch a.Attr.Type {
				case syscall.IFA_LOCAL:
					s += fmt.Sprintf(" local=%v/%d", net.IP(a.Value), ifam.Prefixlen)
				case syscall.IFA_ADDRESS:
					s += fmt.Sprintf(" address=%v/%d", net.IP(a.Value), ifam.Prefixlen)
				case syscall.IFA_BROADCAST:
					s += fmt.Sprintf(" brd=%v", net.IP(a.Value))
				case syscall.IFA_LABEL:
					s += " label=" + string(a.Value[:len(a.Value)-1])
				}
			}
			out = append(out, s)
		default:
			out = append(out, fmt.Sprintf("type %d", m.Header.Type))
		}
	}
	return strings.Join(out, "\n")
}

func TestDumpLinks(t *testing.T) {
	ift := testTable(t)
	var tab Table
	id := tab.Open()
	if e := tab.Bind(id, 0, 0, 1); e != 0 {
		t.Fatal(e)
	}
	tab.Send(id, request(syscall.RTM_GETLINK, syscall.NLM_F_DUMP|syscall.NLM_F_REQUEST, 1, syscall.AF_UNSPEC), 1)
	got := describe(t, receiveAll(t, &tab, id, ift))
	want := `link 1 type=772 flags=0x10049 name=lo mtu=65536 hw=00:00:00:00:00:00
link 2 type=1 flags=0x11043 name=eth0 mtu=1500 hw=52:54:00:12:34:56
done seq=1 pid=1`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestDumpAddrs(t *testing.T) {
	ift := testTable(t)
	for _, c := range []struct {
		family byte
		want   string
	}{
		{syscall.AF_UNSPEC, `addr 1 scope=254 address=127.0.0.1/8 local=127.0.0.1/8 label=lo
addr 2 scope=0 address=10.0.2.15/24 local=10.0.2.15/24 brd=10.0.2.255 label=eth0
addr 1 scope=254 address=::1/128
addr 2 scope=253 address=fe80::5054:ff:fe12:3456/64
done seq=7 pid=1`},
		{syscall.AF_INET, `addr 1 scope=254 address=127.0.0.1/8 local=127.0.0.1/8 label=lo
addr 2 scope=0 address=10.0.2.15/24 local=10.0.2.15/24 brd=10.0.2.255 label=eth0
done seq=7 pid=1`},
		{syscall.AF_INET6, `addr 1 scope=254 address=::1/128
addr 2 scope=253 address=fe80::5054:ff:fe12:3456/64
done seq=7 pid=1`},
	} {
		var tab Table
		id := tab.Open()
		tab.Send(id, request(syscall.RTM_GETADDR, syscall.NLM_F_DUMP|syscall.NLM_F_REQUEST, 7, c.family), 1)
		if got := describe(t, receiveAll(t, &tab, id, ift)); got != c.want {
			t.Errorf("family %d: got\n%s\nwant\n%s", c.family, got, c.want)
		}
	}
}

// TestNetlinkRIB decodes the dumps exactly as package net's
// interfaceTable and addrTable do, through syscall's parsers.
func TestNetlinkRIB(t *testing.T) {
	ift := testTable(t)
	var tab Table
	id := tab.Open()
	tab.Bind(id, 0, 0, 1)
	tab.Send(id, request(syscall.RTM_GETADDR, syscall.NLM_F_DUMP|syscall.NLM_F_REQUEST, 1, syscall.AF_UNSPEC), 1)
	var got []string
	for _, m := range receiveAll(t, &tab, id, ift) {
		port, _ := tab.Name(id)
		if m.Header.Seq != 1 || m.Header.Pid != port {
			t.Fatalf("seq %d pid %d, want 1 and %d", m.Header.Seq, m.Header.Pid, port)
		}
		if m.Header.Type != syscall.RTM_NEWADDR {
			continue
		}
		ifam := (*syscall.IfAddrmsg)(unsafe.Pointer(&m.Data[0]))
		attrs, err := syscall.ParseNetlinkRouteAttr(&m)
		if err != nil {
			t.Fatal(err)
		}
		// package net's newAddr: IFA_LOCAL wins over IFA_ADDRESS.
		ptp := slices.ContainsFunc(attrs, func(a syscall.NetlinkRouteAttr) bool { return a.Attr.Type == syscall.IFA_LOCAL })
		for _, a := range attrs {
			if ptp && a.Attr.Type == syscall.IFA_ADDRESS {
				continue
			}
			n := &net.IPNet{IP: net.IP(slices.Clone(a.Value)), Mask: net.CIDRMask(int(ifam.Prefixlen), 8*len(a.Value))}
			got = append(got, n.String())
			break
		}
	}
	want := []string{"127.0.0.1/8", "10.0.2.15/24", "::1/128", "fe80::5054:ff:fe12:3456/64"}
	if !slices.Equal(got, want) {
		t.Errorf("addresses %v, want %v", got, want)
	}
}

func TestErrorsAndAcks(t *testing.T) {
	ift := testTable(t)
	var tab Table
	id := tab.Open()
	tab.Bind(id, 0, 0, 1)
	req := slices.Concat(
		request(syscall.RTM_GETROUTE, syscall.NLM_F_DUMP|syscall.NLM_F_REQUEST, 1, syscall.AF_INET), // not served
		[]byte{0, 0, 0}, // padding
		request(syscall.RTM_NEWADDR, syscall.NLM_F_REQUEST|syscall.NLM_F_ACK, 2, syscall.AF_INET), // a change
		[]byte{0, 0, 0}, //
		request(syscall.RTM_GETLINK, syscall.NLM_F_REQUEST, 3, syscall.AF_UNSPEC), // not a dump
		[]byte{0, 0, 0}, //
		request(syscall.NLMSG_NOOP, syscall.NLM_F_REQUEST|syscall.NLM_F_ACK, 4, 0), // acknowledged
		[]byte{0, 0, 0}, //
		request(syscall.NLMSG_NOOP, syscall.NLM_F_REQUEST, 5, 0), // ignored
		[]byte{0, 0, 0}, //
		request(0x200, syscall.NLM_F_REQUEST, 6, 0), // beyond RTM_MAX
	)
	tab.Send(id, req, 1)
	got := describe(t, receiveAll(t, &tab, id, ift))
	want := fmt.Sprintf(`error %d seq=1 flags=0x100
error %d seq=2 flags=0x100
error %d seq=3 flags=0x100
error 0 seq=4 flags=0x100
error %d seq=6 flags=0x100`, syscall.EOPNOTSUPP, syscall.EOPNOTSUPP, syscall.EOPNOTSUPP, syscall.EOPNOTSUPP)
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// The error echoes the request's header.
	tab.Send(id, request(syscall.RTM_DELLINK, syscall.NLM_F_REQUEST, 9, 0), 1)
	b, _ := tab.Receive(id, ift)
	msgs, _ := syscall.ParseNetlinkMessage(slices.Clone(b))
	echo := (*syscall.NlMsgerr)(unsafe.Pointer(&msgs[0].Data[0]))
	if echo.Msg.Type != syscall.RTM_DELLINK || echo.Msg.Seq != 9 || echo.Msg.Len != 17 {
		t.Errorf("echoed header %+v", echo.Msg)
	}
}

func TestMalformedIsDropped(t *testing.T) {
	ift := testTable(t)
	var tab Table
	id := tab.Open()
	r := request(syscall.RTM_GETLINK, syscall.NLM_F_DUMP|syscall.NLM_F_REQUEST, 1, 0)
	binary.LittleEndian.PutUint32(r, 40) // longer than what was sent
	tab.Send(id, r, 1)
	tab.Send(id, r[:10], 1)
	if tab.Readable(id) {
		t.Errorf("a malformed request got a reply: %s", describe(t, receiveAll(t, &tab, id, ift)))
	}
}

func TestOneDumpAtATime(t *testing.T) {
	ift := testTable(t)
	var tab Table
	id := tab.Open()
	tab.Send(id, request(syscall.RTM_GETLINK, syscall.NLM_F_DUMP|syscall.NLM_F_REQUEST, 1, 0), 1)
	tab.Send(id, request(syscall.RTM_GETADDR, syscall.NLM_F_DUMP|syscall.NLM_F_REQUEST, 2, 0), 1)
	got := describe(t, receiveAll(t, &tab, id, ift))
	if !strings.HasPrefix(got, "link 1 ") || !strings.Contains(got, "done seq=1 pid=1\n") || !strings.HasSuffix(got, fmt.Sprintf("error %d seq=2 flags=0x100", syscall.EBUSY)) {
		t.Errorf("got\n%s", got)
	}
}

func TestOverrun(t *testing.T) {
	ift := testTable(t)
	var tab Table
	id := tab.Open()
	for i := range QueueLen + 1 {
		tab.Send(id, request(syscall.NLMSG_NOOP, syscall.NLM_F_REQUEST|syscall.NLM_F_ACK, uint32(i), 0), 1)
	}
	if _, e := tab.Receive(id, ift); e != linux.ENOBUFS {
		t.Fatalf("Receive: %v, want ENOBUFS", e)
	}
	tab.Consume(id)
	if n := len(receiveAll(t, &tab, id, ift)); n != QueueLen {
		t.Errorf("%d acknowledgements after the overrun, want %d", n, QueueLen)
	}
}

func TestPeekThenConsume(t *testing.T) {
	ift := testTable(t)
	var tab Table
	id := tab.Open()
	tab.Send(id, request(syscall.RTM_GETLINK, syscall.NLM_F_DUMP|syscall.NLM_F_REQUEST, 1, 0), 1)
	a, _ := tab.Receive(id, ift)
	a = slices.Clone(a)
	b, _ := tab.Receive(id, ift) // a peek consumes nothing
	if !slices.Equal(a, b) {
		t.Fatal("two receives without Consume differ")
	}
	tab.Consume(id)
	c, _ := tab.Receive(id, ift)
	if msgs, _ := syscall.ParseNetlinkMessage(slices.Clone(c)); len(msgs) != 1 || msgs[0].Header.Type != syscall.NLMSG_DONE {
		t.Errorf("after the links: %s", describe(t, msgs))
	}
}

// TestSmallDatagrams splits a dump over datagrams too small for all of
// it: every item arrives once, in order, in whole messages.
func TestSmallDatagrams(t *testing.T) {
	ift := testTable(t)
	r := reply{kind: kindDump, req: Header{Type: linux.RTM_GETADDR, Seq: 3}}
	var buf [150]byte
	var got []syscall.NetlinkMessage
	for range 20 {
		n, next := fillDump(buf[:], &r, ift, 1)
		msgs, err := syscall.ParseNetlinkMessage(slices.Clone(buf[:n]))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, msgs...)
		if next < 0 {
			break
		}
		r.next = next
	}
	want := describe(t, func() []syscall.NetlinkMessage {
		var tab Table
		id := tab.Open()
		tab.Send(id, request(syscall.RTM_GETADDR, syscall.NLM_F_DUMP|syscall.NLM_F_REQUEST, 3, 0), 1)
		return receiveAll(t, &tab, id, ift)
	}())
	if g := describe(t, got); g != want {
		t.Errorf("in small datagrams\n%s\nwant\n%s", g, want)
	}
}

func TestPorts(t *testing.T) {
	var tab Table
	a, b, c := tab.Open(), tab.Open(), tab.Open()
	if e := tab.Bind(a, 0, 0, 1); e != 0 {
		t.Fatal(e)
	}
	if e := tab.Bind(b, 0, 5, 1); e != 0 {
		t.Fatal(e)
	}
	if p, _ := tab.Name(a); p != 1 {
		t.Errorf("first port %d, want the pid", p)
	}
	if p, g := tab.Name(b); p != 0xfffff000 || g != 5 {
		t.Errorf("second port %#x groups %d, want -4096 and 5", p, g)
	}
	if e := tab.Bind(c, 1, 0, 1); e != linux.EADDRINUSE {
		t.Errorf("bind to a used port: %v", e)
	}
	if e := tab.Bind(a, 7, 0, 1); e != linux.EINVAL {
		t.Errorf("rebind to another port: %v", e)
	}
	tab.Close(a)
	if e := tab.Bind(c, 0, 0, 1); e != 0 {
		t.Fatal(e)
	}
	if p, _ := tab.Name(c); p != 1 {
		t.Errorf("port after the first closed: %d, want 1", p)
	}
	for i := 0; tab.Open() != None; i++ {
		if i > MaxSockets {
			t.Fatal("Open never runs out")
		}
	}
}
