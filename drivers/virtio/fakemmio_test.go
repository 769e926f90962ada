package virtio

import "fmt"

// fakeMMIO is a virtio-mmio register block (§4.2.2, legacy §4.2.4) over
// a fakeDev. It enforces §4.2.2.2: control registers only by aligned
// 32-bit accesses, no reads of write-only registers, no writes of
// read-only ones, no registers outside the version's table; the feature
// selectors written before the feature registers; QueueNum within
// QueueNumMax; queue registers left alone while a queue is ready; and
// for legacy devices GuestPageSize before QueuePFN, QueueNumMax only
// while QueuePFN is 0.
type fakeMMIO struct {
	dev      *fakeDev
	magic    uint32
	version  uint32
	deviceID uint32

	devSel, drvSel       uint32
	devSelSet, drvSelSet bool
	queueSel             uint32
	pageSize             uint32   // legacy GuestPageSize
	align                []uint32 // legacy QueueAlign, per queue
	pfn                  []uint32 // legacy QueuePFN, per queue
	addrLo, addrHi       [3]uint32

	log []string // registers accessed, in order
}

func newFakeMMIO(dev *fakeDev, deviceID uint32) *fakeMMIO {
	v := uint32(MMIO_VERSION_MODERN)
	if dev.legacy {
		v = MMIO_VERSION_LEGACY
	}
	n := len(dev.queues)
	return &fakeMMIO{dev: dev, magic: MMIO_MAGIC, version: v, deviceID: deviceID, align: make([]uint32, n), pfn: make([]uint32, n)}
}

func (m *fakeMMIO) legacy() bool { return m.version == MMIO_VERSION_LEGACY }

func (m *fakeMMIO) control(off uint32, width int, op string) bool {
	if off >= MMIO_CONFIG {
		return false
	}
	m.log = append(m.log, fmt.Sprintf("%s%d %#x", op, width, off))
	if width != 4 || off%4 != 0 {
		m.dev.violate("control register %#x %s with a %d-byte access (§4.2.2.2: 32-bit only)", off, op, width)
	}
	return true
}

func (m *fakeMMIO) Read8(off uint32) uint8 {
	if m.control(off, 1, "read") {
		return 0
	}
	return uint8(m.dev.configRead(off-MMIO_CONFIG, 1))
}

func (m *fakeMMIO) Read16(off uint32) uint16 {
	if m.control(off, 2, "read") {
		return 0
	}
	return uint16(m.dev.configRead(off-MMIO_CONFIG, 2))
}

func (m *fakeMMIO) Write8(off uint32, v uint8) {
	if !m.control(off, 1, "write") {
		m.dev.configWrite(off-MMIO_CONFIG, 1, uint32(v))
	}
}

func (m *fakeMMIO) Write16(off uint32, v uint16) {
	if !m.control(off, 2, "write") {
		m.dev.configWrite(off-MMIO_CONFIG, 2, uint32(v))
	}
}

func (m *fakeMMIO) Read32(off uint32) uint32 {
	if !m.control(off, 4, "read") {
		return m.dev.configRead(off-MMIO_CONFIG, 4)
	}
	d := m.dev
	switch {
	case off == MMIO_MAGIC_VALUE:
		return m.magic
	case off == MMIO_VERSION:
		return m.version
	case off == MMIO_DEVICE_ID:
		return m.deviceID
	case off == MMIO_VENDOR_ID:
		return 0x554D4551 // "QEMU"
	case off == MMIO_DEVICE_FEATURES:
		if !m.devSelSet {
			d.violate("DeviceFeatures read before DeviceFeaturesSel was written")
		}
		if m.legacy() && m.devSel != 0 {
			return 0
		}
		return d.readFeatures(m.devSel)
	case off == MMIO_QUEUE_NUM_MAX:
		if m.legacy() && int(m.queueSel) < len(m.pfn) && m.pfn[m.queueSel] != 0 {
			d.violate("QueueNumMax read while QueuePFN is set (§4.2.4)")
		}
		return uint32(d.maxOf(m.queueSel))
	case off == MMIO_QUEUE_READY && !m.legacy():
		d.live("QueueReady")
		if int(m.queueSel) < len(d.queues) && d.queues[m.queueSel].enabled {
			return 1
		}
		return 0
	case off == MMIO_QUEUE_PFN && m.legacy():
		d.live("QueuePFN")
		if int(m.queueSel) < len(m.pfn) {
			return m.pfn[m.queueSel]
		}
		return 0
	case off == MMIO_INTERRUPT_STATUS:
		return d.isr
	case off == MMIO_STATUS:
		return uint32(d.readStatus())
	case off == MMIO_CONFIG_GENERATION && !m.legacy():
		return d.generation
	}
	d.violate("read of register %#x: write-only or not in the version %d table", off, m.version)
	return 0
}

func (m *fakeMMIO) Write32(off uint32, v uint32) {
	if !m.control(off, 4, "write") {
		m.dev.configWrite(off-MMIO_CONFIG, 4, v)
		return
	}
	d := m.dev
	switch {
	case off == MMIO_DEVICE_FEATURES_SEL:
		m.devSel, m.devSelSet = v, true
	case off == MMIO_DRIVER_FEATURES_SEL:
		m.drvSel, m.drvSelSet = v, true
	case off == MMIO_DRIVER_FEATURES:
		if !m.drvSelSet {
			d.violate("DriverFeatures written before DriverFeaturesSel")
		}
		if m.legacy() && m.drvSel != 0 {
			if v != 0 {
				d.violate("legacy driver accepted bits in feature word %d", m.drvSel)
			}
			return
		}
		d.writeFeatures(m.drvSel, v)
	case off == MMIO_QUEUE_SEL:
		m.queueSel = v
	case off == MMIO_QUEUE_NUM:
		q := d.queue(m.queueSel, "QueueNum")
		m.checkIdle(q)
		if v > uint32(q.max) {
			d.violate("QueueNum %d above QueueNumMax %d", v, q.max)
		}
		q.size = uint16(v)
	case off == MMIO_QUEUE_READY && !m.legacy():
		q := d.queue(m.queueSel, "QueueReady")
		switch v {
		case 1:
			for i := range m.addrLo {
				addr := uint64(m.addrHi[i])<<32 | uint64(m.addrLo[i])
				switch i {
				case 0:
					q.desc = addr
				case 1:
					q.driver = addr
				case 2:
					q.device = addr
				}
			}
			m.addrLo, m.addrHi = [3]uint32{}, [3]uint32{}
			d.enable(m.queueSel, q)
		case 0:
			q.enabled = false
		default:
			d.violate("QueueReady written with %d", v)
		}
	case !m.legacy() && off >= MMIO_QUEUE_DESC_LOW && off <= MMIO_QUEUE_DEVICE_HIGH && off%0x10 <= 4:
		q := d.queue(m.queueSel, fmt.Sprintf("queue address register %#x", off))
		m.checkIdle(q)
		i := (off - MMIO_QUEUE_DESC_LOW) / 0x10
		if off%0x10 == 0 {
			m.addrLo[i] = v
		} else {
			m.addrHi[i] = v
		}
	case off == MMIO_GUEST_PAGE_SIZE && m.legacy():
		if v == 0 || v&(v-1) != 0 {
			d.violate("GuestPageSize %d is not a power of two", v)
		}
		m.pageSize = v
	case off == MMIO_QUEUE_ALIGN && m.legacy():
		q := d.queue(m.queueSel, "QueueAlign")
		m.checkIdle(q)
		if v == 0 || v&(v-1) != 0 {
			d.violate("QueueAlign %d is not a power of two", v)
		}
		if int(m.queueSel) < len(m.align) {
			m.align[m.queueSel] = v
		}
	case off == MMIO_QUEUE_PFN && m.legacy():
		q := d.queue(m.queueSel, "QueuePFN")
		if int(m.queueSel) >= len(m.pfn) {
			return
		}
		if v == 0 {
			m.pfn[m.queueSel], q.enabled = 0, false
			return
		}
		if m.pageSize == 0 {
			d.violate("QueuePFN written before GuestPageSize")
		}
		if m.align[m.queueSel] == 0 {
			d.violate("QueuePFN written before QueueAlign")
		}
		m.pfn[m.queueSel] = v
		q.desc = uint64(v) * uint64(m.pageSize)
		q.driver, q.device = legacyRings(q.desc, q.size, uint64(max(m.align[m.queueSel], 1)))
		d.enable(m.queueSel, q)
	case off == MMIO_QUEUE_NOTIFY:
		d.notify(v)
	case off == MMIO_INTERRUPT_ACK:
		if v&^(1<<ISR_QUEUE|1<<ISR_CONFIG) != 0 {
			d.violate("InterruptACK with undefined bits %#x", v)
		}
		d.isr &^= v
	case off == MMIO_STATUS:
		d.writeStatus(uint8(v))
		if v == 0 {
			clear(m.pfn)
			clear(m.align)
		}
	default:
		d.violate("write of register %#x: read-only or not in the version %d table", off, m.version)
	}
}

// checkIdle enforces §4.2.2.2: no queue set-up registers while the queue
// is ready (or, legacy, has a PFN).
func (m *fakeMMIO) checkIdle(q *fakeQueue) {
	if q.enabled {
		m.dev.violate("queue %d set-up register written while the queue is in use", m.queueSel)
	}
}
