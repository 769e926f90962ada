// Package pci reads and writes PCI configuration space and enumerates the
// functions behind it: identity, class, BARs with their sizes, the
// capability list, the legacy interrupt line and pin, and the Command
// register's decode and bus-master enables. It assigns nothing: bus
// numbers and BAR addresses are the firmware's or the hypervisor's.
//
// Spec: PCI Local Bus Specification Revision 3.0: configuration mechanism
// #1 (§3.2.2.3.2), the type 0 header (§6.1, Figure 6-1), Command (§6.2.2),
// Status (§6.2.3), Header Type and the other identification registers
// (§6.2.1), Interrupt Line and Pin (§6.2.4), Base Address registers and
// their sizing (§6.2.5, §6.2.5.1), capabilities (§6.7), class codes
// (Appendix D); and the PCI-to-PCI Bridge Architecture Specification
// Revision 1.2 for the type 1 header (§3.2, Figure 3-1: bus numbers).
//
// Use: Enumerate(&Mechanism1{}) walks bus 0 and every bus behind a
// configured PCI-to-PCI bridge. Access goes through the ConfigSpace
// interface, so the walk is tested on the host against a model of QEMU's
// q35 topology; Mechanism1 is the real one (ports 0xCF8/0xCFC, which
// ring 3 may use because the kernel runs the program with IOPL 3).
//
// Trap context: none — these drivers run in goroutines
// (docs/network.md). Mechanism1 takes a sync.Mutex.
package pci

import "fmt"

// Configuration header offsets (PCI 3.0 §6.1, Figure 6-1, and for the
// type 1 header PCI-to-PCI Bridge 1.2 §3.2, Figure 3-1), each followed by
// its fields as bit positions.
const (
	VENDOR_ID = 0x00 // 16 bits; 0xFFFF when no function answers (§6.2.1)
	DEVICE_ID = 0x02

	COMMAND              = 0x04 // 16 bits (§6.2.2, Figure 6-2)
	COMMAND_IO           = 0    // I/O Space decode enable
	COMMAND_MEMORY       = 1    // Memory Space decode enable
	COMMAND_BUS_MASTER   = 2    // the function may initiate transactions (DMA)
	COMMAND_INTX_DISABLE = 10   // Interrupt Disable

	STATUS           = 0x06 // 16 bits (§6.2.3, Figure 6-3); error bits are RW1C
	STATUS_INTERRUPT = 3    // INTx# pending
	STATUS_CAP_LIST  = 4    // Capabilities List: CAPABILITIES_PTR is valid

	REVISION_ID = 0x08
	CLASS_CODE  = 0x09 // 24 bits: programming interface, sub-class, base class
	CLASS_PROG  = 8    // bit positions in the dword at REVISION_ID
	CLASS_SUB   = 16
	CLASS_BASE  = 24

	HEADER_TYPE         = 0x0E
	HEADER_TYPE_MF      = 7    // multi-function device (function 0 only)
	HEADER_TYPE_LAYOUT  = 0x7F // bits 6:0
	HEADER_TYPE_NORMAL  = 0x00
	HEADER_TYPE_BRIDGE  = 0x01 // PCI-to-PCI bridge
	HEADER_TYPE_CARDBUS = 0x02

	BAR0 = 0x10 // Base Address registers: six in type 0, two in type 1

	// Type 1 bus numbers (PCI-to-PCI Bridge 1.2 §3.2, Figure 3-1).
	PRIMARY_BUS     = 0x18
	SECONDARY_BUS   = 0x19
	SUBORDINATE_BUS = 0x1A

	SUBSYSTEM_VENDOR_ID = 0x2C // type 0 only
	SUBSYSTEM_ID        = 0x2E
	CAPABILITIES_PTR    = 0x34 // type 0 and 1; bits 1:0 reserved (§6.7)
	INTERRUPT_LINE      = 0x3C // as routed by firmware; 0xFF unknown (§6.2.4)
	INTERRUPT_PIN       = 0x3D // 0 none, 1-4 INTA#-INTD#
)

// Base Address register fields (PCI 3.0 §6.2.5.1, Figures 6-5 and 6-6),
// as bit positions and masks.
const (
	BAR_SPACE          = 0 // 1: I/O Space, 0: Memory Space
	BAR_MEM_TYPE       = 1 // bits 2:1 of a memory BAR
	BAR_MEM_TYPE_32    = 0b00
	BAR_MEM_TYPE_64    = 0b10
	BAR_MEM_PREFETCH   = 3
	BAR_IO_ADDR_MASK   = 0xFFFF_FFFC
	BAR_MEM_ADDR_MASK  = 0xFFFF_FFF0
	BAR_MEM_TYPE_WIDTH = 0b11
)

// Capability structure (PCI 3.0 §6.7, Figure 6-10) and the IDs used here
// (PCI Code and ID Assignment Specification).
const (
	CAP_ID   = 0 // offset of the ID byte in a capability
	CAP_NEXT = 1 // offset of the next pointer

	CAP_ID_MSI      = 0x05
	CAP_ID_VNDR     = 0x09 // vendor specific (virtio's structures)
	CAP_ID_PCIE     = 0x10
	CAP_ID_MSIX     = 0x11
	MSIX_CONTROL    = 2  // 16-bit Message Control, from the capability
	MSIX_ENABLE     = 15 // MSI-X Enable in Message Control
	MSIX_FUNC_MASK  = 14 // Function Mask in Message Control
	MSIX_TABLE_SIZE = 0x7FF
	MSIX_TABLE      = 4 // Table Offset (bits 31:3) and Table BIR (bits 2:0)

	// An MSI-X table entry (PCI 3.0 §6.8.2.6-9): message address,
	// upper address, data, vector control (bit 0 masks it).
	MSIX_ENTRY_SIZE      = 16
	MSIX_ENTRY_ADDR      = 0
	MSIX_ENTRY_ADDR_HI   = 4
	MSIX_ENTRY_DATA      = 8
	MSIX_ENTRY_CTRL      = 12
	MSIX_ENTRY_CTRL_MASK = 1
	maxCapabilities      = 48 // (256-64)/4: more means a loop
)

// Class codes (PCI 3.0 Appendix D).
const (
	CLASS_BRIDGE         = 0x06
	SUBCLASS_HOST_BRIDGE = 0x00
	SUBCLASS_PCI_BRIDGE  = 0x04
)

// Topology limits.
const (
	MaxDevice   = 32 // devices on a bus
	MaxFunction = 8  // functions in a device
)

// ConfigSpace reads and writes configuration registers of the function
// at bus/dev/fn, 32 bits at a time. off is a byte offset that must be a
// multiple of 4; reads from a function that does not exist return all
// ones, as the host bridge does (PCI 3.0 §6.1).
type ConfigSpace interface {
	Read32(bus, dev, fn uint8, off uint16) uint32
	Write32(bus, dev, fn uint8, off uint16, v uint32)
}

// BARKind says what a Base Address register decodes.
type BARKind uint8

const (
	BARNone  BARKind = iota // not implemented, or the upper half of a 64-bit BAR
	BARIO                   // I/O Space
	BARMem32                // 32-bit Memory Space
	BARMem64                // 64-bit Memory Space; the next BAR holds the upper half
)

func (k BARKind) String() string {
	switch k {
	case BARIO:
		return "io"
	case BARMem32:
		return "mem32"
	case BARMem64:
		return "mem64"
	}
	return "none"
}

// BAR is one Base Address register as found: its address (programmed by
// firmware; 0 if it was not) and its size from the sizing protocol of
// PCI 3.0 §6.2.5.1.
type BAR struct {
	Kind         BARKind
	Prefetchable bool
	Addr         uint64 // I/O port or physical memory address
	Size         uint64
}

// Capability is one entry of the capability list.
type Capability struct {
	ID     uint8
	Offset uint8 // of the capability in configuration space
}

// Device is one PCI function, as Probe read it.
type Device struct {
	Bus, Dev, Func uint8

	VendorID, DeviceID uint16
	RevisionID         uint8
	Class, Subclass    uint8
	ProgIF             uint8
	HeaderType         uint8 // layout, HEADER_TYPE_LAYOUT bits
	MultiFunction      bool  // from function 0's Header Type

	// Type 0 only.
	SubsystemVendorID, SubsystemID uint16

	// BARs has six entries for type 0 and two for type 1.
	BARs         []BAR
	Capabilities []Capability

	InterruptLine uint8 // 0xFF: not routed
	InterruptPin  uint8 // 0: no pin; 1-4 INTA#-INTD#

	// Type 1 (bridge) only: the buses behind it, as firmware numbered
	// them (0 when it did not).
	SecondaryBus, SubordinateBus uint8

	cs ConfigSpace
}

func (d *Device) String() string {
	return fmt.Sprintf("%02x:%02x.%x %04x:%04x", d.Bus, d.Dev, d.Func, d.VendorID, d.DeviceID)
}

// IsBridge reports whether d is a PCI-to-PCI bridge (type 1 header).
func (d *Device) IsBridge() bool { return d.HeaderType == HEADER_TYPE_BRIDGE }

// Read32 reads the configuration dword at off (a multiple of 4).
func (d *Device) Read32(off uint16) uint32 { return d.cs.Read32(d.Bus, d.Dev, d.Func, off&^3) }

// Read16 reads the configuration word at off (a multiple of 2), as the
// matching half of its dword.
func (d *Device) Read16(off uint16) uint16 { return uint16(d.Read32(off) >> (8 * (off & 2))) }

// Read8 reads the configuration byte at off.
func (d *Device) Read8(off uint16) uint8 { return uint8(d.Read32(off) >> (8 * (off & 3))) }

// Write32 writes the configuration dword at off (a multiple of 4).
func (d *Device) Write32(off uint16, v uint32) { d.cs.Write32(d.Bus, d.Dev, d.Func, off&^3, v) }

// Command returns the Command register.
func (d *Device) Command() uint16 { return d.Read16(COMMAND) }

// setCommand writes the Command register. The Status register shares its
// dword; it is written with zeros, which leaves its RW1C error bits as
// they are (§6.2.3).
func (d *Device) setCommand(cmd uint16) { d.Write32(COMMAND, uint32(cmd)) }

// Enable sets bits (1<<COMMAND_IO, 1<<COMMAND_MEMORY, 1<<COMMAND_BUS_MASTER
// and so on) in the Command register, leaving the others as they are.
func (d *Device) Enable(bits uint16) {
	if cmd := d.Command(); cmd&bits != bits {
		d.setCommand(cmd | bits)
	}
}

// FindCapability returns the offset of the first capability with id.
func (d *Device) FindCapability(id uint8) (uint8, bool) {
	for _, c := range d.Capabilities {
		if c.ID == id {
			return c.Offset, true
		}
	}
	return 0, false
}

// MSIXTable describes the function's MSI-X table: the BAR it is in, its
// offset there and its number of entries. ok is false without an MSI-X
// capability.
func (d *Device) MSIXTable() (bar uint8, offset uint32, entries int, ok bool) {
	off, ok := d.FindCapability(CAP_ID_MSIX)
	if !ok {
		return 0, 0, 0, false
	}
	t := d.Read32(uint16(off) + MSIX_TABLE)
	n := int(d.Read16(uint16(off)+MSIX_CONTROL)&MSIX_TABLE_SIZE) + 1
	return uint8(t & 7), t &^ 7, n, true
}

// SetMSIX sets MSI-X Enable to on and clears Function Mask, so that the
// table's unmasked entries signal (and INTx no longer does).
func (d *Device) SetMSIX(on bool) {
	off, ok := d.FindCapability(CAP_ID_MSIX)
	if !ok {
		return
	}
	// Message Control is the upper half of the capability's first
	// dword; the ID and next pointer below it are read-only.
	v := d.Read32(uint16(off)) &^ (1<<(16+MSIX_ENABLE) | 1<<(16+MSIX_FUNC_MASK))
	if on {
		v |= 1 << (16 + MSIX_ENABLE)
	}
	d.Write32(uint16(off), v)
}

// MSIXEnabled reports whether the function has an MSI-X capability with
// MSI-X Enable set (PCI 3.0 §6.8.2).
func (d *Device) MSIXEnabled() bool {
	off, ok := d.FindCapability(CAP_ID_MSIX)
	return ok && d.Read16(uint16(off)+MSIX_CONTROL)&(1<<MSIX_ENABLE) != 0
}
