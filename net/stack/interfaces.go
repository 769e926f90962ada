package stack

import (
	"net/netip"
	"slices"

	"github.com/coracle-os/coracle/kernel/abi/iftab"
	"github.com/coracle-os/coracle/kernel/abi/linux"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	gstack "gvisor.dev/gvisor/pkg/tcpip/stack"
)

// Interfaces describes the stack's NICs as Linux's rtnetlink would: lo
// (index 1, loopback, MTU 65536, a zero hardware address) and eth0
// (index 2, Ethernet, broadcast and multicast), with each address's
// prefix length and scope (host for loopback addresses, link for IPv6
// link-local ones). The kernel serves it to NETLINK_ROUTE sockets
// (devcall.SetInterfaces); addresses past iftab's limits are left out.
func (s *Stack) Interfaces() *iftab.Table {
	info := s.ns.NICInfo()
	ids := make([]int, 0, len(info))
	for id := range info {
		ids = append(ids, int(id))
	}
	slices.Sort(ids)
	var t iftab.Table
	for _, id := range ids {
		ni := info[tcpip.NICID(id)]
		f := t.Add(uint32(id), ni.Name)
		if f == nil {
			break
		}
		describeNIC(f, &ni)
	}
	return &t
}

func describeNIC(f *iftab.Interface, ni *gstack.NICInfo) {
	f.MTU = ni.MTU
	if ni.Flags.Up {
		f.Flags |= linux.IFF_UP
	}
	if ni.Flags.Running {
		f.Flags |= linux.IFF_RUNNING | linux.IFF_LOWER_UP
	}
	if ni.Flags.Loopback {
		f.Flags |= linux.IFF_LOOPBACK
		f.Type = linux.ARPHRD_LOOPBACK
		f.SetHWAddr(make([]byte, 6)) // Linux's lo has an all-zero Ethernet-sized address
	} else {
		f.Flags |= linux.IFF_BROADCAST | linux.IFF_MULTICAST
		f.Type = uint16(ni.ARPHardwareType)
		if ni.ARPHardwareType == header.ARPHardwareNone {
			f.Type = linux.ARPHRD_ETHER
		}
		f.SetHWAddr([]byte(ni.LinkAddress))
	}
	addrs := slices.Clone(ni.ProtocolAddresses)
	// IPv4 before IPv6, each in the order they were added, as Linux lists them.
	slices.SortStableFunc(addrs, func(a, b tcpip.ProtocolAddress) int {
		return int(a.Protocol) - int(b.Protocol)
	})
	for _, pa := range addrs {
		ip := fromTCPIP(pa.AddressWithPrefix.Address)
		var scope uint8
		switch {
		case ip.IsLoopback():
			scope = linux.RT_SCOPE_HOST
		case ip.Is6() && ip.IsLinkLocalUnicast():
			scope = linux.RT_SCOPE_LINK
		}
		f.AddAddr(ipBytes(ip), pa.AddressWithPrefix.PrefixLen, linux.IFA_F_PERMANENT, scope)
	}
}

func ipBytes(a netip.Addr) []byte {
	if a.Is4() {
		b := a.As4()
		return b[:]
	}
	b := a.As16()
	return b[:]
}
