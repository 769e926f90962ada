package stack

import (
	"bytes"
	"fmt"
	"strings"
)

// ResolvConf renders /etc/resolv.conf (resolv.conf(5)) for c: a
// "nameserver" line per DNS server, in order, and a "search" line when c
// has search domains. Go's resolver, like glibc's, uses the first three
// name servers; all are listed.
func ResolvConf(c Config) []byte {
	var b bytes.Buffer
	b.WriteString("# coracle: from the kernel command line or the DHCP lease\n")
	if len(c.DNS) == 0 {
		b.WriteString("# no name servers configured\n")
	}
	for _, a := range c.DNS {
		fmt.Fprintf(&b, "nameserver %s\n", a)
	}
	if len(c.Search) > 0 {
		fmt.Fprintf(&b, "search %s\n", strings.Join(c.Search, " "))
	}
	return b.Bytes()
}

// Hosts renders /etc/hosts (hosts(5)) for c: localhost on both loopback
// addresses and, when c has a host name, a line per interface address
// naming it (its first label too, if it has dots). A host name without
// addresses (DHCP still pending) maps to 127.0.1.1, as on Debian, so that
// the machine can always resolve its own name.
func Hosts(c Config) []byte {
	var b bytes.Buffer
	b.WriteString("# coracle: from the kernel command line or the DHCP lease\n")
	b.WriteString("127.0.0.1\tlocalhost\n")
	b.WriteString("::1\tlocalhost ip6-localhost ip6-loopback\n")
	if c.Hostname == "" {
		return b.Bytes()
	}
	names := c.Hostname
	if short, _, ok := strings.Cut(c.Hostname, "."); ok {
		names += " " + short
	}
	if len(c.Addrs) == 0 {
		fmt.Fprintf(&b, "127.0.1.1\t%s\n", names)
	}
	for _, p := range c.Addrs {
		fmt.Fprintf(&b, "%s\t%s\n", p.Addr(), names)
	}
	return b.Bytes()
}

// ResolvConf renders /etc/resolv.conf for the configuration in effect.
func (s *Stack) ResolvConf() []byte { return ResolvConf(s.Config()) }

// Hosts renders /etc/hosts for the configuration in effect.
func (s *Stack) Hosts() []byte { return Hosts(s.Config()) }
