package stack

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/iftab"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// describeTable lists t one line per interface and address.
func describeTable(t *iftab.Table) string {
	var b strings.Builder
	for i := range t.N {
		f := &t.Interfaces[i]
		fmt.Fprintf(&b, "%d %s flags=%#x mtu=%d type=%d hw=%v\n", f.Index, f.Name[:f.NameLen()], f.Flags, f.MTU, f.Type, net.HardwareAddr(f.HWAddr[:f.HWLen]))
		for j := range f.NAddrs {
			a := &f.Addrs[j]
			ip, _ := netip.AddrFromSlice(a.IP[:a.IPLen()])
			fmt.Fprintf(&b, "  %v/%d scope=%d flags=%#x\n", ip, a.PrefixLen, a.Scope, a.Flags)
		}
	}
	return b.String()
}

func TestInterfacesLoopbackOnly(t *testing.T) {
	s := newStack(t, "", nil)
	tab := s.Interfaces()
	if !tab.Valid() {
		t.Fatal("table not valid")
	}
	want := "1 lo flags=0x10049 mtu=65536 type=772 hw=00:00:00:00:00:00\n" +
		"  127.0.0.1/8 scope=254 flags=0x80\n" +
		"  ::1/128 scope=254 flags=0x80\n"
	if got := describeTable(tab); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestInterfacesStatic(t *testing.T) {
	w := newWire(t)
	s := newStack(t, "ip=10.1.0.2/24,fd00:1::2/64", w.B)
	tab := s.Interfaces()
	if !tab.Valid() || tab.N != 2 {
		t.Fatalf("%d interfaces, valid %v", tab.N, tab.Valid())
	}
	got := describeTable(tab)
	eth := fmt.Sprintf("2 eth0 flags=%#x mtu=1500 type=%d hw=%v\n", linux.IFF_UP|linux.IFF_BROADCAST|linux.IFF_MULTICAST|linux.IFF_RUNNING|linux.IFF_LOWER_UP, linux.ARPHRD_ETHER, net.HardwareAddr(macB))
	for _, want := range []string{
		eth + "  10.1.0.2/24 scope=0 flags=0x80\n",
		"  fd00:1::2/64 scope=0 flags=0x80\n",
		"  fe80::",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
	if !strings.Contains(got, "/64 scope=253") {
		t.Errorf("no link-local address with link scope in\n%s", got)
	}
}
