package virtq

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"
	"testing"
	"unsafe"
)

// physBase is where the tests put queue memory in the fake device's
// guest-physical address space: page-aligned, and far from the virtual
// addresses so a mix-up shows.
const physBase = 0x7_5430_0000

// region is queue memory for a test: a []byte on the Go heap, aligned to
// a page, that the device reaches through guest-physical addresses from
// physBase. Holding buf keeps the memory alive (the queue keeps only its
// address), and being Go memory lets the race detector see every access.
type region struct {
	buf []byte
	mem Memory
}

func newRegion(t testing.TB, size uint16, legacy bool) *region {
	t.Helper()
	_, _, _, total := Layout(size, legacy)
	if total == 0 {
		t.Fatalf("Layout(%d, %v): invalid size", size, legacy)
	}
	return newRegionBytes(t, total)
}

// newRegionBytes returns a region of total bytes.
func newRegionBytes(t testing.TB, total uint64) *region {
	t.Helper()
	raw := make([]byte, total+LegacyQueueAlign)
	base := uintptr(unsafe.Pointer(&raw[0]))
	off := int(alignUp(uint64(base), LegacyQueueAlign) - uint64(base))
	buf := raw[off : off+int(total) : off+int(total)]
	return &region{buf: buf, mem: Memory{Virt: base + uintptr(off), Phys: physBase, Size: total}}
}

// elem is a descriptor as the device reads it, with its table index.
type elem struct {
	index uint16
	addr  uint64
	len   uint32
	flags uint16
}

// device is the device side of a split virtqueue, written from the spec
// alone (§2.7.5, §2.7.6, §2.7.8, §2.7.7.2, §2.7.10.2), sharing only
// needEvent with the driver. It reads and writes the queue through the
// bytes of the region, at the guest-physical addresses the driver gave
// it, with the same access widths and ordering a device must use: avail
// idx (atomically) before the ring and descriptors; used entries before
// used idx (atomically); used idx before avail flags or used_event.
//
// Its methods allocate nothing unless they report an error, so the
// allocation test can run them too.
type device struct {
	buf      []byte
	phys     uint64 // guest-physical address of buf[0]
	size     uint16
	eventIdx bool
	descOff  int
	availOff int
	usedOff  int

	lastAvail uint16 // next available entry to read
	usedIdx   uint16 // used idx as last stored
	usedFlags uint16 // used flags as last stored
}

// newDevice attaches a device to q. A modern device is given the three
// area addresses (Areas, as a transport would write them); a legacy one
// only the queue's address, from which it finds the rings with the
// formulas of §2.7.2.
func newDevice(t testing.TB, r *region, q *Queue, legacy, eventIdx bool) *device {
	t.Helper()
	d := &device{buf: r.buf, phys: r.mem.Phys, size: q.Size(), eventIdx: eventIdx}
	desc, driver, dev := q.Areas()
	if legacy {
		n := int(d.size)
		qalign := LegacyQueueAlign - 1 // §2.7.2's ALIGN takes the mask
		d.descOff = d.offset(desc)
		d.availOff = d.descOff + 16*n
		d.usedOff = (d.availOff + 2*(3+n) + qalign) &^ qalign
		if driver != d.phys+uint64(d.availOff) || dev != d.phys+uint64(d.usedOff) {
			t.Fatalf("legacy Areas = %#x %#x %#x, want the §2.7.2 layout %#x %#x", desc, driver, dev,
				d.phys+uint64(d.availOff), d.phys+uint64(d.usedOff))
		}
	} else {
		d.descOff, d.availOff, d.usedOff = d.offset(desc), d.offset(driver), d.offset(dev)
	}
	return d
}

// offset translates a guest-physical address in the region.
func (d *device) offset(pa uint64) int {
	if pa < d.phys || pa-d.phys >= uint64(len(d.buf)) {
		panic(fmt.Sprintf("device: address %#x outside the queue memory", pa))
	}
	return int(pa - d.phys)
}

// word is the aligned 32-bit word at off, for atomic access.
func (d *device) word(off int) *uint32 {
	if off%4 != 0 {
		panic(fmt.Sprintf("device: unaligned word at %#x", off))
	}
	return (*uint32)(unsafe.Pointer(&d.buf[off]))
}

func (d *device) u16(off int) uint16 { return binary.LittleEndian.Uint16(d.buf[off:]) }

// availHeader loads avail flags and idx.
func (d *device) availHeader() (flags, idx uint16) {
	w := atomic.LoadUint32(d.word(d.availOff + AVAIL_FLAGS))
	return uint16(w), uint16(w >> 16)
}

// usedEvent loads used_event, which follows ring[size]. In a size-1 queue
// it shares a word with ring[0].
func (d *device) usedEvent() uint16 {
	off := d.availOff + AVAIL_RING + 2*int(d.size)
	if off%4 != 0 {
		return uint16(atomic.LoadUint32(d.word(off-2)) >> 16)
	}
	return uint16(atomic.LoadUint32(d.word(off)))
}

// availEntry reads ring[i % size] after avail idx published it. The
// driver stores a size-1 queue's entry atomically with used_event, so the
// device loads that word atomically too.
func (d *device) availEntry(i uint16) uint16 {
	off := d.availOff + AVAIL_RING + 2*int(i%d.size)
	if d.size == 1 {
		return uint16(atomic.LoadUint32(d.word(off)))
	}
	return d.u16(off)
}

// available returns how many published chains the device has not read.
func (d *device) available() uint16 {
	_, idx := d.availHeader()
	return idx - d.lastAvail
}

// pop reads the next available chain into dst (which needs room for size
// elements) and returns its head and descriptors, or ok false if none is
// available. err reports a chain that breaks the spec's rules.
func (d *device) pop(dst []elem) (head uint16, chain []elem, ok bool, err error) {
	if d.available() == 0 {
		return 0, nil, false, nil
	}
	if n := d.available(); n > d.size {
		return 0, nil, false, fmt.Errorf("avail idx is %d entries ahead of the device, more than the queue size %d", n, d.size)
	}
	head = d.availEntry(d.lastAvail)
	d.lastAvail++
	chain = dst[:0]
	i := head
	writable := false
	for {
		if i >= d.size {
			return head, chain, true, fmt.Errorf("descriptor index %d outside a table of %d", i, d.size)
		}
		if len(chain) == int(d.size) {
			return head, chain, true, fmt.Errorf("chain from %d longer than the table: a loop", head)
		}
		off := d.descOff + DESC_SIZE*int(i)
		e := elem{
			index: i,
			addr:  binary.LittleEndian.Uint64(d.buf[off+DESC_ADDR:]),
			len:   binary.LittleEndian.Uint32(d.buf[off+DESC_LEN:]),
			flags: d.u16(off + DESC_FLAGS),
		}
		if e.flags&^(VIRTQ_DESC_F_NEXT|VIRTQ_DESC_F_WRITE) != 0 {
			return head, chain, true, fmt.Errorf("descriptor %d has flags %#x", i, e.flags)
		}
		if e.flags&VIRTQ_DESC_F_WRITE != 0 {
			writable = true
		} else if writable {
			return head, chain, true, fmt.Errorf("descriptor %d is device-readable after a device-writable one (§2.7.4.2)", i)
		}
		chain = append(chain, e)
		if e.flags&VIRTQ_DESC_F_NEXT == 0 {
			return head, chain, true, nil
		}
		i = d.u16(off + DESC_NEXT)
	}
}

// used is one used ring entry the device writes.
type used struct {
	id  uint16
	len uint32
}

// complete writes entries into the used ring, then stores used idx once,
// and reports whether it must send a used buffer notification (§2.7.7.2):
// with VIRTIO_F_EVENT_IDX, if one of the entries was the one used_event
// names; otherwise unless avail flags has VIRTQ_AVAIL_F_NO_INTERRUPT.
func (d *device) complete(entries ...used) (interrupt bool) {
	old := d.usedIdx
	for _, e := range entries {
		off := d.usedOff + USED_RING + USED_ELEM_SIZE*int(d.usedIdx%d.size)
		binary.LittleEndian.PutUint32(d.buf[off+USED_ELEM_ID:], uint32(e.id))
		binary.LittleEndian.PutUint32(d.buf[off+USED_ELEM_LEN:], e.len)
		d.usedIdx++
	}
	d.storeUsedHeader()
	// After the idx store (sequentially consistent), not before: the
	// driver's EnableInterrupts pairs with this.
	if d.eventIdx {
		return needEvent(d.usedEvent(), d.usedIdx, old)
	}
	flags, _ := d.availHeader()
	return flags&VIRTQ_AVAIL_F_NO_INTERRUPT == 0
}

// completeRaw writes one used entry with an arbitrary id and stores idx,
// for tests of a misbehaving device.
func (d *device) completeRaw(id uint32, n uint32) {
	off := d.usedOff + USED_RING + USED_ELEM_SIZE*int(d.usedIdx%d.size)
	binary.LittleEndian.PutUint32(d.buf[off+USED_ELEM_ID:], id)
	binary.LittleEndian.PutUint32(d.buf[off+USED_ELEM_LEN:], n)
	d.usedIdx++
	d.storeUsedHeader()
}

func (d *device) storeUsedHeader() {
	atomic.StoreUint32(d.word(d.usedOff+USED_FLAGS), uint32(d.usedFlags)|uint32(d.usedIdx)<<16)
}

// setNoNotify sets or clears VIRTQ_USED_F_NO_NOTIFY (without
// VIRTIO_F_EVENT_IDX).
func (d *device) setNoNotify(on bool) {
	d.usedFlags = 0
	if on {
		d.usedFlags = VIRTQ_USED_F_NO_NOTIFY
	}
	d.storeUsedHeader()
}

// setAvailEvent sets avail_event, which follows the used ring, through
// the 32-bit word it shares with padding.
func (d *device) setAvailEvent(v uint16) {
	atomic.StoreUint32(d.word(d.usedOff+USED_RING+USED_ELEM_SIZE*int(d.size)), uint32(v))
}

// enableKicks asks for a notification when the driver adds the next
// chain; disableKicks asks for none (with VIRTIO_F_EVENT_IDX it leaves
// avail_event where it is, as devices do).
func (d *device) enableKicks() {
	if d.eventIdx {
		d.setAvailEvent(d.lastAvail)
	} else {
		d.setNoNotify(false)
	}
}

func (d *device) disableKicks() {
	if !d.eventIdx {
		d.setNoNotify(true)
	}
}

// rig is a queue in test memory with a device attached.
type rig struct {
	r *region
	q *Queue
	d *device
}

func newRig(t testing.TB, size uint16, legacy, eventIdx bool) *rig {
	t.Helper()
	r := newRegion(t, size, legacy)
	q := new(Queue)
	if err := q.Init(r.mem, size, legacy, eventIdx); err != nil {
		t.Fatalf("Init(size %d, legacy %v, eventIdx %v): %v", size, legacy, eventIdx, err)
	}
	return &rig{r: r, q: q, d: newDevice(t, r, q, legacy, eventIdx)}
}

// mustPop pops one chain and fails the test if there is none or it is
// malformed.
func (g *rig) mustPop(t testing.TB) (uint16, []elem) {
	t.Helper()
	head, chain, ok, err := g.d.pop(make([]elem, g.q.Size()))
	if err != nil {
		t.Fatalf("device: %v", err)
	}
	if !ok {
		t.Fatalf("device: no chain available")
	}
	return head, chain
}

// configs are the queue variants most tests run over.
var configs = []struct {
	name             string
	legacy, eventIdx bool
}{
	{"modern", false, false},
	{"modern+eventidx", false, true},
	{"legacy", true, false},
	{"legacy+eventidx", true, true},
}
