// Package iftab is the interface table the network service publishes to
// the kernel (devcall.SetInterfaces) and the kernel serves to NETLINK_ROUTE
// sockets (kernel/netlink): for each network interface its index, name,
// flags, MTU, hardware address and addresses, as `ip address` shows them
// on Linux. It is plain fixed-size data, copied whole across the
// boundary, so that the kernel keeps it without allocating.
//
// Trap context: all; plain data and allocation-free accessors.
package iftab

// Limits of the table. The network service has the loopback interface
// and at most one NIC; the room left is for what a program may later
// configure.
const (
	MaxInterfaces = 4
	MaxAddrs      = 8  // addresses per interface
	NameSize      = 16 // IFNAMSIZ, with the terminating NUL
	HWAddrSize    = 8  // hardware address bytes kept (Ethernet needs 6)
)

// Addr is one address of an interface.
type Addr struct {
	Family    uint8 // linux.AF_INET or linux.AF_INET6
	PrefixLen uint8
	Flags     uint8 // ifaddrmsg.ifa_flags (linux.IFA_F_*)
	Scope     uint8 // ifaddrmsg.ifa_scope (linux.RT_SCOPE_*)
	IP        [16]byte
}

// IPLen is the number of bytes of a.IP in use: 4 or 16.
func (a *Addr) IPLen() int {
	if a.Family == afInet {
		return 4
	}
	return 16
}

// Interface is one network interface.
type Interface struct {
	Index  uint32
	Flags  uint32 // ifinfomsg.ifi_flags (linux.IFF_*)
	MTU    uint32
	Type   uint16 // ifinfomsg.ifi_type (linux.ARPHRD_*)
	HWLen  uint8
	NAddrs uint8
	Name   [NameSize]byte // NUL-terminated
	HWAddr [HWAddrSize]byte
	Addrs  [MaxAddrs]Addr
}

// NameLen is the length of the name, without its NUL.
func (i *Interface) NameLen() int {
	for n, c := range i.Name {
		if c == 0 {
			return n
		}
	}
	return NameSize
}

// Table is the whole interface table, in index order.
type Table struct {
	N          uint32
	Interfaces [MaxInterfaces]Interface
}

// Valid reports whether t is well formed: counts within the limits,
// names NUL-terminated, address families and prefix lengths sensible.
// The kernel refuses a table that is not.
func (t *Table) Valid() bool {
	if t.N > MaxInterfaces {
		return false
	}
	for i := range t.N {
		f := &t.Interfaces[i]
		if f.NAddrs > MaxAddrs || f.HWLen > HWAddrSize || f.NameLen() == NameSize || f.Index == 0 {
			return false
		}
		for j := range f.NAddrs {
			a := &f.Addrs[j]
			if a.Family != afInet && a.Family != afInet6 || int(a.PrefixLen) > 8*a.IPLen() {
				return false
			}
		}
	}
	return true
}

// The address families, as linux.AF_INET and linux.AF_INET6.
const (
	afInet  = 2
	afInet6 = 10
)

// Add appends an interface named name to t and returns it, or nil when
// the table is full or the name too long. For the goroutine side.
func (t *Table) Add(index uint32, name string) *Interface {
	if t.N == MaxInterfaces || len(name) >= NameSize {
		return nil
	}
	f := &t.Interfaces[t.N]
	t.N++
	*f = Interface{Index: index}
	copy(f.Name[:], name)
	return f
}

// AddAddr appends the address ip (4 or 16 bytes) with prefix length
// bits to f, with ifaddrmsg's flags and scope, and reports false when f
// has no room left or ip is neither. For the goroutine side.
func (f *Interface) AddAddr(ip []byte, bits int, flags, scope uint8) bool {
	if int(f.NAddrs) == MaxAddrs || len(ip) != 4 && len(ip) != 16 || bits < 0 || bits > 8*len(ip) {
		return false
	}
	a := &f.Addrs[f.NAddrs]
	f.NAddrs++
	*a = Addr{Family: afInet6, PrefixLen: uint8(bits), Flags: flags, Scope: scope}
	if len(ip) == 4 {
		a.Family = afInet
	}
	copy(a.IP[:], ip)
	return true
}

// SetHWAddr sets f's hardware address (at most HWAddrSize bytes kept).
func (f *Interface) SetHWAddr(b []byte) {
	f.HWLen = uint8(copy(f.HWAddr[:], b))
}
