package pci

import (
	"sync"

	"github.com/coracle-os/coracle/arch/amd64"
)

// Configuration mechanism #1 (PCI 3.0 §3.2.2.3.2): write the address of a
// configuration dword to CONFIG_ADDRESS, then read or write it through
// CONFIG_DATA. Both are 32-bit I/O ports.
const (
	CONFIG_ADDRESS = 0xCF8
	CONFIG_DATA    = 0xCFC

	// CONFIG_ADDRESS fields, as bit positions.
	ADDR_ENABLE   = 31 // Enable bit: the access is a configuration cycle
	ADDR_BUS      = 16 // bits 23:16
	ADDR_DEVICE   = 11 // bits 15:11
	ADDR_FUNCTION = 8  // bits 10:8
	ADDR_REGISTER = 2  // bits 7:2: dword number; bits 1:0 are 0

	// mech1Size is how much of each function's configuration space the
	// mechanism reaches: the 256-byte PCI header and capabilities, not
	// PCI Express extended space.
	mech1Size = 256
)

// ports is the CPU's I/O port space, or a test's model of it.
type ports interface {
	inl(port uint16) uint32
	outl(port uint16, v uint32)
}

type cpuPorts struct{}

func (cpuPorts) inl(port uint16) uint32     { return amd64.Inl(port) }
func (cpuPorts) outl(port uint16, v uint32) { amd64.Outl(port, v) }

// Mechanism1 is configuration space through ports 0xCF8 and 0xCFC. The
// zero value is ready to use. It implements ConfigSpace.
//
// Offsets at or beyond 256 read as all ones and ignore writes: the
// mechanism cannot address them.
type Mechanism1 struct {
	// mu makes the address write and the data access one step: the
	// address register is global state shared by every caller.
	mu sync.Mutex
	io ports // nil: the CPU's ports
}

var _ ConfigSpace = (*Mechanism1)(nil)

func (m *Mechanism1) ports() ports {
	if m.io == nil {
		return cpuPorts{}
	}
	return m.io
}

// address encodes CONFIG_ADDRESS for a dword.
func address(bus, dev, fn uint8, off uint16) uint32 {
	return 1<<ADDR_ENABLE |
		uint32(bus)<<ADDR_BUS |
		uint32(dev&(MaxDevice-1))<<ADDR_DEVICE |
		uint32(fn&(MaxFunction-1))<<ADDR_FUNCTION |
		uint32(off&0xFC)
}

// Read32 implements ConfigSpace.Read32.
func (m *Mechanism1) Read32(bus, dev, fn uint8, off uint16) uint32 {
	if off >= mech1Size {
		return 0xFFFF_FFFF
	}
	io := m.ports()
	m.mu.Lock()
	io.outl(CONFIG_ADDRESS, address(bus, dev, fn, off))
	v := io.inl(CONFIG_DATA)
	m.mu.Unlock()
	return v
}

// Write32 implements ConfigSpace.Write32.
func (m *Mechanism1) Write32(bus, dev, fn uint8, off uint16, v uint32) {
	if off >= mech1Size {
		return
	}
	io := m.ports()
	m.mu.Lock()
	io.outl(CONFIG_ADDRESS, address(bus, dev, fn, off))
	io.outl(CONFIG_DATA, v)
	m.mu.Unlock()
}

// Present reports whether a host bridge implements mechanism #1: it
// keeps a value written to CONFIG_ADDRESS with the Enable bit set (the
// check Linux's pci_check_type1 makes). Machines without PCI, such as
// QEMU microvm and Firecracker, have nothing at 0xCF8 and read all ones.
func (m *Mechanism1) Present() bool {
	io := m.ports()
	m.mu.Lock()
	defer m.mu.Unlock()
	saved := io.inl(CONFIG_ADDRESS)
	io.outl(CONFIG_ADDRESS, 1<<ADDR_ENABLE)
	ok := io.inl(CONFIG_ADDRESS) == 1<<ADDR_ENABLE
	io.outl(CONFIG_ADDRESS, saved)
	return ok
}
