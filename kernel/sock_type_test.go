package kernel

import (
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/fdtable"
)

func TestSockTypeFlagsOK(t *testing.T) {
	for _, c := range []struct {
		typ uint64
		ok  bool
	}{
		{linux.SOCK_STREAM, true},
		{linux.SOCK_DGRAM | linux.SOCK_NONBLOCK, true},
		{linux.SOCK_SEQPACKET | linux.SOCK_NONBLOCK | linux.SOCK_CLOEXEC, true},
		{0xf, true}, // an unknown type is the family's to refuse
		{0x10 | linux.SOCK_STREAM, false},
		{1 << 31, false},
		{1 << 32, false},
	} {
		if got := sockTypeFlagsOK(c.typ); got != c.ok {
			t.Errorf("sockTypeFlagsOK(%#x) = %v, want %v", c.typ, got, c.ok)
		}
	}
}

// lookupKind finds a descriptor of its kind only: not another kind's,
// not a closed or never-opened one.
func TestLookupKind(t *testing.T) {
	saved := fdt
	t.Cleanup(func() { fdt = saved })
	fdt = fdtable.Table{}
	u, e := fdt.Open(fdUnix, 5, linux.O_RDWR, false)
	if e != 0 {
		t.Fatal(e)
	}
	n, e := fdt.Open(fdNetlink, 6, linux.O_RDWR, false)
	if e != 0 {
		t.Fatal(e)
	}
	if d := lookupKind(uint64(u), fdUnix); d == nil || d.Obj != 5 {
		t.Errorf("AF_UNIX descriptor %d: %+v", u, d)
	}
	if d := lookupKind(uint64(n), fdNetlink); d == nil || d.Obj != 6 {
		t.Errorf("netlink descriptor %d: %+v", n, d)
	}
	if d := lookupKind(uint64(u), fdNetlink); d != nil {
		t.Errorf("AF_UNIX descriptor %d found as netlink: %+v", u, d)
	}
	if d := lookupKind(uint64(n)+1, fdNetlink); d != nil {
		t.Errorf("unopened descriptor %d found: %+v", n+1, d)
	}
	if _, e := fdt.Close(uint64(u)); e != 0 {
		t.Fatal(e)
	}
	if d := lookupKind(uint64(u), fdUnix); d != nil {
		t.Errorf("closed descriptor %d found: %+v", u, d)
	}
	if d := lookupKind(1<<40, fdUnix); d != nil {
		t.Errorf("descriptor 1<<40 found: %+v", d)
	}
}
