package virtio

import (
	"fmt"

	"github.com/coracle-os/coracle/drivers/pci"
)

// PCI identification (§4.1.2): vendor 0x1AF4; device 0x1040 + the
// Virtio Device ID, or for transitional devices 0x1000-0x103F with the
// Virtio Device ID in the Subsystem Device ID (§4.1.2.3).
const (
	PCI_VENDOR_ID                  = 0x1AF4
	PCI_DEVICE_ID_TRANSITIONAL     = 0x1000
	PCI_DEVICE_ID_TRANSITIONAL_END = 0x103F
	PCI_DEVICE_ID_MODERN           = 0x1040
	PCI_DEVICE_ID_MODERN_END       = 0x107F
)

// PCIType returns the Virtio Device ID of a PCI function, and whether its
// PCI Device ID is a transitional one (it may then have the legacy
// interface). ok is false for functions that are not virtio devices.
func PCIType(d *pci.Device) (t DeviceType, transitional, ok bool) {
	if d.VendorID != PCI_VENDOR_ID || d.HeaderType != pci.HEADER_TYPE_NORMAL {
		return 0, false, false
	}
	switch id := d.DeviceID; {
	case id >= PCI_DEVICE_ID_MODERN && id <= PCI_DEVICE_ID_MODERN_END:
		return DeviceType(id - PCI_DEVICE_ID_MODERN), false, true
	case id >= PCI_DEVICE_ID_TRANSITIONAL && id <= PCI_DEVICE_ID_TRANSITIONAL_END:
		return DeviceType(d.SubsystemID), true, d.SubsystemID != 0
	}
	return 0, false, false
}

// NewPCI returns the transport of a virtio PCI function: modern when it
// has the virtio capabilities, legacy when it has none and its device ID
// is transitional (§4.1.5.1.1.1). A modern-only device without them is
// an error, as the spec requires of a driver without legacy support.
func NewPCI(d *pci.Device, res Resources) (Transport, error) {
	_, transitional, ok := PCIType(d)
	if !ok {
		return nil, fmt.Errorf("%w: PCI %v", ErrNotVirtio, d)
	}
	if hasVirtioCaps(d) {
		return NewModernPCI(d, res)
	}
	if transitional {
		return NewLegacyPCI(d, res)
	}
	return nil, fmt.Errorf("virtio: PCI %v: no virtio capabilities and not transitional", d)
}

// barMapper maps the BARs of d through res, each at most once, and
// collects the Command bits their decoding needs.
type barMapper struct {
	d      *pci.Device
	res    Resources
	mapped [6]Registers
	cmd    uint16 // Command bits the used BARs need
}

// bar returns the registers of the length bytes at off in BAR i, mapping
// the whole BAR on first use. The BAR must be implemented, assigned an
// address by firmware, and hold the range.
func (m *barMapper) bar(i uint8, off, length uint64) (Registers, error) {
	if int(i) >= len(m.d.BARs) {
		return nil, fmt.Errorf("virtio: PCI %v: BAR%d does not exist", m.d, i)
	}
	b := m.d.BARs[i]
	switch {
	case b.Kind == pci.BARNone:
		return nil, fmt.Errorf("virtio: PCI %v: BAR%d is not implemented", m.d, i)
	case b.Addr == 0:
		return nil, fmt.Errorf("virtio: PCI %v: BAR%d has no address (firmware did not assign it)", m.d, i)
	case off+length > b.Size || off+length < off:
		return nil, fmt.Errorf("virtio: PCI %v: %#x bytes at %#x overrun BAR%d (%#x bytes)", m.d, length, off, i, b.Size)
	}
	if m.mapped[i] == nil {
		var r Registers
		var err error
		if b.Kind == pci.BARIO {
			r, err = m.res.IOPorts(uint16(b.Addr), uint32(b.Size))
			m.cmd |= 1 << pci.COMMAND_IO
		} else {
			r, err = m.res.Memory(b.Addr, b.Size)
			m.cmd |= 1 << pci.COMMAND_MEMORY
		}
		if err != nil {
			return nil, fmt.Errorf("virtio: PCI %v: mapping BAR%d: %w", m.d, i, err)
		}
		m.mapped[i] = r
	}
	return Sub(m.mapped[i], uint32(off)), nil
}
