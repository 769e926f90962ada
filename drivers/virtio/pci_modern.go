package virtio

import (
	"errors"
	"fmt"

	"github.com/coracle-os/coracle/drivers/pci"
)

// struct virtio_pci_cap (§4.1.4): offsets from the capability, after the
// generic cap_vndr (0x09) and cap_next bytes.
const (
	CAP_LEN      = 2
	CAP_CFG_TYPE = 3
	CAP_BAR      = 4
	CAP_ID       = 5
	CAP_OFFSET   = 8  // le32, within the BAR
	CAP_LENGTH   = 12 // le32
	CAP_SIZE     = 16

	// struct virtio_pci_notify_cap (§4.1.4.4).
	NOTIFY_OFF_MULTIPLIER = 16 // le32
	NOTIFY_CAP_SIZE       = 20

	// cfg_type values.
	VIRTIO_PCI_CAP_COMMON_CFG        = 1
	VIRTIO_PCI_CAP_NOTIFY_CFG        = 2
	VIRTIO_PCI_CAP_ISR_CFG           = 3
	VIRTIO_PCI_CAP_DEVICE_CFG        = 4
	VIRTIO_PCI_CAP_PCI_CFG           = 5
	VIRTIO_PCI_CAP_SHARED_MEMORY_CFG = 8
	VIRTIO_PCI_CAP_VENDOR_CFG        = 9

	maxBAR = 5 // bar values above are reserved
)

// struct virtio_pci_common_cfg (§4.1.4.3), offsets in the common
// configuration structure. Access widths follow the field widths
// (§4.1.3.1); 64-bit fields are written as two 32-bit halves, low first.
const (
	COMMON_DEVICE_FEATURE_SELECT = 0x00 // le32
	COMMON_DEVICE_FEATURE        = 0x04 // le32, read-only
	COMMON_DRIVER_FEATURE_SELECT = 0x08 // le32
	COMMON_DRIVER_FEATURE        = 0x0c // le32
	COMMON_CONFIG_MSIX_VECTOR    = 0x10 // le16
	COMMON_NUM_QUEUES            = 0x12 // le16, read-only
	COMMON_DEVICE_STATUS         = 0x14 // u8; writing 0 resets
	COMMON_CONFIG_GENERATION     = 0x15 // u8, read-only
	COMMON_QUEUE_SELECT          = 0x16 // le16
	COMMON_QUEUE_SIZE            = 0x18 // le16: maximum on reset, 0 = no queue
	COMMON_QUEUE_MSIX_VECTOR     = 0x1a // le16
	COMMON_QUEUE_ENABLE          = 0x1c // le16
	COMMON_QUEUE_NOTIFY_OFF      = 0x1e // le16, read-only
	COMMON_QUEUE_DESC            = 0x20 // le64
	COMMON_QUEUE_DRIVER          = 0x28 // le64
	COMMON_QUEUE_DEVICE          = 0x30 // le64
	COMMON_QUEUE_NOTIFY_DATA     = 0x38 // le16, only with VIRTIO_F_NOTIF_CONFIG_DATA
	COMMON_QUEUE_RESET           = 0x3a // le16, only with VIRTIO_F_RING_RESET

	commonMinLen = COMMON_QUEUE_NOTIFY_DATA // VIRTIO 1.0's structure
	notifyMinLen = 2                        // one 16-bit queue index
	isrMinLen    = 1
)

// PCITransport is a modern virtio-pci device (§4.1.4): its structures
// live in BARs found through vendor-specific capabilities. It implements
// Transport.
type PCITransport struct {
	typ        DeviceType
	common     Registers
	isr        Registers
	device     Registers // nil if the device has no configuration
	notify     Registers
	notifyLen  uint32
	notifyMult uint32

	// notifyOff is each set-up queue's byte offset in notify, plus one
	// (0: not set up). Written by SetupQueue before DRIVER_OK, read by
	// Notify after.
	notifyOff []uint32

	pdev *pci.Device
	bars *barMapper
	// msix: UseMSIX programmed table entry 0, and SetupQueue maps every
	// queue to it.
	msix bool
}

var _ Transport = (*PCITransport)(nil)

// virtioCap is one struct virtio_pci_cap as read from configuration
// space.
type virtioCap struct {
	pos            uint8 // in configuration space
	cfgType, bar   uint8
	offset, length uint32
	notifyMult     uint32
}

// readVirtioCaps returns d's virtio structure capabilities in list order,
// skipping those the driver must ignore (§4.1.4.1: reserved cfg_type or
// bar; and any too short to hold what it describes).
func readVirtioCaps(d *pci.Device) []virtioCap {
	var caps []virtioCap
	for _, c := range d.Capabilities {
		if c.ID != pci.CAP_ID_VNDR {
			continue
		}
		pos := uint16(c.Offset)
		vc := virtioCap{
			pos:     c.Offset,
			cfgType: d.Read8(pos + CAP_CFG_TYPE),
			bar:     d.Read8(pos + CAP_BAR),
		}
		n := d.Read8(pos + CAP_LEN)
		if n < CAP_SIZE || vc.bar > maxBAR {
			continue
		}
		switch vc.cfgType {
		case VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_CAP_DEVICE_CFG:
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			if n < NOTIFY_CAP_SIZE {
				continue
			}
			vc.notifyMult = d.Read32(pos + NOTIFY_OFF_MULTIPLIER)
		default:
			continue // PCI_CFG and others: not used here
		}
		vc.offset = d.Read32(pos + CAP_OFFSET)
		vc.length = d.Read32(pos + CAP_LENGTH)
		caps = append(caps, vc)
	}
	return caps
}

func hasVirtioCaps(d *pci.Device) bool {
	for _, c := range readVirtioCaps(d) {
		if c.cfgType == VIRTIO_PCI_CAP_COMMON_CFG {
			return true
		}
	}
	return false
}

// NewModernPCI finds the common, notify, ISR and device structures of a
// modern virtio-pci function — the first usable capability of each type,
// in the device's order of preference (§4.1.4.1) — maps their BARs
// through res, and enables the decoding they need and bus mastering in
// the Command register.
func NewModernPCI(d *pci.Device, res Resources) (*PCITransport, error) {
	typ, _, ok := PCIType(d)
	if !ok {
		return nil, fmt.Errorf("%w: PCI %v", ErrNotVirtio, d)
	}
	t := &PCITransport{typ: typ}
	m := &barMapper{d: d, res: res}
	caps := readVirtioCaps(d)
	var errs []error
	find := func(cfgType uint8, minLen uint32) (Registers, virtioCap) {
		for _, c := range caps {
			if c.cfgType != cfgType {
				continue
			}
			if c.length < minLen {
				errs = append(errs, fmt.Errorf("cap %#x: %d-byte structure of type %d, need %d", c.pos, c.length, cfgType, minLen))
				continue
			}
			r, err := m.bar(c.bar, uint64(c.offset), uint64(c.length))
			if err != nil {
				errs = append(errs, err)
				continue
			}
			return r, c
		}
		return nil, virtioCap{}
	}
	var nc virtioCap
	t.common, _ = find(VIRTIO_PCI_CAP_COMMON_CFG, commonMinLen)
	t.notify, nc = find(VIRTIO_PCI_CAP_NOTIFY_CFG, notifyMinLen)
	t.isr, _ = find(VIRTIO_PCI_CAP_ISR_CFG, isrMinLen)
	t.device, _ = find(VIRTIO_PCI_CAP_DEVICE_CFG, 0)
	if t.common == nil || t.notify == nil || t.isr == nil {
		err := fmt.Errorf("virtio: PCI %v: no usable common, notify or ISR structure", d)
		return nil, errors.Join(append([]error{err}, errs...)...)
	}
	t.notifyLen, t.notifyMult = nc.length, nc.notifyMult
	t.pdev, t.bars = d, m
	d.Enable(m.cmd | 1<<pci.COMMAND_BUS_MASTER)
	return t, nil
}

// Type implements Transport.
func (t *PCITransport) Type() DeviceType { return t.typ }

// Legacy implements Transport: false.
func (t *PCITransport) Legacy() bool { return false }

// Status implements Transport.
func (t *PCITransport) Status() uint8 { return t.common.Read8(COMMON_DEVICE_STATUS) }

// SetStatus implements Transport.
func (t *PCITransport) SetStatus(s uint8) { t.common.Write8(COMMON_DEVICE_STATUS, s) }

// DeviceFeatures implements Transport.
func (t *PCITransport) DeviceFeatures() uint64 {
	var f uint64
	for w := range featureWords {
		t.common.Write32(COMMON_DEVICE_FEATURE_SELECT, uint32(w))
		f |= uint64(t.common.Read32(COMMON_DEVICE_FEATURE)) << (32 * w)
	}
	return f
}

// SetDriverFeatures implements Transport.
func (t *PCITransport) SetDriverFeatures(f uint64) {
	for w := range featureWords {
		t.common.Write32(COMMON_DRIVER_FEATURE_SELECT, uint32(w))
		t.common.Write32(COMMON_DRIVER_FEATURE, uint32(f>>(32*w)))
	}
}

// selectQueue selects q and returns its maximum size (queue_size as the
// device presents it before the driver writes it) and whether it is
// enabled.
func (t *PCITransport) selectQueue(q uint16) (max uint16, inUse bool) {
	t.common.Write16(COMMON_QUEUE_SELECT, q)
	if t.common.Read16(COMMON_QUEUE_ENABLE) != 0 {
		return 0, true
	}
	return t.common.Read16(COMMON_QUEUE_SIZE), false
}

// QueueSize implements Transport.
func (t *PCITransport) QueueSize(q, want uint16) (uint16, error) {
	max, inUse := t.selectQueue(q)
	if inUse {
		return 0, fmt.Errorf("%w: queue %d", ErrQueueInUse, q)
	}
	return chooseSize(q, want, max)
}

// SetupQueue implements Transport, following §4.1.5.1.3: size, the
// notification offset, the three addresses, then queue_enable.
func (t *PCITransport) SetupQueue(q, size uint16, a QueueAddrs) error {
	if err := checkQueueAddrs(size, a, false); err != nil {
		return err
	}
	max, inUse := t.selectQueue(q)
	if inUse {
		return fmt.Errorf("%w: queue %d", ErrQueueInUse, q)
	}
	if err := checkSize(q, size, max); err != nil {
		return err
	}
	off := uint32(t.common.Read16(COMMON_QUEUE_NOTIFY_OFF)) * t.notifyMult
	if uint64(off)+notifyMinLen > uint64(t.notifyLen) {
		return fmt.Errorf("%w: queue %d notifies at %#x, beyond the %#x-byte notify structure", ErrQueueLayout, q, off, t.notifyLen)
	}
	if t.msix {
		// Before queue_enable; the device answers NO_VECTOR if it
		// cannot use the vector (§4.1.5.1.2).
		t.common.Write16(COMMON_QUEUE_MSIX_VECTOR, 0)
		if v := t.common.Read16(COMMON_QUEUE_MSIX_VECTOR); v != 0 {
			return fmt.Errorf("virtio: PCI %v: queue %d refused MSI-X vector 0 (read back %#x)", t.pdev, q, v)
		}
	}
	t.common.Write16(COMMON_QUEUE_SIZE, size)
	write64(t.common, COMMON_QUEUE_DESC, a.Desc)
	write64(t.common, COMMON_QUEUE_DRIVER, a.Driver)
	write64(t.common, COMMON_QUEUE_DEVICE, a.Device)
	t.common.Write16(COMMON_QUEUE_ENABLE, 1)
	for int(q) >= len(t.notifyOff) {
		t.notifyOff = append(t.notifyOff, 0)
	}
	t.notifyOff[q] = off + 1
	return nil
}

// write64 writes a 64-bit field as two 32-bit halves, low first (§4.1.3).
func write64(r Registers, off uint32, v uint64) {
	r.Write32(off, uint32(v))
	r.Write32(off+4, uint32(v>>32))
}

// Notify implements Transport: the 16-bit queue index to the queue's
// notify address, cap.offset + queue_notify_off * notify_off_multiplier
// (§4.1.4.4, §4.1.5.2). Queues never set up are ignored.
func (t *PCITransport) Notify(q uint16) {
	if int(q) < len(t.notifyOff) && t.notifyOff[q] != 0 {
		t.notify.Write16(t.notifyOff[q]-1, q)
	}
}

// AckInterrupt implements Transport: reading the ISR status byte returns
// the events and clears them, de-asserting INTx (§4.1.4.5). Reserved
// bits are dropped.
func (t *PCITransport) AckInterrupt() uint32 {
	return uint32(t.isr.Read8(0)) & isrDefinedBits
}

// ConfigGeneration implements Transport.
func (t *PCITransport) ConfigGeneration() uint32 {
	return uint32(t.common.Read8(COMMON_CONFIG_GENERATION))
}

// Config implements Transport: the VIRTIO_PCI_CAP_DEVICE_CFG structure.
func (t *PCITransport) Config() Registers { return t.device }

// NumQueues returns num_queues, the most virtqueues the device supports.
func (t *PCITransport) NumQueues() uint16 { return t.common.Read16(COMMON_NUM_QUEUES) }
