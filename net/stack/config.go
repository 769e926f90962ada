package stack

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/coracle-os/coracle/kernel/abi/cmdline"
)

// Config is the network configuration of a Stack: what the kernel command
// line asked for (ParseConfig) or, from (*Stack).Config, what is in effect
// after a DHCP lease was applied.
type Config struct {
	// Addrs are the interface's static addresses, IPv4 or IPv6, each with
	// its prefix length; the host bits are kept (10.0.2.15/24). Without an
	// IPv4 one, the IPv4 address comes from DHCP.
	Addrs []netip.Prefix

	// Gateways are the default routers: at most one IPv4 and one IPv6,
	// each of a family that Addrs has.
	Gateways []netip.Addr

	// DNS lists the name servers, in order of preference. Given on the
	// command line, they replace the ones a DHCP lease offers.
	DNS []netip.Addr

	// Search lists the domains searched for unqualified names
	// (resolv.conf "search"). Given on the command line, they replace the
	// domain a DHCP lease offers.
	Search []string

	// Hostname is the machine's name. Given on the command line, it
	// replaces the one a DHCP lease offers and is sent to the DHCP server.
	Hostname string

	// NoRACK turns off TCP's RACK-TLP loss detection (RFC 8985: losses
	// found by time, and a tail-loss probe sent when no ACK comes within
	// two round trips), which is on by default, as in Linux. Without it
	// the stack recovers by SACK and the retransmission timer (RFC 6675,
	// RFC 6298) alone. Under load the netstack's goroutines read an ACK
	// late, after the probe timer has fired, so new connections send
	// probes nobody needs: turning it off saved 5-30% of the CPU per
	// request with 64 clients on new connections on a clean network (two
	// runs), while bulk transfers that lose 1% of their frames took three
	// times as long without it (docs/network.md, "Loss recovery").
	NoRACK bool

	// Loss is the share of frames, in per cent, that the link drops at
	// random in each direction, independently of each other (0, the
	// default: none). It is for trying a program, and TCP's recovery,
	// on a lossy network where the host offers no way to make one
	// (docs/network.md, "Losing frames on purpose").
	Loss float64
}

// DHCP reports whether the IPv4 address is to be obtained by DHCP: no
// static IPv4 address was given.
func (c Config) DHCP() bool {
	for _, p := range c.Addrs {
		if p.Addr().Is4() {
			return false
		}
	}
	return true
}

// String renders c as the command-line words ParseConfig reads back.
func (c Config) String() string {
	var words []string
	if len(c.Addrs) == 0 {
		words = append(words, "ip=dhcp")
	} else {
		words = append(words, "ip="+join(c.Addrs))
	}
	if len(c.Gateways) > 0 {
		words = append(words, "gw="+join(c.Gateways))
	}
	if len(c.DNS) > 0 {
		words = append(words, "dns="+join(c.DNS))
	}
	if len(c.Search) > 0 {
		words = append(words, "search="+strings.Join(c.Search, ","))
	}
	if c.Hostname != "" {
		words = append(words, "hostname="+c.Hostname)
	}
	if c.NoRACK {
		words = append(words, "tcp_rack=off")
	}
	if c.Loss > 0 {
		words = append(words, "net_loss="+strconv.FormatFloat(c.Loss, 'g', -1, 64))
	}
	return strings.Join(words, " ")
}

func join[T fmt.Stringer](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = x.String()
	}
	return strings.Join(s, ",")
}

// Forms of the words ParseConfig reads, quoted in its errors.
const (
	ipForm       = "ip=ADDR/PREFIX[,ADDR/PREFIX...], ip=dhcp, or Linux's ip=CLIENT:SERVER:GW:NETMASK:HOSTNAME:DEV:AUTOCONF[:DNS0[:DNS1]]"
	gwForm       = "gw=ADDR[,ADDR] (one IPv4 and/or one IPv6 router)"
	dnsForm      = "dns=ADDR[,ADDR...]"
	searchForm   = "search=DOMAIN[,DOMAIN...]"
	hostnameForm = "hostname=NAME (letters, digits, '-' and '.'; labels of at most 63 bytes, 253 in all)"
	rackForm     = "tcp_rack=on or tcp_rack=off"
	lossForm     = "net_loss=PERCENT, from 0 to 100 (net_loss=1.5 drops 1.5% of the frames each way)"
)

// ParseConfig reads the network words of a kernel command line. Words are
// separated by spaces; words it does not know are ignored.
//
//	ip=ADDR/PREFIX[,ADDR/PREFIX...]  static addresses, IPv4 or IPv6; the word
//	                                 may also be repeated (the lists add up)
//	ip=dhcp                          DHCP for IPv4 (also: ip=on, ip=any); the
//	                                 same as giving no ip= at all
//	ip=CLIENT:SERVER:GW:NETMASK:HOSTNAME:DEV:AUTOCONF[:DNS0[:DNS1[:NTP]]]
//	                                 Linux's nfsroot form (what Firecracker's
//	                                 guides put on the command line): CLIENT
//	                                 with NETMASK (dotted or a prefix length,
//	                                 classful when empty), GW, HOSTNAME, DNS0
//	                                 and DNS1 are used; SERVER, DEV, AUTOCONF
//	                                 and NTP are ignored; an empty CLIENT
//	                                 means DHCP
//	gw=ADDR[,ADDR]                   default routers, one per family; the
//	                                 family needs a static address
//	dns=ADDR[,ADDR...]               name servers (repeatable)
//	search=DOMAIN[,DOMAIN...]        resolv.conf search domains (repeatable)
//	hostname=NAME                    the host name (the last one wins)
//	tcp_rack=on|off                  TCP's RACK-TLP loss detection (on by
//	                                 default; the last one wins)
//	net_loss=PERCENT                 drop that share of frames at random,
//	                                 each way (0 to 100, a trailing %
//	                                 allowed; the last one wins)
//
// Without a static IPv4 address the configuration asks for DHCP
// (Config.DHCP); dns=, search= and hostname= then override what the lease
// offers. Static IPv6 addresses may go with DHCP for IPv4.
// Addresses carry no IPv6 zone and no IPv4-mapped IPv6 form.
func ParseConfig(line string) (Config, error) {
	var c Config
	sc := cmdline.NewScanner(line)
	for {
		w, ok := sc.Next()
		if !ok {
			break
		}
		var err error
		switch w.Key {
		case "ip":
			err = c.parseIP(w)
		case "gw":
			err = parseList(w, gwForm, func(s string) error {
				a, err := parseHostAddr(s)
				if err == nil {
					c.Gateways = append(c.Gateways, a)
				}
				return err
			})
		case "dns":
			err = parseList(w, dnsForm, func(s string) error {
				a, err := parseHostAddr(s)
				if err == nil {
					c.DNS = append(c.DNS, a)
				}
				return err
			})
		case "search":
			err = parseList(w, searchForm, func(s string) error {
				d, err := parseDomain(s)
				if err == nil {
					c.Search = append(c.Search, d)
				}
				return err
			})
		case "hostname":
			if !w.HasValue || w.Value == "" {
				err = wordError(w, hostnameForm, errors.New("empty value"))
				break
			}
			var h string
			if h, err = parseDomain(w.Value); err != nil {
				err = wordError(w, hostnameForm, err)
				break
			}
			c.Hostname = h
		case "tcp_rack":
			switch {
			case w.HasValue && w.Value == "on":
				c.NoRACK = false
			case w.HasValue && w.Value == "off":
				c.NoRACK = true
			default:
				err = wordError(w, rackForm, errors.New("neither on nor off"))
			}
		case "net_loss":
			c.Loss, err = parseLoss(w)
		default:
			continue
		}
		if err != nil {
			return Config{}, err
		}
	}
	if err := c.validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// wordError names the offending word and the form it should have.
func wordError(w cmdline.Word, form string, err error) error {
	word := w.Key
	if w.HasValue {
		word += "=" + w.Value
	}
	return fmt.Errorf("net: bad command-line word %q: %v; want %s", word, err, form)
}

// parseList calls f on each comma-separated element of w's value.
func parseList(w cmdline.Word, form string, f func(string) error) error {
	if !w.HasValue || w.Value == "" {
		return wordError(w, form, errors.New("empty value"))
	}
	for _, s := range strings.Split(w.Value, ",") {
		if s == "" {
			return wordError(w, form, errors.New("empty list element"))
		}
		if err := f(s); err != nil {
			return wordError(w, form, err)
		}
	}
	return nil
}

func (c *Config) parseIP(w cmdline.Word) error {
	v := w.Value
	switch {
	case !w.HasValue || v == "":
		return wordError(w, ipForm, errors.New("empty value"))
	case v == "dhcp" || v == "on" || v == "any":
		return nil
	case v == "off" || v == "none":
		return wordError(w, ipForm, errors.New("turning the network off is not supported; omit the network device instead"))
	case !strings.ContainsAny(v, "/,") && strings.Contains(v, ":"):
		if err := c.parseLinuxIP(v); err != nil {
			return wordError(w, ipForm, err)
		}
		return nil
	}
	return parseList(w, ipForm, func(s string) error {
		p, err := parseIfacePrefix(s)
		if err == nil {
			c.Addrs = append(c.Addrs, p)
		}
		return err
	})
}

// parseLinuxIP reads Linux's ip= form (Documentation/admin-guide/nfs/
// nfsroot.rst): client-ip:server-ip:gw-ip:netmask:hostname:device:autoconf:
// dns0-ip:dns1-ip:ntp0-ip, every field optional.
func (c *Config) parseLinuxIP(v string) error {
	f := strings.Split(v, ":")
	if len(f) > 10 {
		return fmt.Errorf("%d fields, at most 10", len(f))
	}
	f = append(f, make([]string, 10-len(f))...)
	client, gw, mask, host, dns0, dns1 := f[0], f[2], f[3], f[4], f[7], f[8]
	if client == "" {
		if gw != "" || mask != "" {
			return errors.New("a gateway or netmask without a client address")
		}
	} else {
		a, err := netip.ParseAddr(client)
		if err != nil || !a.Is4() {
			return fmt.Errorf("client address %q is not IPv4 (the colon form is IPv4 only; use ADDR/PREFIX for IPv6)", client)
		}
		bits := classfulBits(a)
		if mask != "" {
			if bits, err = parseMask(mask); err != nil {
				return err
			}
		}
		p, err := parseIfacePrefix(netip.PrefixFrom(a, bits).String())
		if err != nil {
			return err
		}
		c.Addrs = append(c.Addrs, p)
	}
	for i, s := range []string{gw, dns0, dns1} {
		if s == "" {
			continue
		}
		a, err := parseHostAddr(s)
		if err != nil {
			return err
		}
		if i == 0 {
			c.Gateways = append(c.Gateways, a)
		} else {
			c.DNS = append(c.DNS, a)
		}
	}
	if host != "" {
		h, err := parseDomain(host)
		if err != nil {
			return err
		}
		c.Hostname = h
	}
	return nil
}

// parseMask reads a netmask, dotted (255.255.255.0) or a prefix length (24).
func parseMask(s string) (int, error) {
	if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
		b := a.As4()
		m := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		ones := 0
		for m&(1<<31) != 0 {
			m <<= 1
			ones++
		}
		if m != 0 {
			return 0, fmt.Errorf("netmask %s is not contiguous", s)
		}
		return ones, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 32 {
		return 0, fmt.Errorf("netmask %q is neither dotted nor a length 0-32", s)
	}
	return n, nil
}

// classfulBits is the pre-CIDR mask of a (RFC 791 classes A, B, C), what
// Linux assumes for an address given without a mask.
func classfulBits(a netip.Addr) int {
	switch b := a.As4()[0]; {
	case b < 128:
		return 8
	case b < 192:
		return 16
	default:
		return 24
	}
}

// parseIfacePrefix reads an interface address with its prefix length.
func parseIfacePrefix(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		return netip.Prefix{}, fmt.Errorf("%q has no /PREFIX length (e.g. %s/24 or %s/64)", s, s, s)
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if err := checkHostAddr(p.Addr()); err != nil {
		return netip.Prefix{}, err
	}
	return p, nil
}

// parseHostAddr reads a unicast address: a router or a name server.
func parseHostAddr(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, err
	}
	return a, checkHostAddr(a)
}

func checkHostAddr(a netip.Addr) error {
	switch {
	case a.Zone() != "":
		return fmt.Errorf("%s: IPv6 zones are not supported", a)
	case a.Is4In6():
		return fmt.Errorf("%s: use the IPv4 form %s", a, a.Unmap())
	case a.IsUnspecified():
		return fmt.Errorf("%s is the unspecified address", a)
	case a.IsMulticast() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return fmt.Errorf("%s is not a unicast address", a)
	}
	return nil
}

// parseDomain checks a host or domain name (RFC 1123 §2.1) and drops a
// trailing dot.
func parseDomain(s string) (string, error) {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return "", fmt.Errorf("name of %d bytes, want 1-253", len(s))
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return "", fmt.Errorf("label %q of %d bytes, want 1-63", label, len(label))
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return "", fmt.Errorf("label %q starts or ends with '-'", label)
		}
		for i := 0; i < len(label); i++ {
			ch := label[i]
			if !('a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || ch == '-') {
				return "", fmt.Errorf("byte %q not allowed in a name", ch)
			}
		}
	}
	return s, nil
}

// validate checks what single words cannot: gateways against addresses.
func (c *Config) validate() error {
	var have4, have6, gw4, gw6 bool
	for _, p := range c.Addrs {
		if p.Addr().Is4() {
			have4 = true
		} else {
			have6 = true
		}
	}
	for _, g := range c.Gateways {
		fam, have, seen := "IPv4", have4, &gw4
		if g.Is6() {
			fam, have, seen = "IPv6", have6, &gw6
		}
		if *seen {
			return fmt.Errorf("net: two %s gateways on the command line; want %s", fam, gwForm)
		}
		*seen = true
		if !have {
			if fam == "IPv4" && c.DHCP() {
				return fmt.Errorf("net: gw=%s without ip=: with DHCP the router comes from the lease; give ip=ADDR/PREFIX too", g)
			}
			return fmt.Errorf("net: gw=%s but no %s address in ip=", g, fam)
		}
	}
	seen := map[netip.Addr]bool{}
	for _, p := range c.Addrs {
		if seen[p.Addr()] {
			return fmt.Errorf("net: address %s given twice in ip=", p.Addr())
		}
		seen[p.Addr()] = true
	}
	return nil
}

// parseLoss reads net_loss=PERCENT.
func parseLoss(w cmdline.Word) (float64, error) {
	if !w.HasValue || w.Value == "" {
		return 0, wordError(w, lossForm, errors.New("empty value"))
	}
	p, err := strconv.ParseFloat(strings.TrimSuffix(w.Value, "%"), 64)
	switch {
	case err != nil:
		return 0, wordError(w, lossForm, errors.New("not a number"))
	case !(p >= 0 && p <= 100): // NaN fails both
		return 0, wordError(w, lossForm, errors.New("outside 0 to 100"))
	}
	return p, nil
}
