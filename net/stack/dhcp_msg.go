package stack

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// DHCP message layout, RFC 2131 §2 Figure 1: a BOOTP header of fixed
// fields, then the magic cookie and the options (RFC 2132).
const (
	dhcpOffOp     = 0   // op: 1 BOOTREQUEST, 2 BOOTREPLY
	dhcpOffHType  = 1   // htype: hardware address type, 1 = Ethernet
	dhcpOffHLen   = 2   // hlen: hardware address length, 6 for Ethernet
	dhcpOffHops   = 3   // hops: relay agents
	dhcpOffXID    = 4   // xid: transaction ID
	dhcpOffSecs   = 8   // secs: seconds since the client began
	dhcpOffFlags  = 10  // flags: bit 15 = BROADCAST
	dhcpOffCIAddr = 12  // ciaddr: client address (renewing)
	dhcpOffYIAddr = 16  // yiaddr: "your" address, offered by the server
	dhcpOffSIAddr = 20  // siaddr: next server (boot)
	dhcpOffGIAddr = 24  // giaddr: relay agent
	dhcpOffCHAddr = 28  // chaddr: client hardware address, 16 bytes
	dhcpOffSName  = 44  // sname: server host name, 64 bytes
	dhcpOffFile   = 108 // file: boot file name, 128 bytes
	dhcpOffCookie = 236 // magic cookie 99.130.83.99 (RFC 2131 §3)
	dhcpOffOpts   = 240 // options

	dhcpFlagBroadcast = 1 << 15

	// dhcpMinLen pads requests to BOOTP's 300 bytes (RFC 1542 §3.2.2):
	// some relays and old servers drop shorter ones.
	dhcpMinLen = 300

	bootRequest = 1
	bootReply   = 2
	htypeEther  = 1
)

var dhcpCookie = [4]byte{99, 130, 83, 99}

// DHCP options used here (RFC 2132 section numbers).
const (
	optPad          = 0   // §3.1
	optSubnetMask   = 1   // §3.3
	optRouter       = 3   // §3.5
	optDNS          = 6   // §3.8
	optHostname     = 12  // §3.14
	optDomainName   = 15  // §3.17
	optRequestedIP  = 50  // §9.1
	optLeaseTime    = 51  // §9.2
	optOverload     = 52  // §9.3: 1 = file, 2 = sname, 3 = both hold options
	optMessageType  = 53  // §9.6
	optServerID     = 54  // §9.7
	optParamRequest = 55  // §9.8
	optMessage      = 56  // §9.9
	optMaxMsgSize   = 57  // §9.10
	optRenewalT1    = 58  // §9.11
	optRebindingT2  = 59  // §9.12
	optClientID     = 61  // §9.14
	optEnd          = 255 // §3.2
)

// DHCP message types, option 53 (RFC 2132 §9.6).
const (
	dhcpDiscover = 1
	dhcpOffer    = 2
	dhcpRequest  = 3
	dhcpDecline  = 4
	dhcpAck      = 5
	dhcpNak      = 6
	dhcpRelease  = 7
)

var dhcpTypeNames = [...]string{"", "DHCPDISCOVER", "DHCPOFFER", "DHCPREQUEST", "DHCPDECLINE", "DHCPACK", "DHCPNAK", "DHCPRELEASE", "DHCPINFORM"}

func dhcpTypeName(t byte) string {
	if int(t) < len(dhcpTypeNames) && t != 0 {
		return dhcpTypeNames[t]
	}
	return fmt.Sprintf("DHCP type %d", t)
}

// dhcpOption is one option: code and value. A long value is split into
// several options of the same code when encoded, and such options are
// concatenated when decoded (RFC 3396).
type dhcpOption struct {
	code byte
	data []byte
}

// dhcpMsg is a decoded DHCP message. Addresses are IPv4; an all-zero
// address decodes as 0.0.0.0 (valid), and an invalid netip.Addr encodes as
// 0.0.0.0. sname and file are not kept except as option space.
type dhcpMsg struct {
	op     byte
	xid    uint32
	secs   uint16
	flags  uint16
	ciaddr netip.Addr
	yiaddr netip.Addr
	siaddr netip.Addr
	giaddr netip.Addr
	chaddr [6]byte // Ethernet only (htype 1, hlen 6)
	opts   []dhcpOption
}

// encode lays m out per RFC 2131 Figure 1. Options are written in order,
// then END, then zero padding up to dhcpMinLen.
func (m *dhcpMsg) encode() []byte {
	b := make([]byte, dhcpOffOpts, dhcpMinLen)
	b[dhcpOffOp] = m.op
	b[dhcpOffHType] = htypeEther
	b[dhcpOffHLen] = 6
	binary.BigEndian.PutUint32(b[dhcpOffXID:], m.xid)
	binary.BigEndian.PutUint16(b[dhcpOffSecs:], m.secs)
	binary.BigEndian.PutUint16(b[dhcpOffFlags:], m.flags)
	putAddr4(b[dhcpOffCIAddr:], m.ciaddr)
	putAddr4(b[dhcpOffYIAddr:], m.yiaddr)
	putAddr4(b[dhcpOffSIAddr:], m.siaddr)
	putAddr4(b[dhcpOffGIAddr:], m.giaddr)
	copy(b[dhcpOffCHAddr:], m.chaddr[:])
	copy(b[dhcpOffCookie:], dhcpCookie[:])
	for _, o := range m.opts {
		d := o.data
		for first := true; first || len(d) > 0; first = false {
			n := min(len(d), 255)
			b = append(b, o.code, byte(n))
			b = append(b, d[:n]...)
			d = d[n:]
		}
	}
	b = append(b, optEnd)
	for len(b) < dhcpMinLen {
		b = append(b, optPad)
	}
	return b
}

func putAddr4(b []byte, a netip.Addr) {
	if a.Is4() {
		v := a.As4()
		copy(b, v[:])
	}
}

func addr4(b []byte) netip.Addr { return netip.AddrFrom4([4]byte(b[:4])) }

var errNotDHCP = errors.New("not a DHCP message")

// decodeDHCP parses a DHCP message of either direction. It checks the
// fixed header, the cookie and the option framing, follows option overload
// into file and sname (RFC 2132 §9.3), and joins repeated options (RFC
// 3396). Messages whose htype/hlen are not Ethernet are rejected.
func decodeDHCP(b []byte) (*dhcpMsg, error) {
	if len(b) < dhcpOffOpts {
		return nil, fmt.Errorf("%w: %d bytes, want at least %d", errNotDHCP, len(b), dhcpOffOpts)
	}
	if [4]byte(b[dhcpOffCookie:dhcpOffOpts]) != dhcpCookie {
		return nil, fmt.Errorf("%w: bad magic cookie % x", errNotDHCP, b[dhcpOffCookie:dhcpOffOpts])
	}
	if op := b[dhcpOffOp]; op != bootRequest && op != bootReply {
		return nil, fmt.Errorf("%w: op %d", errNotDHCP, op)
	}
	if b[dhcpOffHType] != htypeEther || b[dhcpOffHLen] != 6 {
		return nil, fmt.Errorf("DHCP hardware type %d length %d, want Ethernet (1, 6)", b[dhcpOffHType], b[dhcpOffHLen])
	}
	m := &dhcpMsg{
		op:     b[dhcpOffOp],
		xid:    binary.BigEndian.Uint32(b[dhcpOffXID:]),
		secs:   binary.BigEndian.Uint16(b[dhcpOffSecs:]),
		flags:  binary.BigEndian.Uint16(b[dhcpOffFlags:]),
		ciaddr: addr4(b[dhcpOffCIAddr:]),
		yiaddr: addr4(b[dhcpOffYIAddr:]),
		siaddr: addr4(b[dhcpOffSIAddr:]),
		giaddr: addr4(b[dhcpOffGIAddr:]),
		chaddr: [6]byte(b[dhcpOffCHAddr:]),
	}
	if err := m.parseOptions(b[dhcpOffOpts:], "options"); err != nil {
		return nil, err
	}
	if ov := m.option(optOverload); len(ov) == 1 {
		if ov[0]&1 != 0 {
			if err := m.parseOptions(b[dhcpOffFile:dhcpOffCookie], "file"); err != nil {
				return nil, err
			}
		}
		if ov[0]&2 != 0 {
			if err := m.parseOptions(b[dhcpOffSName:dhcpOffFile], "sname"); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

// parseOptions appends the options of field b to m.opts, joining a code
// seen before with its earlier value.
func (m *dhcpMsg) parseOptions(b []byte, field string) error {
	for i := 0; i < len(b); {
		code := b[i]
		switch code {
		case optPad:
			i++
			continue
		case optEnd:
			return nil
		}
		if i+1 >= len(b) || i+2+int(b[i+1]) > len(b) {
			return fmt.Errorf("DHCP option %d overruns the %s field at byte %d", code, field, i)
		}
		data := b[i+2 : i+2+int(b[i+1])]
		i += 2 + len(data)
		if j := m.optionIndex(code); j >= 0 {
			m.opts[j].data = append(m.opts[j].data, data...)
			continue
		}
		m.opts = append(m.opts, dhcpOption{code, append([]byte(nil), data...)})
	}
	// RFC 2131 §3: the options end with END; accept its absence, as
	// dnsmasq and ISC dhclient do, when the field simply runs out.
	return nil
}

func (m *dhcpMsg) optionIndex(code byte) int {
	for i, o := range m.opts {
		if o.code == code {
			return i
		}
	}
	return -1
}

// option returns the value of option code, or nil.
func (m *dhcpMsg) option(code byte) []byte {
	if i := m.optionIndex(code); i >= 0 {
		return m.opts[i].data
	}
	return nil
}

// msgType is option 53, or 0 when absent or malformed.
func (m *dhcpMsg) msgType() byte {
	if v := m.option(optMessageType); len(v) == 1 {
		return v[0]
	}
	return 0
}

// addrOption reads an option holding one IPv4 address.
func (m *dhcpMsg) addrOption(code byte) (netip.Addr, bool) {
	v := m.option(code)
	if len(v) != 4 {
		return netip.Addr{}, false
	}
	return addr4(v), true
}

// addrsOption reads an option holding a list of IPv4 addresses.
func (m *dhcpMsg) addrsOption(code byte) []netip.Addr {
	v := m.option(code)
	if len(v) == 0 || len(v)%4 != 0 {
		return nil
	}
	var as []netip.Addr
	for ; len(v) > 0; v = v[4:] {
		as = append(as, addr4(v))
	}
	return as
}

// u32Option reads an option holding a 32-bit number.
func (m *dhcpMsg) u32Option(code byte) (uint32, bool) {
	v := m.option(code)
	if len(v) != 4 {
		return 0, false
	}
	return binary.BigEndian.Uint32(v), true
}

func addrOpt(code byte, a netip.Addr) dhcpOption {
	v := a.As4()
	return dhcpOption{code, v[:]}
}

func u32Opt(code byte, v uint32) dhcpOption {
	return dhcpOption{code, binary.BigEndian.AppendUint32(nil, v)}
}
