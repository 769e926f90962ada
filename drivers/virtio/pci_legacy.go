package virtio

import (
	"fmt"

	"github.com/coracle-os/coracle/drivers/pci"
)

// Legacy virtio-pci header in I/O BAR0 (§4.1.4.10), offsets from the
// BAR. Fields are accessed at their natural widths.
const (
	LEGACY_DEVICE_FEATURES = 0x00 // 32, R: feature bits 0-31
	LEGACY_DRIVER_FEATURES = 0x04 // 32, RW
	LEGACY_QUEUE_ADDRESS   = 0x08 // 32, RW: queue's physical address / 4096 (PFN)
	LEGACY_QUEUE_SIZE      = 0x0c // 16, R: the device's fixed size; 0 = no queue
	LEGACY_QUEUE_SELECT    = 0x0e // 16, RW
	LEGACY_QUEUE_NOTIFY    = 0x10 // 16, RW
	LEGACY_DEVICE_STATUS   = 0x12 // 8, RW
	LEGACY_ISR_STATUS      = 0x13 // 8, R: read clears
	LEGACY_CONFIG          = 0x14 // device configuration without MSI-X
	LEGACY_CONFIG_MSIX     = 0x18 // ... after config_msix_vector and queue_msix_vector
)

// LegacyPCITransport is a transitional virtio-pci device driven through
// its legacy interface: the header in I/O BAR0. It implements Transport.
type LegacyPCITransport struct {
	regs   Registers
	typ    DeviceType
	config uint32
}

var _ Transport = (*LegacyPCITransport)(nil)

// NewLegacyPCI maps d's BAR0, which must be an I/O BAR, through res and
// enables I/O decoding and bus mastering. Where the device configuration
// starts depends on whether MSI-X is enabled (§4.1.4.10), which is
// sampled now: this package never enables it.
func NewLegacyPCI(d *pci.Device, res Resources) (*LegacyPCITransport, error) {
	typ, transitional, ok := PCIType(d)
	if !ok || !transitional {
		return nil, fmt.Errorf("%w: PCI %v has no legacy interface", ErrNotVirtio, d)
	}
	if len(d.BARs) == 0 || d.BARs[0].Kind != pci.BARIO {
		return nil, fmt.Errorf("virtio: PCI %v: BAR0 is not an I/O BAR", d)
	}
	m := &barMapper{d: d, res: res}
	regs, err := m.bar(0, 0, LEGACY_CONFIG)
	if err != nil {
		return nil, err
	}
	t := &LegacyPCITransport{regs: regs, typ: typ, config: LEGACY_CONFIG}
	if d.MSIXEnabled() {
		t.config = LEGACY_CONFIG_MSIX
	}
	d.Enable(m.cmd | 1<<pci.COMMAND_BUS_MASTER)
	return t, nil
}

// Type implements Transport.
func (t *LegacyPCITransport) Type() DeviceType { return t.typ }

// Legacy implements Transport: true.
func (t *LegacyPCITransport) Legacy() bool { return true }

// Status implements Transport.
func (t *LegacyPCITransport) Status() uint8 { return t.regs.Read8(LEGACY_DEVICE_STATUS) }

// SetStatus implements Transport.
func (t *LegacyPCITransport) SetStatus(s uint8) { t.regs.Write8(LEGACY_DEVICE_STATUS, s) }

// DeviceFeatures implements Transport: bits 0-31 only.
func (t *LegacyPCITransport) DeviceFeatures() uint64 {
	return uint64(t.regs.Read32(LEGACY_DEVICE_FEATURES))
}

// SetDriverFeatures implements Transport: bits 0-31 only; the device
// assumes the driver accepted none above (§4.1.4.10).
func (t *LegacyPCITransport) SetDriverFeatures(f uint64) {
	t.regs.Write32(LEGACY_DRIVER_FEATURES, uint32(f))
}

func (t *LegacyPCITransport) selectQueue(q uint16) (size uint16, inUse bool) {
	t.regs.Write16(LEGACY_QUEUE_SELECT, q)
	if t.regs.Read32(LEGACY_QUEUE_ADDRESS) != 0 {
		return 0, true
	}
	return t.regs.Read16(LEGACY_QUEUE_SIZE), false
}

// QueueSize implements Transport: the device's size whatever want is,
// since legacy PCI has no way to negotiate it (§4.1.5.1.3.1).
func (t *LegacyPCITransport) QueueSize(q, want uint16) (uint16, error) {
	size, inUse := t.selectQueue(q)
	switch {
	case inUse:
		return 0, fmt.Errorf("%w: queue %d", ErrQueueInUse, q)
	case size == 0:
		return 0, fmt.Errorf("%w: queue %d", ErrNoQueue, q)
	}
	return size, nil
}

// SetupQueue implements Transport: the PFN of the page-aligned queue to
// Queue Address (§4.1.5.1.3.1).
func (t *LegacyPCITransport) SetupQueue(q, size uint16, a QueueAddrs) error {
	if err := checkQueueAddrs(size, a, true); err != nil {
		return err
	}
	if a.Desc>>legacyMaxQueueAddressBits != 0 {
		return fmt.Errorf("%w: legacy queue at %#x is beyond Queue Address's reach", ErrQueueLayout, a.Desc)
	}
	devSize, inUse := t.selectQueue(q)
	switch {
	case inUse:
		return fmt.Errorf("%w: queue %d", ErrQueueInUse, q)
	case devSize == 0:
		return fmt.Errorf("%w: queue %d", ErrNoQueue, q)
	case size != devSize:
		return fmt.Errorf("%w: queue %d has the fixed size %d, not %d", ErrQueueSize, q, devSize, size)
	}
	t.regs.Write32(LEGACY_QUEUE_ADDRESS, uint32(a.Desc>>legacyPFNShift))
	return nil
}

// Notify implements Transport.
func (t *LegacyPCITransport) Notify(q uint16) { t.regs.Write16(LEGACY_QUEUE_NOTIFY, q) }

// AckInterrupt implements Transport: reading ISR status clears it.
func (t *LegacyPCITransport) AckInterrupt() uint32 {
	return uint32(t.regs.Read8(LEGACY_ISR_STATUS)) & isrDefinedBits
}

// ConfigGeneration implements Transport: legacy devices have none.
func (t *LegacyPCITransport) ConfigGeneration() uint32 { return 0 }

// Config implements Transport: the device configuration after the
// header, in the guest's native byte order (§2.5.3).
func (t *LegacyPCITransport) Config() Registers { return Sub(t.regs, t.config) }
