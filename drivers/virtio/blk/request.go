package virtioblk

import (
	"encoding/binary"
	"fmt"

	"github.com/coracle-os/coracle/drivers/virtio/virtq"
)

// Request types (§5.2.6).
const (
	VIRTIO_BLK_T_IN           = 0  // read
	VIRTIO_BLK_T_OUT          = 1  // write
	VIRTIO_BLK_T_FLUSH        = 4  // empty the write cache
	VIRTIO_BLK_T_GET_ID       = 8  // the device ID string
	VIRTIO_BLK_T_GET_LIFETIME = 10 // wear estimates
	VIRTIO_BLK_T_DISCARD      = 11 // the ranges' contents are no longer needed
	VIRTIO_BLK_T_WRITE_ZEROES = 13 // zero the ranges
	VIRTIO_BLK_T_SECURE_ERASE = 14
)

// Status values the device writes in a request's last byte (§5.2.6).
const (
	VIRTIO_BLK_S_OK     = 0
	VIRTIO_BLK_S_IOERR  = 1
	VIRTIO_BLK_S_UNSUPP = 2
)

// VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP is bit 0 of a range's flags: the
// device may deallocate the zeroed range. This driver never sets it
// (it must not for discard, §5.2.6.2).
const VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP = 1

// Layout of a slot's control block in DMA memory: struct virtio_blk_req's
// header (le32 type, le32 reserved, le64 sector), one struct
// virtio_blk_discard_write_zeroes (le64 sector, le32 num_sectors, le32
// flags) and the status byte, each in a descriptor of its own.
const (
	hdrType      = 0
	hdrReserved  = 4
	hdrSector    = 8
	hdrSize      = 16
	rangeOff     = 16
	rangeSector  = 0
	rangeSectors = 8
	rangeFlags   = 12
	rangeSize    = 16
	statusOff    = 32
	ctlSize      = 64

	// statusUnset is what the status byte holds until the device
	// writes it: no status the spec defines.
	statusUnset = 0xFF
)

// slot is the memory of one request in flight.
type slot struct {
	ctl      []byte // ctlSize bytes of DMA memory: header, range, status
	ctlPhys  uint64
	data     []byte // maxTransfer bytes of DMA memory
	dataPhys uint64
	// done receives one value when the device has finished the
	// slot's request; run sends it.
	done chan struct{}
}

// allocSlots gives n slots their DMA memory and marks them free.
func (d *Device) allocSlots(n int, p platform) error {
	ctl, ctlPhys, err := p.allocDMA(uint64(n * ctlSize))
	if err != nil {
		return err
	}
	data, dataPhys, err := p.allocDMA(uint64(int64(n) * d.maxTransfer))
	if err != nil {
		return err
	}
	d.slots = make([]slot, n)
	d.free = make(chan int, n)
	for i := range d.slots {
		c, m := int64(i)*ctlSize, int64(i)*d.maxTransfer
		d.slots[i] = slot{
			ctl:      ctl[c : c+ctlSize : c+ctlSize],
			ctlPhys:  ctlPhys + uint64(c),
			data:     data[m : m+d.maxTransfer : m+d.maxTransfer],
			dataPhys: dataPhys + uint64(m),
			done:     make(chan struct{}, 1),
		}
		d.free <- i
	}
	return nil
}

// ReadAt reads len(p) bytes from offset off. off and len(p) must be
// multiples of BlockSize, and the range must lie within Capacity. It
// returns the number of bytes read, all of p unless a request failed,
// in which case n counts the bytes before the first failed request.
func (d *Device) ReadAt(p []byte, off int64) (int, error) {
	if err := d.check(off, int64(len(p))); err != nil {
		return 0, err
	}
	n, err := d.do(op{typ: VIRTIO_BLK_T_IN, off: off, n: int64(len(p)), p: p, limit: d.maxTransfer})
	return int(n), err
}

// WriteAt writes p at offset off, under the rules of ReadAt. It returns
// when the device has finished every request; if the device has a write
// cache (CanFlush), the data is durable only once a Flush that began
// after WriteAt returned has returned. A read-only device refuses with
// ErrReadOnly.
func (d *Device) WriteAt(p []byte, off int64) (int, error) {
	if d.ReadOnly() {
		return 0, ErrReadOnly
	}
	if err := d.check(off, int64(len(p))); err != nil {
		return 0, err
	}
	n, err := d.do(op{typ: VIRTIO_BLK_T_OUT, off: off, n: int64(len(p)), p: p, limit: d.maxTransfer})
	return int(n), err
}

// Flush makes every write that completed before it was called durable
// (VIRTIO_BLK_T_FLUSH). A device without VIRTIO_BLK_F_FLUSH writes
// through, and Flush returns at once.
func (d *Device) Flush() error {
	if !d.CanFlush() {
		return d.deadErr()
	}
	_, err := d.do(op{typ: VIRTIO_BLK_T_FLUSH})
	return err
}

// Discard tells the device that the n bytes at off are no longer needed
// (VIRTIO_BLK_T_DISCARD); what they read as afterwards is up to the
// device. Alignment and range rules are those of ReadAt; a device
// without VIRTIO_BLK_F_DISCARD refuses with ErrUnsupported.
func (d *Device) Discard(off, n int64) error {
	return d.ranges(VIRTIO_BLK_T_DISCARD, VIRTIO_BLK_F_DISCARD, d.maxDiscard, off, n)
}

// WriteZeroes zeroes the n bytes at off (VIRTIO_BLK_T_WRITE_ZEROES),
// under the rules of Discard, with VIRTIO_BLK_F_WRITE_ZEROES.
func (d *Device) WriteZeroes(off, n int64) error {
	return d.ranges(VIRTIO_BLK_T_WRITE_ZEROES, VIRTIO_BLK_F_WRITE_ZEROES, d.maxZeroes, off, n)
}

func (d *Device) ranges(typ uint32, feature int, limit, off, n int64) error {
	if d.ReadOnly() {
		return ErrReadOnly
	}
	if !d.has(feature) {
		return fmt.Errorf("%w: %s", ErrUnsupported, opName(typ))
	}
	if err := d.check(off, n); err != nil {
		return err
	}
	_, err := d.do(op{typ: typ, off: off, n: n, limit: limit})
	return err
}

// check applies the alignment and range rules.
func (d *Device) check(off, n int64) error {
	bs := d.blockSize
	if off < 0 || n < 0 || off%bs != 0 || n%bs != 0 {
		return fmt.Errorf("%w: %d bytes at %d (block size %d)", ErrUnaligned, n, off, bs)
	}
	if c := d.Capacity(); off > c || n > c-off {
		return fmt.Errorf("%w: %d bytes at %d (capacity %d)", ErrRange, n, off, c)
	}
	return nil
}

// op is one operation of a caller: n bytes at off, in requests of at
// most limit bytes. A flush has n 0 and takes one request.
type op struct {
	typ    uint32
	off, n int64
	p      []byte // the data of a read or write
	limit  int64
}

// inflight is one of an op's requests with the device.
type inflight struct {
	slot   int
	pos, n int64 // the request's part of the op
}

// do carries o out and returns how many of its bytes succeeded before
// the first failure. It takes free slots as they come and submits a
// request in each; when none is free it waits for its own oldest request
// rather than for the free list, so it never sits on finished slots
// while it waits for more (two callers each holding half the slots
// would otherwise wait for each other forever). It blocks on the free
// list only while it holds no slot.
func (d *Device) do(o op) (int64, error) {
	if o.n == 0 && o.typ != VIRTIO_BLK_T_FLUSH {
		return 0, nil
	}
	var fifo []inflight
	failed := o.n // where the first failed request begins
	var err error
	fail := func(pos int64, e error) {
		if err == nil || pos < failed {
			failed, err = pos, e
		}
	}
	finishOldest := func() {
		f := fifo[0]
		fifo = fifo[1:]
		e, back := d.wait(f.slot)
		if e == nil && o.typ == VIRTIO_BLK_T_IN {
			copy(o.p[f.pos:f.pos+f.n], d.slots[f.slot].data)
		}
		if back {
			d.free <- f.slot
		}
		if e != nil {
			fail(f.pos, fmt.Errorf("%w: %s of %d bytes at %d", e, opName(o.typ), f.n, o.off+f.pos))
		}
	}
	pos, sent := int64(0), false
	for (pos < o.n || !sent) && err == nil {
		var s int
		select {
		case s = <-d.free:
		default:
			if len(fifo) > 0 {
				finishOldest()
				continue
			}
			var e error
			if s, e = d.acquire(); e != nil {
				fail(pos, e)
				continue
			}
		}
		m := min(o.limit, o.n-pos)
		if e := d.submit(s, o, pos, m); e != nil {
			d.free <- s
			fail(pos, e)
			continue
		}
		fifo = append(fifo, inflight{slot: s, pos: pos, n: m})
		pos, sent = pos+m, true
	}
	for len(fifo) > 0 {
		finishOldest()
	}
	if err != nil {
		return failed, err
	}
	return o.n, nil
}

// acquire waits for a free slot.
func (d *Device) acquire() (int, error) {
	select {
	case s := <-d.free:
		return s, nil
	case <-d.dead:
		return 0, d.deadErr()
	}
}

// submit fills slot s with the request for bytes [pos, pos+m) of o and
// makes it available to the device.
func (d *Device) submit(s int, o op, pos, m int64) error {
	sl := &d.slots[s]
	var sector uint64
	if o.typ == VIRTIO_BLK_T_IN || o.typ == VIRTIO_BLK_T_OUT {
		sector = uint64(o.off+pos) / SectorSize
	}
	// §5.2.6.1: sector is 0 for anything but a read or write.
	binary.LittleEndian.PutUint32(sl.ctl[hdrType:], o.typ)
	binary.LittleEndian.PutUint32(sl.ctl[hdrReserved:], 0)
	binary.LittleEndian.PutUint64(sl.ctl[hdrSector:], sector)
	sl.ctl[statusOff] = statusUnset

	var arr [8]virtq.Buffer
	bufs := append(arr[:0], virtq.Buffer{Phys: sl.ctlPhys + hdrType, Len: hdrSize})
	switch o.typ {
	case VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT:
		in := o.typ == VIRTIO_BLK_T_IN
		if !in {
			copy(sl.data, o.p[pos:pos+m])
		}
		for off := int64(0); off < m; off += d.segSize {
			bufs = append(bufs, virtq.Buffer{Phys: sl.dataPhys + uint64(off), Len: uint32(min(d.segSize, m-off)), DeviceWrites: in})
		}
	case VIRTIO_BLK_T_DISCARD, VIRTIO_BLK_T_WRITE_ZEROES:
		r := sl.ctl[rangeOff : rangeOff+rangeSize]
		binary.LittleEndian.PutUint64(r[rangeSector:], uint64(o.off+pos)/SectorSize)
		binary.LittleEndian.PutUint32(r[rangeSectors:], uint32(m/SectorSize))
		binary.LittleEndian.PutUint32(r[rangeFlags:], 0)
		bufs = append(bufs, virtq.Buffer{Phys: sl.ctlPhys + rangeOff, Len: rangeSize})
	}
	bufs = append(bufs, virtq.Buffer{Phys: sl.ctlPhys + statusOff, Len: 1, DeviceWrites: true})

	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return d.err
	}
	if d.closed {
		return ErrClosed
	}
	head, ok := d.q.Add(bufs)
	if !ok {
		// Each slot has its share of descriptors, so only a broken
		// queue refuses.
		d.failLocked(ErrBroken)
		return ErrBroken
	}
	d.slotOf[head] = s
	if d.q.NeedsNotify() {
		d.t.Notify(requestq)
	}
	return nil
}

// wait waits for slot s's request and returns its outcome; back reports
// whether the device has given the slot back (false if the device died
// with the request).
func (d *Device) wait(s int) (err error, back bool) {
	sl := &d.slots[s]
	select {
	case <-sl.done:
	case <-d.dead:
		select {
		case <-sl.done:
		default:
			return d.deadErr(), false
		}
	}
	switch st := sl.ctl[statusOff]; st {
	case VIRTIO_BLK_S_OK:
		return nil, true
	case VIRTIO_BLK_S_IOERR:
		return ErrIO, true
	case VIRTIO_BLK_S_UNSUPP:
		return ErrUnsupported, true
	case statusUnset:
		return fmt.Errorf("%w: the device wrote no status", ErrIO), true
	default:
		return fmt.Errorf("%w: the device wrote status %d", ErrIO, st), true
	}
}

// opName names a request type for errors.
func opName(typ uint32) string {
	switch typ {
	case VIRTIO_BLK_T_IN:
		return "read"
	case VIRTIO_BLK_T_OUT:
		return "write"
	case VIRTIO_BLK_T_FLUSH:
		return "flush"
	case VIRTIO_BLK_T_DISCARD:
		return "discard"
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return "write zeroes"
	}
	return fmt.Sprintf("request type %d", typ)
}
