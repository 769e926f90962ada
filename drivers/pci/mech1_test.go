package pci

import (
	"fmt"
	"testing"
)

// fakePorts models a host bridge's CONFIG_ADDRESS/CONFIG_DATA pair
// (PCI 3.0 §3.2.2.3.2): CONFIG_ADDRESS latches a full dword write;
// CONFIG_DATA accesses the dword it selects when the Enable bit is set,
// and otherwise reads all ones (a normal I/O access to nothing).
type fakePorts struct {
	present bool
	addr    uint32
	mem     map[uint32]uint32 // by CONFIG_ADDRESS value
	log     []string
}

func (p *fakePorts) inl(port uint16) uint32 {
	switch {
	case !p.present:
		return 0xFFFF_FFFF
	case port == CONFIG_ADDRESS:
		return p.addr
	case port == CONFIG_DATA && p.addr&(1<<ADDR_ENABLE) != 0:
		p.log = append(p.log, fmt.Sprintf("read %#x", p.addr))
		if v, ok := p.mem[p.addr]; ok {
			return v
		}
	}
	return 0xFFFF_FFFF
}

func (p *fakePorts) outl(port uint16, v uint32) {
	switch {
	case !p.present:
	case port == CONFIG_ADDRESS:
		p.addr = v
	case port == CONFIG_DATA && p.addr&(1<<ADDR_ENABLE) != 0:
		p.log = append(p.log, fmt.Sprintf("write %#x=%#x", p.addr, v))
		p.mem[p.addr] = v
	}
}

func TestMechanism1Addressing(t *testing.T) {
	p := &fakePorts{present: true, mem: map[uint32]uint32{}}
	m := &Mechanism1{io: p}
	// Bus 1, device 2, function 3, register 0x40: enable bit, bus in
	// 23:16, device in 15:11, function in 10:8, dword offset in 7:2.
	p.mem[0x8001_1340] = 0xCAFE_F00D
	if got := m.Read32(1, 2, 3, 0x40); got != 0xCAFE_F00D {
		t.Errorf("Read32 = %#x, want the dword at CONFIG_ADDRESS 0x80011340", got)
	}
	m.Write32(0xFF, 31, 7, 0xFC, 1)
	if got := p.mem[0x80FF_FFFC]; got != 1 {
		t.Errorf("Write32 to ff:1f.7 0xfc landed elsewhere: %v", p.log)
	}
	// Extended configuration space is out of the mechanism's reach.
	n := len(p.log)
	if got := m.Read32(0, 0, 0, 0x100); got != 0xFFFF_FFFF {
		t.Errorf("Read32 at 0x100 = %#x, want all ones", got)
	}
	m.Write32(0, 0, 0, 0x100, 0)
	if len(p.log) != n {
		t.Errorf("an access beyond 256 bytes reached the ports: %v", p.log[n:])
	}
}

func TestMechanism1Present(t *testing.T) {
	p := &fakePorts{present: true, addr: 0x8000_0010, mem: map[uint32]uint32{}}
	m := &Mechanism1{io: p}
	if !m.Present() {
		t.Error("Present = false with a host bridge")
	}
	if p.addr != 0x8000_0010 {
		t.Errorf("Present left CONFIG_ADDRESS at %#x, want it restored", p.addr)
	}
	if (&Mechanism1{io: &fakePorts{}}).Present() {
		t.Error("Present = true with nothing at 0xCF8")
	}
}

func TestMechanism1Enumerate(t *testing.T) {
	// The whole path over the ports: a single function at 00:00.0.
	p := &fakePorts{present: true, mem: map[uint32]uint32{}}
	for off := uint32(0); off < 0x40; off += 4 {
		p.mem[0x8000_0000|off] = 0
	}
	p.mem[0x8000_0000] = 0x29C0_8086
	p.mem[0x8000_0008] = 0x0600_0000
	devs, err := Enumerate(&Mechanism1{io: p})
	if err != nil || len(devs) != 1 || devs[0].String() != "00:00.0 8086:29c0" {
		t.Errorf("Enumerate = %v, %v; want the host bridge alone", devs, err)
	}
}
