package virtio

import (
	"encoding/binary"
	"fmt"

	"github.com/coracle-os/coracle/drivers/pci"
)

// QEMU's modern virtio-pci layout in BAR4, which the fakes copy: common
// configuration at 0, ISR at 0x1000, device configuration at 0x2000,
// notifications at 0x3000 with a notify_off_multiplier of 4.
const (
	modernCommon  = 0x0000
	modernISR     = 0x1000
	modernDevice  = 0x2000
	modernNotify  = 0x3000
	modernMult    = 4
	modernBARSize = 0x4000
)

// fakeModernBAR is the memory BAR of a modern virtio-pci device (§4.1.4)
// over a fakeDev. It enforces the access widths of §4.1.3.1 (each field
// at its own width; 64-bit fields as 32-bit halves), the read-only
// fields of §4.1.4.3.2, queue_size a power of two within the maximum, no
// write of 0 to queue_enable, and notifications carrying the index of
// the queue whose notify address was written (§4.1.5.2).
type fakeModernBAR struct {
	dev                  *fakeDev
	devSel, drvSel, qSel uint32
	addr                 [3][2]uint32 // queue_desc, queue_driver, queue_device halves
}

// commonWidth is the width of each common configuration field by offset
// (§4.1.4.3), 64-bit fields as two 32-bit halves.
var commonWidth = map[uint32]int{
	0x00: 4, 0x04: 4, 0x08: 4, 0x0c: 4, 0x10: 2, 0x12: 2, 0x14: 1, 0x15: 1,
	0x16: 2, 0x18: 2, 0x1a: 2, 0x1c: 2, 0x1e: 2,
	0x20: 4, 0x24: 4, 0x28: 4, 0x2c: 4, 0x30: 4, 0x34: 4, 0x38: 2, 0x3a: 2,
}

func (b *fakeModernBAR) region(off uint32, width int, op string) (string, uint32) {
	switch {
	case off < modernISR:
		if w, ok := commonWidth[off]; !ok || w != width {
			b.dev.violate("common configuration %#x %s with a %d-byte access (§4.1.3.1)", off, op, width)
		}
		return "common", off
	case off < modernDevice:
		if off != modernISR || width != 1 || op != "read" {
			b.dev.violate("ISR %s of %d bytes at %#x", op, width, off)
		}
		return "isr", off - modernISR
	case off < modernNotify:
		return "device", off - modernDevice
	case off < modernBARSize:
		if op != "write" || width != 2 {
			b.dev.violate("notify area %s of %d bytes at %#x", op, width, off)
		}
		return "notify", off - modernNotify
	}
	b.dev.violate("%s beyond BAR4 at %#x", op, off)
	return "", 0
}

func (b *fakeModernBAR) read(off uint32, width int) uint32 {
	r, o := b.region(off, width, "read")
	d := b.dev
	switch r {
	case "isr":
		v := d.isr
		d.isr = 0
		return v
	case "device":
		return d.configRead(o, width)
	case "notify", "":
		return 0
	}
	switch o {
	case COMMON_DEVICE_FEATURE_SELECT:
		return b.devSel
	case COMMON_DEVICE_FEATURE:
		return d.readFeatures(b.devSel)
	case COMMON_DRIVER_FEATURE_SELECT:
		return b.drvSel
	case COMMON_NUM_QUEUES:
		return uint32(len(d.queues))
	case COMMON_DEVICE_STATUS:
		return uint32(d.readStatus())
	case COMMON_CONFIG_GENERATION:
		return d.generation & 0xFF
	case COMMON_QUEUE_SELECT:
		return b.qSel
	case COMMON_QUEUE_SIZE:
		d.live("queue_size")
		if int(b.qSel) < len(d.queues) {
			return uint32(d.queues[b.qSel].size)
		}
		return 0
	case COMMON_QUEUE_ENABLE:
		d.live("queue_enable")
		if int(b.qSel) < len(d.queues) && d.queues[b.qSel].enabled {
			return 1
		}
		return 0
	case COMMON_QUEUE_MSIX_VECTOR:
		return uint32(d.queue(b.qSel, "queue_msix_vector").msixVector)
	case COMMON_CONFIG_MSIX_VECTOR:
		return uint32(d.configVector)
	case COMMON_QUEUE_NOTIFY_OFF:
		d.live("queue_notify_off")
		if int(b.qSel) < len(d.queues) {
			return uint32(d.queues[b.qSel].notifyOff)
		}
		return 0
	}
	d.violate("unexpected read of common configuration %#x", o)
	return 0
}

func (b *fakeModernBAR) write(off uint32, width int, v uint32) {
	r, o := b.region(off, width, "write")
	d := b.dev
	switch r {
	case "device":
		d.configWrite(o, width, v)
		return
	case "notify":
		for i, q := range d.queues {
			if uint32(q.notifyOff)*modernMult == o {
				if v != uint32(i) {
					d.violate("notify address of queue %d written with %d", i, v)
				}
				d.notify(uint32(i))
				return
			}
		}
		d.violate("notify write at %#x, no queue's address", o)
		return
	case "isr", "":
		return
	}
	switch o {
	case COMMON_DEVICE_FEATURE_SELECT:
		b.devSel = v
	case COMMON_DRIVER_FEATURE_SELECT:
		b.drvSel = v
	case COMMON_DRIVER_FEATURE:
		d.writeFeatures(b.drvSel, v)
	case COMMON_DEVICE_STATUS:
		d.writeStatus(uint8(v))
	case COMMON_QUEUE_SELECT:
		b.qSel = v
	case COMMON_QUEUE_SIZE:
		q := d.queue(b.qSel, "queue_size")
		if q.enabled {
			d.violate("queue_size written while queue %d is enabled", b.qSel)
		}
		if v == 0 || v&(v-1) != 0 || v > uint32(q.max) {
			d.violate("queue_size %d: not a power of two within %d (§4.1.4.3.2)", v, q.max)
		}
		q.size = uint16(v)
	case COMMON_QUEUE_ENABLE:
		q := d.queue(b.qSel, "queue_enable")
		if v != 1 {
			d.violate("queue_enable written with %d (§4.1.4.3.2: never 0)", v)
			return
		}
		q.desc = uint64(b.addr[0][1])<<32 | uint64(b.addr[0][0])
		q.driver = uint64(b.addr[1][1])<<32 | uint64(b.addr[1][0])
		q.device = uint64(b.addr[2][1])<<32 | uint64(b.addr[2][0])
		b.addr = [3][2]uint32{}
		d.enable(b.qSel, q)
	case COMMON_QUEUE_DESC, COMMON_QUEUE_DESC + 4, COMMON_QUEUE_DRIVER, COMMON_QUEUE_DRIVER + 4,
		COMMON_QUEUE_DEVICE, COMMON_QUEUE_DEVICE + 4:
		q := d.queue(b.qSel, "queue address")
		if q.enabled {
			d.violate("queue address written while queue %d is enabled", b.qSel)
		}
		i := (o - COMMON_QUEUE_DESC) / 8
		b.addr[i][(o%8)/4] = v
	case COMMON_CONFIG_MSIX_VECTOR:
		d.configVector = d.msixVector(v)
	case COMMON_QUEUE_MSIX_VECTOR:
		q := d.queue(b.qSel, "queue_msix_vector")
		if q.enabled {
			d.violate("queue_msix_vector written while queue %d is enabled", b.qSel)
		}
		q.msixVector = d.msixVector(v)
	default:
		d.violate("write of read-only common configuration field %#x", o)
	}
}

func (b *fakeModernBAR) Read8(off uint32) uint8       { return uint8(b.read(off, 1)) }
func (b *fakeModernBAR) Read16(off uint32) uint16     { return uint16(b.read(off, 2)) }
func (b *fakeModernBAR) Read32(off uint32) uint32     { return b.read(off, 4) }
func (b *fakeModernBAR) Write8(off uint32, v uint8)   { b.write(off, 1, uint32(v)) }
func (b *fakeModernBAR) Write16(off uint32, v uint16) { b.write(off, 2, uint32(v)) }
func (b *fakeModernBAR) Write32(off uint32, v uint32) { b.write(off, 4, v) }

// fakeLegacyIO is the legacy virtio-pci header in I/O BAR0 (§4.1.4.10)
// over a fakeDev: natural widths, read-only fields, a fixed queue size,
// and the queue located from its PFN with the 4096-byte alignment of
// §4.1.5.1.3.1. msix moves the device configuration to 0x18.
type fakeLegacyIO struct {
	dev  *fakeDev
	qSel uint32
	pfn  []uint32
	msix bool
}

var legacyWidth = map[uint32]int{0x00: 4, 0x04: 4, 0x08: 4, 0x0c: 2, 0x0e: 2, 0x10: 2, 0x12: 1, 0x13: 1}

func (l *fakeLegacyIO) configStart() uint32 {
	if l.msix {
		return LEGACY_CONFIG_MSIX
	}
	return LEGACY_CONFIG
}

func (l *fakeLegacyIO) header(off uint32, width int, op string) bool {
	if off >= l.configStart() {
		return false
	}
	if w, ok := legacyWidth[off]; !ok || w != width {
		l.dev.violate("legacy header %#x %s with a %d-byte access", off, op, width)
	}
	return true
}

func (l *fakeLegacyIO) read(off uint32, width int) uint32 {
	d := l.dev
	if !l.header(off, width, "read") {
		return d.configRead(off-l.configStart(), width)
	}
	switch off {
	case LEGACY_DEVICE_FEATURES:
		return d.readFeatures(0)
	case LEGACY_DRIVER_FEATURES:
		return uint32(d.accepted)
	case LEGACY_QUEUE_ADDRESS:
		d.live("Queue Address")
		if int(l.qSel) < len(l.pfn) {
			return l.pfn[l.qSel]
		}
		return 0
	case LEGACY_QUEUE_SIZE:
		return uint32(d.maxOf(l.qSel))
	case LEGACY_QUEUE_SELECT:
		return l.qSel
	case LEGACY_DEVICE_STATUS:
		return uint32(d.readStatus())
	case LEGACY_ISR_STATUS:
		v := d.isr
		d.isr = 0
		return v
	}
	return 0
}

func (l *fakeLegacyIO) write(off uint32, width int, v uint32) {
	d := l.dev
	if !l.header(off, width, "write") {
		d.configWrite(off-l.configStart(), width, v)
		return
	}
	switch off {
	case LEGACY_DRIVER_FEATURES:
		d.writeFeatures(0, v)
	case LEGACY_QUEUE_ADDRESS:
		q := d.queue(l.qSel, "Queue Address")
		if int(l.qSel) >= len(l.pfn) {
			return
		}
		l.pfn[l.qSel] = v
		if v == 0 {
			q.enabled = false
			return
		}
		q.size = q.max // fixed: there is no way to negotiate it
		q.desc = uint64(v) << 12
		q.driver, q.device = legacyRings(q.desc, q.size, LegacyQueueAlign)
		d.enable(l.qSel, q)
	case LEGACY_QUEUE_SELECT:
		l.qSel = v
	case LEGACY_QUEUE_NOTIFY:
		d.notify(v)
	case LEGACY_DEVICE_STATUS:
		d.writeStatus(uint8(v))
		if v == 0 {
			clear(l.pfn)
		}
	default:
		d.violate("write of read-only legacy header field %#x", off)
	}
}

func (l *fakeLegacyIO) Read8(off uint32) uint8       { return uint8(l.read(off, 1)) }
func (l *fakeLegacyIO) Read16(off uint32) uint16     { return uint16(l.read(off, 2)) }
func (l *fakeLegacyIO) Read32(off uint32) uint32     { return l.read(off, 4) }
func (l *fakeLegacyIO) Write8(off uint32, v uint8)   { l.write(off, 1, uint32(v)) }
func (l *fakeLegacyIO) Write16(off uint32, v uint16) { l.write(off, 2, uint32(v)) }
func (l *fakeLegacyIO) Write32(off uint32, v uint32) { l.write(off, 4, v) }

// fakeResources hands out the fakes' registers by address, as the kernel
// hands out mappings, and records what was mapped.
type fakeResources struct {
	mem    map[uint64]Registers
	ports  map[uint16]Registers
	mapped []string
}

func newFakeResources() *fakeResources {
	return &fakeResources{mem: map[uint64]Registers{}, ports: map[uint16]Registers{}}
}

func (r *fakeResources) Memory(pa, size uint64) (Registers, error) {
	r.mapped = append(r.mapped, fmt.Sprintf("mem %#x+%#x", pa, size))
	if regs, ok := r.mem[pa]; ok {
		return regs, nil
	}
	return nil, fmt.Errorf("no device memory at %#x", pa)
}

func (r *fakeResources) IOPorts(base uint16, size uint32) (Registers, error) {
	r.mapped = append(r.mapped, fmt.Sprintf("io %#x+%#x", base, size))
	if regs, ok := r.ports[base]; ok {
		return regs, nil
	}
	return nil, fmt.Errorf("no ports at %#x", base)
}

// fakeCfg is PCI configuration space for the functions the virtio tests
// need: plain bytes, with BARs that read back their size mask after all
// ones are written (PCI 3.0 §6.2.5.1). The pci package's own tests model
// configuration space in depth.
type fakeCfg struct{ fns map[[3]uint8]*cfgFn }

type cfgFn struct {
	b       [256]byte
	barMask [6]uint32 // writable address bits
}

func (c *fakeCfg) Read32(bus, dev, fn uint8, off uint16) uint32 {
	f, ok := c.fns[[3]uint8{bus, dev, fn}]
	if !ok || off >= 256 {
		return 0xFFFF_FFFF
	}
	return binary.LittleEndian.Uint32(f.b[off:])
}

func (c *fakeCfg) Write32(bus, dev, fn uint8, off uint16, v uint32) {
	f, ok := c.fns[[3]uint8{bus, dev, fn}]
	if !ok || off >= 256 {
		return
	}
	if off >= pci.BAR0 && off < pci.BAR0+24 {
		i := (off - pci.BAR0) / 4
		old := binary.LittleEndian.Uint32(f.b[off:])
		v = old&^f.barMask[i] | v&f.barMask[i]
	}
	if off == pci.COMMAND {
		v &= 0xFFFF // status: RW1C, not modelled
	}
	binary.LittleEndian.PutUint32(f.b[off:], v)
}

// virtioFn builds a virtio function: ids, class network, BARs as given
// (index: kind, address, size) and a capability list.
type barSpec struct {
	kind       pci.BARKind
	addr, size uint64
}

func virtioFn(deviceID, subsysID uint16, rev uint8, bars map[int]barSpec, caps [][]byte, capAt []uint8) *cfgFn {
	f := &cfgFn{}
	binary.LittleEndian.PutUint16(f.b[pci.VENDOR_ID:], PCI_VENDOR_ID)
	binary.LittleEndian.PutUint16(f.b[pci.DEVICE_ID:], deviceID)
	binary.LittleEndian.PutUint32(f.b[pci.REVISION_ID:], uint32(rev)|0x020000<<8)
	binary.LittleEndian.PutUint16(f.b[pci.SUBSYSTEM_VENDOR_ID:], PCI_VENDOR_ID)
	binary.LittleEndian.PutUint16(f.b[pci.SUBSYSTEM_ID:], subsysID)
	f.b[pci.INTERRUPT_LINE], f.b[pci.INTERRUPT_PIN] = 11, 1
	for i, s := range bars {
		off := pci.BAR0 + 4*i
		mask := ^(s.size - 1)
		switch s.kind {
		case pci.BARIO:
			binary.LittleEndian.PutUint32(f.b[off:], uint32(s.addr)|1)
			f.barMask[i] = uint32(mask) &^ 3
		case pci.BARMem32:
			binary.LittleEndian.PutUint32(f.b[off:], uint32(s.addr))
			f.barMask[i] = uint32(mask) &^ 0xF
		case pci.BARMem64:
			binary.LittleEndian.PutUint32(f.b[off:], uint32(s.addr)|pci.BAR_MEM_TYPE_64<<pci.BAR_MEM_TYPE|1<<pci.BAR_MEM_PREFETCH)
			binary.LittleEndian.PutUint32(f.b[off+4:], uint32(s.addr>>32))
			f.barMask[i] = uint32(mask) &^ 0xF
			f.barMask[i+1] = uint32(mask >> 32)
		}
	}
	if len(caps) > 0 {
		f.b[pci.STATUS] |= 1 << pci.STATUS_CAP_LIST
		f.b[pci.CAPABILITIES_PTR] = capAt[0]
		for i, c := range caps {
			at := capAt[i]
			copy(f.b[at:], c)
			if i+1 < len(caps) {
				f.b[at+1] = capAt[i+1]
			}
		}
	}
	return f
}

// vcap builds a struct virtio_pci_cap (§4.1.4) with cap_next 0.
func vcap(cfgType, bar uint8, offset, length uint32, extra ...uint32) []byte {
	b := []byte{pci.CAP_ID_VNDR, 0, byte(CAP_SIZE + 4*len(extra)), cfgType, bar, 0, 0, 0}
	b = binary.LittleEndian.AppendUint32(b, offset)
	b = binary.LittleEndian.AppendUint32(b, length)
	for _, x := range extra {
		b = binary.LittleEndian.AppendUint32(b, x)
	}
	return b
}

// modernCaps are QEMU's capabilities for the BAR4 layout, in QEMU's list
// order (PCI_CFG first: QEMU adds it last and the list is built head
// first).
func modernCaps() ([][]byte, []uint8) {
	return [][]byte{
			vcap(VIRTIO_PCI_CAP_PCI_CFG, 0, 0, 0, 0),
			vcap(VIRTIO_PCI_CAP_NOTIFY_CFG, 4, modernNotify, 0x1000, modernMult),
			vcap(VIRTIO_PCI_CAP_DEVICE_CFG, 4, modernDevice, 0x1000),
			vcap(VIRTIO_PCI_CAP_ISR_CFG, 4, modernISR, 0x1000),
			vcap(VIRTIO_PCI_CAP_COMMON_CFG, 4, modernCommon, 0x1000),
		},
		[]uint8{0x84, 0x70, 0x60, 0x50, 0x40}
}

// msixVector is what a vector field reads back after v is written: v if
// the device has that vector, VIRTIO_MSI_NO_VECTOR otherwise (§4.1.5.1.2).
func (d *fakeDev) msixVector(v uint32) uint16 {
	if v >= uint32(d.msixEntries) {
		return VIRTIO_MSI_NO_VECTOR
	}
	return uint16(v)
}

// memRegs is plain device memory, such as an MSI-X table.
type memRegs []byte

func (m memRegs) Read8(off uint32) uint8       { return m[off] }
func (m memRegs) Read16(off uint32) uint16     { return binary.LittleEndian.Uint16(m[off:]) }
func (m memRegs) Read32(off uint32) uint32     { return binary.LittleEndian.Uint32(m[off:]) }
func (m memRegs) Write8(off uint32, v uint8)   { m[off] = v }
func (m memRegs) Write16(off uint32, v uint16) { binary.LittleEndian.PutUint16(m[off:], v) }
func (m memRegs) Write32(off uint32, v uint32) { binary.LittleEndian.PutUint32(m[off:], v) }
