package qemu

import (
	"fmt"
	"strconv"
	"strings"
)

// NetMode is how the guest's NIC reaches the outside.
type NetMode string

const (
	// NetUser is QEMU's user networking (slirp): the guest is
	// 10.0.2.15 behind a NAT, DHCP and DNS at 10.0.2.2/10.0.2.3, and
	// Forwards expose guest ports on 127.0.0.1.
	NetUser NetMode = "user"
	// NetTap attaches the NIC to an existing tap device.
	NetTap NetMode = "tap"
	// NetNone gives the guest no NIC.
	NetNone NetMode = "none"
)

// Forward exposes a guest port on the host's loopback address.
type Forward struct {
	Proto     string // "tcp" or "udp"
	HostPort  int
	GuestPort int
}

// Network configures the guest's NIC. The zero value is no NIC.
type Network struct {
	Mode     NetMode
	Forwards []Forward // NetUser only
	Tap      string    // NetTap: the device name
}

// ParseForward parses -p HOST:GUEST[/tcp|/udp].
func ParseForward(s string) (Forward, error) {
	f := Forward{Proto: "tcp"}
	ports, proto, hasProto := strings.Cut(s, "/")
	if hasProto {
		if proto != "tcp" && proto != "udp" {
			return f, fmt.Errorf("-p %s: protocol %q: use tcp or udp", s, proto)
		}
		f.Proto = proto
	}
	host, guest, ok := strings.Cut(ports, ":")
	if !ok {
		return f, fmt.Errorf("-p %s: want HOST:GUEST, e.g. -p 8080:80", s)
	}
	var err error
	if f.HostPort, err = parsePort(host); err != nil {
		return f, fmt.Errorf("-p %s: host port: %w", s, err)
	}
	if f.GuestPort, err = parsePort(guest); err != nil {
		return f, fmt.Errorf("-p %s: guest port: %w", s, err)
	}
	return f, nil
}

func parsePort(s string) (int, error) {
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("%q is not a port number (1-65535)", s)
	}
	return p, nil
}

// Args returns the QEMU options for n on machine m, or why n is not
// valid.
func (n Network) Args(m Machine) ([]string, error) {
	var netdev string
	switch n.Mode {
	case "", NetNone:
		if len(n.Forwards) > 0 {
			return nil, fmt.Errorf("-p needs a network: it cannot be used with --net none")
		}
		return nil, nil
	case NetUser:
		netdev = "user,id=net0"
		for _, f := range n.Forwards {
			netdev += fmt.Sprintf(",hostfwd=%s:127.0.0.1:%d-:%d", f.Proto, f.HostPort, f.GuestPort)
		}
	case NetTap:
		if n.Tap == "" || strings.ContainsAny(n.Tap, ",=") {
			return nil, fmt.Errorf("--tap: %q is not a tap device name", n.Tap)
		}
		if len(n.Forwards) > 0 {
			return nil, fmt.Errorf("-p works with user networking only; with --tap the guest has its own address")
		}
		netdev = "tap,id=net0,ifname=" + n.Tap + ",script=no,downscript=no"
	default:
		return nil, fmt.Errorf("unknown network %q: use user, tap or none", n.Mode)
	}
	// No option ROM: SeaBIOS would otherwise load iPXE from it.
	device := "virtio-net-pci,netdev=net0,romfile="
	if m == Microvm {
		device = "virtio-net-device,netdev=net0"
	}
	return []string{"-netdev", netdev, "-device", device}, nil
}
