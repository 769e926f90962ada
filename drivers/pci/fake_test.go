package pci

import (
	"encoding/binary"
	"fmt"
)

// fakeConfig models configuration space the way a host bridge and PCI
// functions present it (PCI 3.0 §6.1, §6.2): absent functions read all
// ones; each function has read-only, read-write and RW1C bits; BARs
// hardwire their low address bits to zero, so writing all ones reads back
// the size mask (§6.2.5.1); a device that is not multi-function answers
// on every function number, as some real ones do. Accesses that break
// the rules a driver must follow are recorded in violations.
type fakeConfig struct {
	fns        map[bdf]*fakeFn
	violations []string
	reads      int
}

type bdf struct{ bus, dev, fn uint8 }

func (b bdf) String() string { return fmt.Sprintf("%02x:%02x.%x", b.bus, b.dev, b.fn) }

type fakeFn struct {
	cfg   [256]byte
	wmask [256]byte // bits software may write
	w1c   [256]byte // bits cleared by writing 1
	bars  [6]BARKind
}

func newFakeConfig() *fakeConfig { return &fakeConfig{fns: map[bdf]*fakeFn{}} }

func (c *fakeConfig) add(bus, dev, fn uint8, f *fakeFn) *fakeFn {
	c.fns[bdf{bus, dev, fn}] = f
	return f
}

// lookup finds the function that answers at b.
func (c *fakeConfig) lookup(b bdf) *fakeFn {
	if f, ok := c.fns[b]; ok {
		return f
	}
	if f0, ok := c.fns[bdf{b.bus, b.dev, 0}]; ok && f0.cfg[HEADER_TYPE]&(1<<HEADER_TYPE_MF) == 0 {
		return f0 // a single-function device that ignores the function number
	}
	return nil
}

func (c *fakeConfig) Read32(bus, dev, fn uint8, off uint16) uint32 {
	c.reads++
	b := bdf{bus, dev, fn}
	if off&3 != 0 || off >= 256 {
		c.violations = append(c.violations, fmt.Sprintf("%v: read at %#x is not an aligned dword in the header", b, off))
		return 0xFFFF_FFFF
	}
	f := c.lookup(b)
	if f == nil {
		return 0xFFFF_FFFF
	}
	return binary.LittleEndian.Uint32(f.cfg[off:])
}

func (c *fakeConfig) Write32(bus, dev, fn uint8, off uint16, v uint32) {
	b := bdf{bus, dev, fn}
	if off&3 != 0 || off >= 256 {
		c.violations = append(c.violations, fmt.Sprintf("%v: write at %#x is not an aligned dword in the header", b, off))
		return
	}
	f := c.lookup(b)
	if f == nil {
		c.violations = append(c.violations, fmt.Sprintf("%v: write to a function that does not exist", b))
		return
	}
	if off >= BAR0 && off < BAR0+24 && v == 0xFFFF_FFFF {
		i := (off - BAR0) / 4
		cmd := binary.LittleEndian.Uint16(f.cfg[COMMAND:])
		switch k := f.bars[i]; {
		case k == BARIO && cmd&(1<<COMMAND_IO) != 0,
			(k == BARMem32 || k == BARMem64) && cmd&(1<<COMMAND_MEMORY) != 0:
			c.violations = append(c.violations, fmt.Sprintf("%v: BAR%d sized while its decoding is enabled", b, i))
		}
	}
	for i := range 4 {
		o := int(off) + i
		x := byte(v >> (8 * i))
		f.cfg[o] = f.cfg[o]&^f.wmask[o] | x&f.wmask[o]
		f.cfg[o] &^= x & f.w1c[o]
	}
}

// newFn returns a function with the identification registers set and the
// Command register writable (I/O, memory, bus master, INTx disable) and
// the Status error bits RW1C.
func newFn(vendor, device uint16, rev uint8, class uint32, header uint8) *fakeFn {
	f := &fakeFn{}
	f.set16(VENDOR_ID, vendor)
	f.set16(DEVICE_ID, device)
	f.set32(REVISION_ID, uint32(rev)|class<<8)
	f.cfg[HEADER_TYPE] = header
	f.set16(COMMAND, 0)
	f.wmask[COMMAND] = 0x07
	f.wmask[COMMAND+1] = 0x04
	f.w1c[STATUS+1] = 0xF9 // parity, signalled/received aborts, SERR
	f.cfg[INTERRUPT_PIN] = 0
	f.cfg[INTERRUPT_LINE] = 0xFF
	f.wmask[INTERRUPT_LINE] = 0xFF
	return f
}

func (f *fakeFn) set8(off int, v uint8)   { f.cfg[off] = v }
func (f *fakeFn) set16(off int, v uint16) { binary.LittleEndian.PutUint16(f.cfg[off:], v) }
func (f *fakeFn) set32(off int, v uint32) { binary.LittleEndian.PutUint32(f.cfg[off:], v) }

func (f *fakeFn) setMask32(off int, m uint32) { binary.LittleEndian.PutUint32(f.wmask[off:], m) }

// bar implements BAR i with the given kind and size (a power of two),
// programmed at addr. ioDecode16 models an I/O BAR whose upper 16 bits
// are hardwired to zero (§6.2.5.1 allows it).
func (f *fakeFn) bar(i int, kind BARKind, prefetch bool, addr, size uint64) *fakeFn {
	off := BAR0 + 4*i
	mask := ^(size - 1)
	switch kind {
	case BARIO:
		f.set32(off, uint32(addr)|1)
		f.setMask32(off, uint32(mask)&BAR_IO_ADDR_MASK)
	case BARMem32, BARMem64:
		lo := uint32(addr)
		if prefetch {
			lo |= 1 << BAR_MEM_PREFETCH
		}
		if kind == BARMem64 {
			lo |= BAR_MEM_TYPE_64 << BAR_MEM_TYPE
			f.set32(off+4, uint32(addr>>32))
			f.setMask32(off+4, uint32(mask>>32))
			f.bars[i+1] = BARNone
		}
		f.set32(off, lo)
		f.setMask32(off, uint32(mask)&BAR_MEM_ADDR_MASK)
	}
	f.bars[i] = kind
	return f
}

// io16 hardwires the upper 16 bits of I/O BAR i to zero.
func (f *fakeFn) io16(i int) *fakeFn {
	off := BAR0 + 4*i
	f.setMask32(off, binary.LittleEndian.Uint32(f.wmask[off:])&0xFFFF)
	return f
}

type fakeCap struct {
	off  uint8
	id   uint8
	body []byte // bytes after ID and next
}

// caps links the capabilities in the order given and sets the
// Capabilities List status bit.
func (f *fakeFn) caps(cs ...fakeCap) *fakeFn {
	if len(cs) == 0 {
		return f
	}
	f.cfg[STATUS] |= 1 << STATUS_CAP_LIST
	f.cfg[CAPABILITIES_PTR] = cs[0].off
	for i, c := range cs {
		next := uint8(0)
		if i+1 < len(cs) {
			next = cs[i+1].off
		}
		f.cfg[c.off] = c.id
		f.cfg[int(c.off)+1] = next
		copy(f.cfg[int(c.off)+2:], c.body)
	}
	return f
}

func (f *fakeFn) subsystem(vendor, id uint16) *fakeFn {
	f.set16(SUBSYSTEM_VENDOR_ID, vendor)
	f.set16(SUBSYSTEM_ID, id)
	return f
}

func (f *fakeFn) intx(line, pin uint8) *fakeFn {
	f.cfg[INTERRUPT_LINE] = line
	f.cfg[INTERRUPT_PIN] = pin
	return f
}

func (f *fakeFn) command(cmd uint16) *fakeFn {
	f.set16(COMMAND, cmd)
	return f
}

func (f *fakeFn) buses(primary, secondary, subordinate uint8) *fakeFn {
	f.cfg[PRIMARY_BUS] = primary
	f.cfg[SECONDARY_BUS] = secondary
	f.cfg[SUBORDINATE_BUS] = subordinate
	for _, o := range []int{PRIMARY_BUS, SECONDARY_BUS, SUBORDINATE_BUS} {
		f.wmask[o] = 0xFF
	}
	return f
}

// virtioCap is a virtio_pci_cap body (VIRTIO 1.2 §4.1.4) after cap_vndr
// and cap_next: cap_len, cfg_type, bar, id, padding, offset, length, and
// for the notify structure notify_off_multiplier.
func virtioCap(cfgType, bar uint8, offset, length uint32, extra ...uint32) []byte {
	b := []byte{byte(16 + 4*len(extra)), cfgType, bar, 0, 0, 0}
	b = binary.LittleEndian.AppendUint32(b, offset)
	b = binary.LittleEndian.AppendUint32(b, length)
	for _, x := range extra {
		b = binary.LittleEndian.AppendUint32(b, x)
	}
	return b
}

// Addresses of the q35 model (what SeaBIOS assigns on QEMU q35).
const (
	q35NetIO       = 0xC000
	q35NetMSIX     = 0xFEBD1000
	q35NetModern   = 0xFE000000
	q35PortMMIO    = 0xFEBD2000
	q35AHCIIO      = 0xC040
	q35AHCIMMIO    = 0xFEBD3000
	q35SMBusIO     = 0x0700
	q35Net2MSIX    = 0xFE800000
	q35Net2Modern  = 0x8_0000_0000 // above 4 GiB: a 64-bit BAR's upper half matters
	q35ModernSize  = 0x4000
	virtioVendor   = 0x1AF4
	classNet       = 0x020000
	classPCIBridge = 0x060400
)

// q35 builds the topology of `qemu-system-x86_64 -M q35 -device
// virtio-net-pci -device pcie-root-port,id=rp -device
// virtio-net-pci,bus=rp,disable-legacy=on` after SeaBIOS: the host
// bridge; a transitional virtio-net with its legacy I/O BAR0, MSI-X table
// in BAR1 and modern structures in BAR4; a PCIe root port with bus 1
// behind it holding a modern-only virtio-net; and the ICH9 LPC, AHCI and
// SMBus functions of the multi-function device 1f.
func q35() *fakeConfig {
	c := newFakeConfig()
	c.add(0, 0, 0, newFn(0x8086, 0x29C0, 0, 0x060000, HEADER_TYPE_NORMAL).subsystem(0x1AF4, 0x1100))

	// Modern structures in BAR4, QEMU's layout: common 0x0000, ISR
	// 0x1000, device 0x2000, notify 0x3000 with a multiplier of 4.
	modernCaps := func(first uint8) []fakeCap {
		return []fakeCap{
			{first, CAP_ID_VNDR, virtioCap(5, 0, 0, 0, 0)}, // PCI_CFG: window in config space
			{first - 0x14, CAP_ID_VNDR, virtioCap(2, 4, 0x3000, 0x1000, 4)},
			{first - 0x24, CAP_ID_VNDR, virtioCap(4, 4, 0x2000, 0x1000)},
			{first - 0x34, CAP_ID_VNDR, virtioCap(3, 4, 0x1000, 0x1000)},
			{first - 0x44, CAP_ID_VNDR, virtioCap(1, 4, 0x0000, 0x1000)},
		}
	}
	net := newFn(virtioVendor, 0x1000, 0, classNet, HEADER_TYPE_NORMAL).
		subsystem(virtioVendor, 1).
		bar(0, BARIO, false, q35NetIO, 0x20).
		bar(1, BARMem32, false, q35NetMSIX, 0x1000).
		bar(4, BARMem64, true, q35NetModern, q35ModernSize).
		intx(10, 1).command(0x0007).
		caps(append([]fakeCap{{0x98, CAP_ID_MSIX, []byte{2, 0, 1, 0, 0, 0, 0x01, 0x08, 0, 0}}}, modernCaps(0x84)...)...)
	c.add(0, 2, 0, net)

	c.add(0, 3, 0, newFn(0x1B36, 0x000C, 0, classPCIBridge, HEADER_TYPE_BRIDGE).
		bar(0, BARMem32, false, q35PortMMIO, 0x1000).
		buses(0, 1, 1).intx(11, 1).command(0x0007).
		caps(fakeCap{0x40, CAP_ID_PCIE, make([]byte, 0x3A)}, fakeCap{0x80, CAP_ID_MSI, make([]byte, 10)}))

	c.add(1, 0, 0, newFn(virtioVendor, 0x1041, 1, classNet, HEADER_TYPE_NORMAL).
		subsystem(virtioVendor, 0x1100).
		bar(1, BARMem32, false, q35Net2MSIX, 0x1000).
		bar(4, BARMem64, true, q35Net2Modern, q35ModernSize).
		intx(11, 1).command(0x0006).
		caps(append([]fakeCap{{0xC0, CAP_ID_PCIE, make([]byte, 0x3A)}, {0x98, CAP_ID_MSIX, make([]byte, 10)}}, modernCaps(0x84)...)...))

	c.add(0, 0x1F, 0, newFn(0x8086, 0x2918, 2, 0x060100, HEADER_TYPE_NORMAL|1<<HEADER_TYPE_MF).subsystem(0x1AF4, 0x1100))
	c.add(0, 0x1F, 2, newFn(0x8086, 0x2922, 2, 0x010601, HEADER_TYPE_NORMAL|1<<HEADER_TYPE_MF).
		subsystem(0x1AF4, 0x1100).
		bar(4, BARIO, false, q35AHCIIO, 0x20).
		bar(5, BARMem32, false, q35AHCIMMIO, 0x1000).
		intx(10, 1).command(0x0407).
		caps(fakeCap{0x80, CAP_ID_MSI, make([]byte, 10)}, fakeCap{0xA8, 0x12, make([]byte, 6)}))
	c.add(0, 0x1F, 3, newFn(0x8086, 0x2930, 2, 0x0C0500, HEADER_TYPE_NORMAL|1<<HEADER_TYPE_MF).
		subsystem(0x1AF4, 0x1100).
		bar(4, BARIO, false, q35SMBusIO, 0x40).io16(4).
		intx(10, 1).command(0x0001))
	return c
}

// snapshot copies every function's configuration space.
func (c *fakeConfig) snapshot() map[bdf][256]byte {
	m := map[bdf][256]byte{}
	for k, f := range c.fns {
		m[k] = f.cfg
	}
	return m
}
