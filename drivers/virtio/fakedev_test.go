package virtio

import (
	"encoding/binary"
	"fmt"
)

// fakeDev is the transport-independent side of a virtio device, as the
// spec describes it to a driver: the status field and its rules (§2.1,
// §3.1), feature negotiation (§2.2), reset (§2.4), configuration space
// with its generation (§2.5) and the queues' set-up state. The transport
// fakes (fakeMMIO, fakeModernBAR, fakeLegacyIO) translate register
// accesses into calls on it. Every rule a driver breaks is recorded in
// violations; the tests require there be none.
type fakeDev struct {
	legacy  bool
	offered uint64
	// reject makes the device refuse FEATURES_OK for a feature set, as
	// §2.2.2 allows for combinations it cannot support.
	reject func(accepted uint64) bool

	accepted   uint64 // written by the driver since reset
	featWrites int
	status     uint8
	statusLog  []uint8 // every value the driver wrote
	// resetDelay is how many status reads after a reset still return
	// the old status: reset completes later (§2.4).
	resetDelay   int
	resetPending int
	preReset     uint8

	queues []fakeQueue

	config     []byte
	generation uint32
	// onConfigRead runs after each configuration read: tests change the
	// configuration there to model a device updating it mid-read.
	onConfigRead func(d *fakeDev)
	configReads  int

	isr      uint32
	notified []uint16

	// msixEntries is how many MSI-X vectors the device takes: a
	// larger vector number reads back as VIRTIO_MSI_NO_VECTOR.
	msixEntries  int
	configVector uint16

	violations []string
}

type fakeQueue struct {
	max                  uint16
	size                 uint16 // as the driver set it (modern), the fixed size (legacy PCI)
	desc, driver, device uint64
	enabled              bool
	notifyOff            uint16 // PCI modern
	msixVector           uint16 // PCI modern: queue_msix_vector
}

func newFakeDev(legacy bool, offered uint64, queueMax ...uint16) *fakeDev {
	d := &fakeDev{legacy: legacy, offered: offered, config: make([]byte, 32)}
	for _, m := range queueMax {
		d.queues = append(d.queues, fakeQueue{max: m, size: m})
	}
	return d
}

func (d *fakeDev) violate(format string, args ...any) {
	d.violations = append(d.violations, fmt.Sprintf(format, args...))
}

func (d *fakeDev) has(bit int) bool { return d.status&(1<<bit) != 0 }

// live records an access to anything but the status register: none is
// allowed between writing 0 to status and reading 0 back (§4.1.4.3.2).
func (d *fakeDev) live(what string) {
	if d.resetPending > 0 {
		d.violate("%s accessed before the reset completed", what)
	}
}

func (d *fakeDev) readStatus() uint8 {
	if d.resetPending > 0 {
		d.resetPending--
		return d.preReset
	}
	return d.status
}

func (d *fakeDev) writeStatus(s uint8) {
	d.statusLog = append(d.statusLog, s)
	if s == 0 {
		d.preReset = d.status
		if d.preReset == 0 {
			d.preReset = 1 << STATUS_ACKNOWLEDGE // still visibly resetting
		}
		d.resetPending = d.resetDelay
		d.status, d.accepted, d.featWrites, d.isr = 0, 0, 0, 0
		for i := range d.queues {
			q := &d.queues[i]
			*q = fakeQueue{max: q.max, size: q.max, notifyOff: q.notifyOff, msixVector: VIRTIO_MSI_NO_VECTOR}
		}
		d.configVector = VIRTIO_MSI_NO_VECTOR
		return
	}
	d.live("status (non-zero write)")
	if cleared := d.status &^ s; cleared != 0 {
		d.violate("status %#x -> %#x clears bits (§2.1.1: the driver MUST NOT clear a status bit)", d.status, s)
	}
	set := s &^ d.status
	if set&(1<<STATUS_FAILED) != 0 {
		d.status = s
		return
	}
	if set&(1<<STATUS_DRIVER) != 0 && s&(1<<STATUS_ACKNOWLEDGE) == 0 {
		d.violate("DRIVER set without ACKNOWLEDGE")
	}
	if set&(1<<STATUS_FEATURES_OK) != 0 {
		switch {
		case d.legacy:
			d.violate("FEATURES_OK set on a legacy device (§3.1.2)")
		case s&(1<<STATUS_DRIVER) == 0:
			d.violate("FEATURES_OK set before DRIVER")
		case d.featWrites == 0:
			d.violate("FEATURES_OK set before the driver wrote its features")
		}
		if d.accepted&^d.offered != 0 {
			d.violate("driver accepted %#x, not offered (%#x)", d.accepted&^d.offered, d.offered)
		}
		if d.accepted&(1<<VIRTIO_F_VERSION_1) == 0 || (d.reject != nil && d.reject(d.accepted)) {
			s &^= 1 << STATUS_FEATURES_OK // refused: the bit does not stick
		}
	}
	if set&(1<<STATUS_DRIVER_OK) != 0 {
		if s&(1<<STATUS_DRIVER) == 0 || (!d.legacy && s&(1<<STATUS_FEATURES_OK) == 0) {
			d.violate("DRIVER_OK set in status %#x: negotiation incomplete", s)
		}
		if d.accepted&^d.offered != 0 {
			d.violate("driver accepted %#x, not offered", d.accepted&^d.offered)
		}
	}
	d.status = s
}

// readFeatures returns 32 offered bits from word w (§2.2: only after
// DRIVER, step 4 of §3.1.1).
func (d *fakeDev) readFeatures(w uint32) uint32 {
	d.live("device features")
	if !d.has(STATUS_DRIVER) {
		d.violate("device features read before DRIVER was set")
	}
	if w >= 2 {
		return 0
	}
	return uint32(d.offered >> (32 * w))
}

func (d *fakeDev) writeFeatures(w, v uint32) {
	d.live("driver features")
	if !d.has(STATUS_DRIVER) {
		d.violate("driver features written before DRIVER was set")
	}
	if d.has(STATUS_FEATURES_OK) {
		d.violate("driver features written after FEATURES_OK (§3.1.1 step 5)")
	}
	if w >= 2 {
		if v != 0 {
			d.violate("driver accepted bits in feature word %d", w)
		}
		return
	}
	d.featWrites++
	d.accepted = d.accepted&^(0xFFFF_FFFF<<(32*w)) | uint64(v)<<(32*w)
}

// queue returns queue q for a set-up access, checking that set-up
// happens at step 7 of §3.1.1: after FEATURES_OK (modern) or DRIVER
// (legacy), before DRIVER_OK.
func (d *fakeDev) queue(q uint32, what string) *fakeQueue {
	d.live(what)
	switch {
	case !d.legacy && !d.has(STATUS_FEATURES_OK):
		d.violate("%s of queue %d before FEATURES_OK", what, q)
	case d.legacy && !d.has(STATUS_DRIVER):
		d.violate("%s of queue %d before DRIVER", what, q)
	case d.has(STATUS_DRIVER_OK):
		d.violate("%s of queue %d after DRIVER_OK", what, q)
	}
	if int(q) >= len(d.queues) {
		d.violate("%s of queue %d, which does not exist", what, q)
		return &fakeQueue{}
	}
	return &d.queues[q]
}

// maxOf returns queue q's maximum, 0 if it does not exist.
func (d *fakeDev) maxOf(q uint32) uint16 {
	d.live("queue maximum")
	if int(q) >= len(d.queues) {
		return 0
	}
	return d.queues[q].max
}

// enable checks a queue the driver enables: a power-of-two size within
// the maximum (§2.7) and areas with the alignments of §2.7.
func (d *fakeDev) enable(q uint32, fq *fakeQueue) {
	if fq.enabled {
		d.violate("queue %d enabled twice", q)
	}
	if fq.size == 0 || fq.size&(fq.size-1) != 0 || fq.size > fq.max {
		d.violate("queue %d enabled with size %d (max %d)", q, fq.size, fq.max)
	}
	if fq.desc == 0 || fq.driver == 0 || fq.device == 0 {
		d.violate("queue %d enabled with an area at 0: %#x/%#x/%#x", q, fq.desc, fq.driver, fq.device)
	}
	if fq.desc%16 != 0 || fq.driver%2 != 0 || fq.device%4 != 0 {
		d.violate("queue %d areas misaligned: %#x/%#x/%#x", q, fq.desc, fq.driver, fq.device)
	}
	fq.enabled = true
}

func (d *fakeDev) notify(v uint32) {
	d.live("notify")
	if !d.has(STATUS_DRIVER_OK) {
		d.violate("notification before DRIVER_OK (§3.1.1)")
	}
	if int(v) >= len(d.queues) || !d.queues[v].enabled {
		d.violate("notification for queue %d, which is not enabled", v)
	}
	d.notified = append(d.notified, uint16(v))
}

// legacyRings places a legacy queue's parts the way the device computes
// them from its page number (§2.7.2): the table at the page, the
// available ring right after, the used ring at the next align boundary.
func legacyRings(desc uint64, size uint16, align uint64) (driver, device uint64) {
	n := uint64(size)
	driver = desc + 16*n
	device = (driver + 6 + 2*n + align - 1) &^ (align - 1)
	return driver, device
}

// configRead reads width bytes of configuration at off.
func (d *fakeDev) configRead(off uint32, width int) uint32 {
	d.live("configuration")
	if off%uint32(width) != 0 {
		d.violate("configuration read of %d bytes at %#x is misaligned", width, off)
	}
	if int(off)+width > len(d.config) {
		d.violate("configuration read at %#x beyond its %d bytes", off, len(d.config))
		return 0
	}
	var v uint32
	switch width {
	case 1:
		v = uint32(d.config[off])
	case 2:
		v = uint32(binary.LittleEndian.Uint16(d.config[off:]))
	case 4:
		v = binary.LittleEndian.Uint32(d.config[off:])
	}
	d.configReads++
	if d.onConfigRead != nil {
		d.onConfigRead(d)
	}
	return v
}

func (d *fakeDev) configWrite(off uint32, width int, v uint32) {
	d.live("configuration")
	if int(off)+width > len(d.config) {
		d.violate("configuration write at %#x beyond its %d bytes", off, len(d.config))
		return
	}
	for i := range width {
		d.config[int(off)+i] = byte(v >> (8 * i))
	}
}
