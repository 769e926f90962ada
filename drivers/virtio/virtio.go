package virtio

import (
	"errors"
	"fmt"
)

// DeviceType is a Virtio Device ID (§5, "Device Types").
type DeviceType uint32

// Device types this kernel knows by name.
const (
	Net     DeviceType = 1
	Block   DeviceType = 2
	Console DeviceType = 3
	Entropy DeviceType = 4
	NineP   DeviceType = 9 // 9P transport (§5.20 lists it; the device follows the 9P2000.L protocol)
)

func (t DeviceType) String() string {
	switch t {
	case Net:
		return "net"
	case Block:
		return "block"
	case Console:
		return "console"
	case Entropy:
		return "entropy"
	case NineP:
		return "9p"
	}
	return fmt.Sprintf("type %d", uint32(t))
}

// Device status field (§2.1), as bit positions: ACKNOWLEDGE is 1 in the
// spec's notation, 1<<STATUS_ACKNOWLEDGE here.
const (
	STATUS_ACKNOWLEDGE        = 0 // the guest found the device (1)
	STATUS_DRIVER             = 1 // the guest can drive it (2)
	STATUS_DRIVER_OK          = 2 // the driver is ready: the device is live (4)
	STATUS_FEATURES_OK        = 3 // feature negotiation is complete (8)
	STATUS_DEVICE_NEEDS_RESET = 6 // the device hit an error it cannot recover from (64)
	STATUS_FAILED             = 7 // the driver gave up on the device (128)
)

// Reserved feature bits (§6) and the legacy ones (§6.3).
const (
	VIRTIO_F_NOTIFY_ON_EMPTY   = 24 // legacy
	VIRTIO_F_ANY_LAYOUT        = 27 // legacy
	VIRTIO_F_INDIRECT_DESC     = 28
	VIRTIO_F_EVENT_IDX         = 29
	VIRTIO_F_VERSION_1         = 32 // compliance with VIRTIO 1.x: the modern interface
	VIRTIO_F_ACCESS_PLATFORM   = 33
	VIRTIO_F_RING_PACKED       = 34
	VIRTIO_F_IN_ORDER          = 35
	VIRTIO_F_ORDER_PLATFORM    = 36
	VIRTIO_F_SR_IOV            = 37
	VIRTIO_F_NOTIFICATION_DATA = 38
	VIRTIO_F_NOTIF_CONFIG_DATA = 39
	VIRTIO_F_RING_RESET        = 40
)

const (
	legacyFeatureWords = 1 // legacy interfaces carry feature bits 0-31 only
	featureWords       = 2 // this package negotiates bits 0-63

	// unsupportedTransportFeature are the transport features the
	// transports here do not implement, which Init never accepts:
	// notifications with data, queue reset, SR-IOV.
	unsupportedTransportFeature = 1<<VIRTIO_F_NOTIFICATION_DATA | 1<<VIRTIO_F_NOTIF_CONFIG_DATA |
		1<<VIRTIO_F_RING_RESET | 1<<VIRTIO_F_SR_IOV
)

// Interrupt status bits, as bit positions: the PCI ISR status
// (§4.1.4.5) and MMIO InterruptStatus (§4.2.2) agree.
const (
	ISR_QUEUE  = 0 // used buffer notification
	ISR_CONFIG = 1 // configuration change notification

	isrDefinedBits = 1<<ISR_QUEUE | 1<<ISR_CONFIG
)

// LegacyQueueAlign is the page size and used-ring alignment of legacy
// queues: fixed for legacy PCI (§4.1.5.1.3.1), and what this package
// writes to legacy MMIO's GuestPageSize and QueueAlign (§4.2.4).
const LegacyQueueAlign = 4096

// QueueAddrs are the guest-physical addresses of a split virtqueue's
// three parts (§2.7): the descriptor table, the driver (available) area
// and the device (used) area, as virtq.Queue.Areas returns them.
type QueueAddrs struct {
	Desc, Driver, Device uint64
}

// Transport is a virtio device on some bus, as a device driver uses it.
// The package doc says which methods may run concurrently.
type Transport interface {
	// Type is the device's Virtio Device ID.
	Type() DeviceType

	// Legacy reports whether the device is driven through a legacy
	// interface: 32 feature bits, no FEATURES_OK step (§3.1.2), queues
	// in the legacy layout (§2.7.2) and guest-native configuration
	// space. The virtq must be laid out to match.
	Legacy() bool

	// Status reads the device status; SetStatus writes it (0 resets
	// the device; Reset waits for that to complete).
	Status() uint8
	SetStatus(s uint8)

	// DeviceFeatures reads the feature bits the device offers;
	// SetDriverFeatures writes those the driver accepts.
	DeviceFeatures() uint64
	SetDriverFeatures(f uint64)

	// QueueSize returns the size to lay queue q out with: want (a power
	// of two) or the device's maximum if that is smaller, or the
	// device's own size on legacy PCI, which cannot be negotiated. It
	// fails if the queue does not exist or is already in use.
	QueueSize(q, want uint16) (uint16, error)

	// SetupQueue tells the device where queue q of the given size lies
	// and enables it. Legacy transports check that a lies in the legacy
	// layout (§2.7.2) starting on a LegacyQueueAlign boundary.
	SetupQueue(q, size uint16, a QueueAddrs) error

	// Notify sends an available buffer notification for queue q (§2.9;
	// without VIRTIO_F_NOTIFICATION_DATA, which Init never accepts).
	Notify(q uint16)

	// AckInterrupt reads which events raised the device's interrupt
	// (1<<ISR_QUEUE, 1<<ISR_CONFIG) and acknowledges them.
	AckInterrupt() uint32

	// ConfigGeneration is the configuration atomicity value (§2.5);
	// always 0 for legacy devices, which have none.
	ConfigGeneration() uint32

	// Config is the device-specific configuration space; nil when the
	// device has none. ReadConfig reads it consistently.
	Config() Registers
}

// Errors. Init and the transports wrap them with details; test with
// errors.Is.
var (
	ErrNotVirtio        = errors.New("virtio: not a virtio device")
	ErrNoDevice         = errors.New("virtio: placeholder transport with device ID 0")
	ErrFeaturesRejected = errors.New("virtio: device rejected the negotiated features (FEATURES_OK did not stick)")
	ErrNoVersion1       = errors.New("virtio: modern device does not offer VIRTIO_F_VERSION_1")
	ErrNoQueue          = errors.New("virtio: queue not available")
	ErrQueueInUse       = errors.New("virtio: queue already in use")
	ErrQueueSize        = errors.New("virtio: bad queue size")
	ErrQueueLayout      = errors.New("virtio: queue addresses do not fit the transport")
	ErrDeviceNeedsReset = errors.New("virtio: device needs reset")
	ErrResetTimeout     = errors.New("virtio: device did not complete reset")
	ErrConfigUnstable   = errors.New("virtio: configuration kept changing while read")
)

// checkQueueAddrs checks the alignments of §2.7 (descriptor table 16,
// driver area 2, device area 4) and, for legacy, the layout of §2.7.2:
// one block starting on a LegacyQueueAlign boundary, the available ring
// right after the table, the used ring at the next boundary after the
// available ring's used_event.
func checkQueueAddrs(size uint16, a QueueAddrs, legacy bool) error {
	if a.Desc%16 != 0 || a.Driver%2 != 0 || a.Device%4 != 0 {
		return fmt.Errorf("%w: misaligned areas %#x/%#x/%#x (need 16/2/4)", ErrQueueLayout, a.Desc, a.Driver, a.Device)
	}
	if !legacy {
		return nil
	}
	n := uint64(size)
	driver := a.Desc + 16*n
	device := alignUp(driver+6+2*n, LegacyQueueAlign)
	if a.Desc%LegacyQueueAlign != 0 || a.Driver != driver || a.Device != device {
		return fmt.Errorf("%w: legacy queue of %d at %#x/%#x/%#x, want %#x-aligned table and rings at %#x/%#x",
			ErrQueueLayout, size, a.Desc, a.Driver, a.Device, LegacyQueueAlign, driver, device)
	}
	return nil
}

func alignUp(x, a uint64) uint64 { return (x + a - 1) &^ (a - 1) }

// chooseSize picks the size for a queue whose maximum is max.
func chooseSize(q, want, max uint16) (uint16, error) {
	if max == 0 {
		return 0, fmt.Errorf("%w: queue %d", ErrNoQueue, q)
	}
	if want == 0 || want&(want-1) != 0 {
		return 0, fmt.Errorf("%w: %d is not a power of two", ErrQueueSize, want)
	}
	for want > max {
		want >>= 1
	}
	return want, nil
}

// checkSize checks a size passed to SetupQueue: a power of two (§2.7)
// no larger than the device's maximum.
func checkSize(q, size, max uint16) error {
	if max == 0 {
		return fmt.Errorf("%w: queue %d", ErrNoQueue, q)
	}
	if size == 0 || size&(size-1) != 0 || size > max {
		return fmt.Errorf("%w: queue %d size %d (device maximum %d, power of two)", ErrQueueSize, q, size, max)
	}
	return nil
}
