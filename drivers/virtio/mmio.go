package virtio

import "fmt"

// virtio-mmio registers, offsets from the base (§4.2.2 Table "MMIO Device
// Register Layout"; legacy-only ones from §4.2.4). All control registers
// are 32 bits wide and accessed as aligned 32-bit words (§4.2.2.2).
const (
	MMIO_MAGIC_VALUE         = 0x000 // "virt"
	MMIO_VERSION             = 0x004 // 2; legacy devices 1
	MMIO_DEVICE_ID           = 0x008 // Virtio Device ID; 0 for a placeholder
	MMIO_VENDOR_ID           = 0x00c
	MMIO_DEVICE_FEATURES     = 0x010 // legacy: HostFeatures
	MMIO_DEVICE_FEATURES_SEL = 0x014 // legacy: HostFeaturesSel
	MMIO_DRIVER_FEATURES     = 0x020 // legacy: GuestFeatures
	MMIO_DRIVER_FEATURES_SEL = 0x024 // legacy: GuestFeaturesSel
	MMIO_GUEST_PAGE_SIZE     = 0x028 // legacy only
	MMIO_QUEUE_SEL           = 0x030
	MMIO_QUEUE_NUM_MAX       = 0x034
	MMIO_QUEUE_NUM           = 0x038
	MMIO_QUEUE_ALIGN         = 0x03c // legacy only
	MMIO_QUEUE_PFN           = 0x040 // legacy only
	MMIO_QUEUE_READY         = 0x044
	MMIO_QUEUE_NOTIFY        = 0x050
	MMIO_INTERRUPT_STATUS    = 0x060 // ISR_QUEUE, ISR_CONFIG bits
	MMIO_INTERRUPT_ACK       = 0x064
	MMIO_STATUS              = 0x070
	MMIO_QUEUE_DESC_LOW      = 0x080
	MMIO_QUEUE_DESC_HIGH     = 0x084
	MMIO_QUEUE_DRIVER_LOW    = 0x090
	MMIO_QUEUE_DRIVER_HIGH   = 0x094
	MMIO_QUEUE_DEVICE_LOW    = 0x0a0
	MMIO_QUEUE_DEVICE_HIGH   = 0x0a4
	MMIO_SHM_SEL             = 0x0ac
	MMIO_QUEUE_RESET         = 0x0c0
	MMIO_CONFIG_GENERATION   = 0x0fc
	MMIO_CONFIG              = 0x100 // device-specific configuration

	MMIO_MAGIC          = 0x74726976 // MagicValue: "virt" little-endian
	MMIO_VERSION_LEGACY = 1
	MMIO_VERSION_MODERN = 2
)

const (
	mmioMinSize = MMIO_CONFIG // the registers before the device configuration

	// Legacy queues are located by a 32-bit page number of
	// LegacyQueueAlign-sized pages (legacy MMIO QueuePFN with the
	// GuestPageSize this package writes; legacy PCI Queue Address).
	legacyPFNShift            = 12
	legacyMaxQueueAddressBits = 32 + legacyPFNShift
)

// MMIOTransport is a virtio-mmio device (§4.2), version 2 or legacy
// version 1 (§4.2.4). It implements Transport.
type MMIOTransport struct {
	regs   Registers
	typ    DeviceType
	legacy bool
}

var _ Transport = (*MMIOTransport)(nil)

// NewMMIO checks the device at regs as §4.2.3.1 requires — MagicValue,
// then Version, then DeviceID — and returns its transport. regs covers
// the control registers and the configuration space after them: usually
// MMIO(va) for the virtual address where the caller mapped the device.
//
// It returns ErrNotVirtio (wrapped) for a bad magic value or an unknown
// version, and ErrNoDevice for a placeholder transport (DeviceID 0),
// which callers must skip silently; nothing else is touched then.
func NewMMIO(regs Registers) (*MMIOTransport, error) {
	if m := regs.Read32(MMIO_MAGIC_VALUE); m != MMIO_MAGIC {
		return nil, fmt.Errorf("%w: virtio-mmio magic %#x", ErrNotVirtio, m)
	}
	v := regs.Read32(MMIO_VERSION)
	if v != MMIO_VERSION_MODERN && v != MMIO_VERSION_LEGACY {
		return nil, fmt.Errorf("%w: virtio-mmio version %d", ErrNotVirtio, v)
	}
	id := regs.Read32(MMIO_DEVICE_ID)
	if id == 0 {
		return nil, ErrNoDevice
	}
	return &MMIOTransport{regs: regs, typ: DeviceType(id), legacy: v == MMIO_VERSION_LEGACY}, nil
}

// Type implements Transport.
func (m *MMIOTransport) Type() DeviceType { return m.typ }

// Legacy implements Transport: true for version 1 devices.
func (m *MMIOTransport) Legacy() bool { return m.legacy }

// Status implements Transport.
func (m *MMIOTransport) Status() uint8 { return uint8(m.regs.Read32(MMIO_STATUS)) }

// SetStatus implements Transport. Writing 0 resets the device, which
// clears every queue's QueueReady (or legacy QueuePFN).
func (m *MMIOTransport) SetStatus(s uint8) { m.regs.Write32(MMIO_STATUS, uint32(s)) }

// DeviceFeatures implements Transport. The selector is written before
// each read (§4.2.2.2).
func (m *MMIOTransport) DeviceFeatures() uint64 {
	var f uint64
	for w := range m.featureWords() {
		m.regs.Write32(MMIO_DEVICE_FEATURES_SEL, uint32(w))
		f |= uint64(m.regs.Read32(MMIO_DEVICE_FEATURES)) << (32 * w)
	}
	return f
}

// SetDriverFeatures implements Transport.
func (m *MMIOTransport) SetDriverFeatures(f uint64) {
	for w := range m.featureWords() {
		m.regs.Write32(MMIO_DRIVER_FEATURES_SEL, uint32(w))
		m.regs.Write32(MMIO_DRIVER_FEATURES, uint32(f>>(32*w)))
	}
}

func (m *MMIOTransport) featureWords() int {
	if m.legacy {
		return legacyFeatureWords
	}
	return featureWords
}

// selectQueue selects q and returns its maximum size and whether it is
// in use (QueueReady, or legacy QueuePFN, not zero). The in-use check
// comes first, as §4.2.3.2 and §4.2.4 list it; a legacy device allows
// QueueNumMax reads only while QueuePFN is 0.
func (m *MMIOTransport) selectQueue(q uint16) (max uint16, inUse bool) {
	m.regs.Write32(MMIO_QUEUE_SEL, uint32(q))
	if m.legacy {
		inUse = m.regs.Read32(MMIO_QUEUE_PFN) != 0
	} else {
		inUse = m.regs.Read32(MMIO_QUEUE_READY) != 0
	}
	if inUse {
		return 0, true
	}
	return uint16(min(m.regs.Read32(MMIO_QUEUE_NUM_MAX), 1<<15)), false
}

// QueueSize implements Transport.
func (m *MMIOTransport) QueueSize(q, want uint16) (uint16, error) {
	max, inUse := m.selectQueue(q)
	if inUse {
		return 0, fmt.Errorf("%w: queue %d", ErrQueueInUse, q)
	}
	return chooseSize(q, want, max)
}

// SetupQueue implements Transport, following §4.2.3.2 (version 2) or
// §4.2.4 (legacy: GuestPageSize, QueueNum, QueueAlign, then QueuePFN).
func (m *MMIOTransport) SetupQueue(q, size uint16, a QueueAddrs) error {
	if err := checkQueueAddrs(size, a, m.legacy); err != nil {
		return err
	}
	if m.legacy && a.Desc>>legacyMaxQueueAddressBits != 0 {
		return fmt.Errorf("%w: legacy queue at %#x is beyond QueuePFN's reach", ErrQueueLayout, a.Desc)
	}
	max, inUse := m.selectQueue(q)
	if inUse {
		return fmt.Errorf("%w: queue %d", ErrQueueInUse, q)
	}
	if err := checkSize(q, size, max); err != nil {
		return err
	}
	if m.legacy {
		// GuestPageSize must be known before any queue is used; it is
		// written for every queue because a reset may forget it.
		m.regs.Write32(MMIO_GUEST_PAGE_SIZE, LegacyQueueAlign)
		m.regs.Write32(MMIO_QUEUE_NUM, uint32(size))
		m.regs.Write32(MMIO_QUEUE_ALIGN, LegacyQueueAlign)
		m.regs.Write32(MMIO_QUEUE_PFN, uint32(a.Desc>>legacyPFNShift))
	} else {
		m.regs.Write32(MMIO_QUEUE_NUM, uint32(size))
		m.regs.Write32(MMIO_QUEUE_DESC_LOW, uint32(a.Desc))
		m.regs.Write32(MMIO_QUEUE_DESC_HIGH, uint32(a.Desc>>32))
		m.regs.Write32(MMIO_QUEUE_DRIVER_LOW, uint32(a.Driver))
		m.regs.Write32(MMIO_QUEUE_DRIVER_HIGH, uint32(a.Driver>>32))
		m.regs.Write32(MMIO_QUEUE_DEVICE_LOW, uint32(a.Device))
		m.regs.Write32(MMIO_QUEUE_DEVICE_HIGH, uint32(a.Device>>32))
		m.regs.Write32(MMIO_QUEUE_READY, 1)
	}
	return nil
}

// Notify implements Transport: the queue index to QueueNotify
// (§4.2.3.3).
func (m *MMIOTransport) Notify(q uint16) { m.regs.Write32(MMIO_QUEUE_NOTIFY, uint32(q)) }

// AckInterrupt implements Transport: read InterruptStatus, acknowledge
// the defined bits that were set in InterruptACK (§4.2.3.4); undefined
// bits are ignored and never acknowledged (§4.2.2.2).
func (m *MMIOTransport) AckInterrupt() uint32 {
	s := m.regs.Read32(MMIO_INTERRUPT_STATUS) & isrDefinedBits
	if s != 0 {
		m.regs.Write32(MMIO_INTERRUPT_ACK, s)
	}
	return s
}

// ConfigGeneration implements Transport; legacy devices have none.
func (m *MMIOTransport) ConfigGeneration() uint32 {
	if m.legacy {
		return 0
	}
	return m.regs.Read32(MMIO_CONFIG_GENERATION)
}

// Config implements Transport: the space from offset 0x100.
func (m *MMIOTransport) Config() Registers { return Sub(m.regs, MMIO_CONFIG) }
