package virtioblk

import (
	"encoding/binary"
	"fmt"
	"math/rand"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/coracle-os/coracle/drivers/virtio/virtq"
)

// model is a virtio block device, written from VIRTIO 1.2 §5.2 and the
// device side of §2.7: it takes requests off the available ring of the
// queue the driver set up, serves them from disk, writes their status
// and returns them on the used ring, then interrupts unless the driver
// asked it not to. It checks that every request follows §5.2.6 and
// records what it saw. Requests can be held (to fill the queue),
// completed out of order and late, and failed.
type model struct {
	tr  *fakeTransport
	mem *arena
	irq *fakeIRQ

	mu      sync.Mutex
	disk    []byte // what reads see
	durable []byte // what survives a power cut: disk as of the last flush
	cache   bool   // VIRTIO_BLK_F_FLUSH offered: writes reach durable only on flush

	// Queue state, device side.
	size               uint16
	desc, avail, used  uint64 // guest-physical addresses of the three parts
	lastAvail, usedIdx uint16
	sizeMax, segMax    uint32 // limits the driver must keep, 0 for none
	blockSize          int64

	// Behaviour.
	ro        bool
	failFrom  int64 // requests touching sectors [failFrom, failTo) fail with IOERR
	failTo    int64
	badStatus uint8           // if nonzero, every request answers it
	unsupp    map[uint32]bool // types answered with UNSUPP
	hold      bool            // keep requests until release
	held      []request
	reorder   bool
	maxDelay  time.Duration
	rng       *rand.Rand
	bogusUsed bool // return a used entry that names no chain

	// What it saw.
	count      map[uint32]int // requests by type
	maxSegs    int            // most data segments in one request
	maxSegLen  uint32
	ranges     [][3]uint64 // discard and write-zeroes ranges: sector, sectors, flags
	interrupts int
	suppressed int
	errs       []string

	stop chan struct{}
	done chan struct{}
}

// request is one parsed descriptor chain.
type request struct {
	head   uint16
	typ    uint32
	sector uint64
	data   [][]byte // data segments in driver memory
	status []byte
	n      uint64 // data bytes
	bad    bool   // broke a rule; answered with IOERR
}

func newModel(tr *fakeTransport, mem *arena, sectors int64) *model {
	m := &model{tr: tr, mem: mem, irq: mem.irq,
		disk: make([]byte, sectors*SectorSize), durable: make([]byte, sectors*SectorSize),
		failFrom: -1, failTo: -1, unsupp: map[uint32]bool{}, count: map[uint32]int{},
		rng: rand.New(rand.NewSource(1)), blockSize: SectorSize,
		stop: make(chan struct{}), done: make(chan struct{})}
	rand.New(rand.NewSource(1)).Read(m.disk)
	copy(m.durable, m.disk)
	return m
}

// start serves the queue once the driver has set it up.
func (m *model) start() {
	go func() {
		defer close(m.done)
		select {
		case <-m.tr.ready:
		case <-m.stop:
			return
		}
		m.mu.Lock()
		m.size, m.desc, m.avail, m.used = m.tr.size, m.tr.addrs.Desc, m.tr.addrs.Driver, m.tr.addrs.Device
		m.mu.Unlock()
		for {
			select {
			case <-m.tr.kick:
			case <-m.stop:
				return
			}
			m.serve()
		}
	}()
}

func (m *model) shutdown() {
	close(m.stop)
	<-m.done
}

func (m *model) errorf(format string, args ...any) {
	m.errs = append(m.errs, fmt.Sprintf(format, args...))
}

// word is the 32-bit word at physical address pa, for atomic access.
func (m *model) word(pa uint64) *uint32 {
	b, err := m.mem.bytes(pa, 4)
	if err != nil {
		panic(err)
	}
	return (*uint32)(unsafe.Pointer(&b[0]))
}

func (m *model) u16(pa uint64) uint16 {
	b, err := m.mem.bytes(pa, 2)
	if err != nil {
		panic(err)
	}
	return binary.LittleEndian.Uint16(b)
}

// serve takes every available request and, unless held, completes it.
func (m *model) serve() {
	m.mu.Lock()
	defer m.mu.Unlock()
	var batch []request
	for {
		// avail idx, loaded atomically with flags, publishes the
		// entries and descriptors before it (§2.7.13.3).
		idx := uint16(atomic.LoadUint32(m.word(m.avail+virtq.AVAIL_FLAGS)) >> 16)
		if idx == m.lastAvail {
			break
		}
		head := m.u16(m.avail + virtq.AVAIL_RING + 2*uint64(m.lastAvail%m.size))
		m.lastAvail++
		batch = append(batch, m.parse(head))
	}
	if m.hold {
		m.held = append(m.held, batch...)
		return
	}
	m.finish(batch)
}

// finish executes and completes requests, in a shuffled order and with
// delays if asked. m.mu is held.
func (m *model) finish(batch []request) {
	if m.reorder {
		m.rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
	}
	for _, r := range batch {
		if m.maxDelay > 0 {
			d := time.Duration(m.rng.Int63n(int64(m.maxDelay)))
			m.mu.Unlock()
			time.Sleep(d)
			m.mu.Lock()
		}
		m.complete(r)
	}
}

// release completes the held requests, last first.
func (m *model) release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	held := m.held
	m.held = nil
	for i := len(held) - 1; i >= 0; i-- {
		m.complete(held[i])
	}
}

// releaseOne completes the oldest held request.
func (m *model) releaseOne() {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.held[0]
	m.held = m.held[1:]
	m.complete(r)
}

func (m *model) heldCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.held)
}

// parse reads the chain at head and checks it against §5.2.6. m.mu is
// held.
func (m *model) parse(head uint16) (r request) {
	r.head = head
	type desc struct {
		addr  uint64
		len   uint32
		write bool
	}
	var chain []desc
	for i, n := head, 0; ; n++ {
		if i >= m.size || n >= int(m.size) {
			m.errorf("chain from %d: bad descriptor %d", head, i)
			r.bad = true
			return r
		}
		b, _ := m.mem.bytes(m.desc+virtq.DESC_SIZE*uint64(i), virtq.DESC_SIZE)
		flags := binary.LittleEndian.Uint16(b[virtq.DESC_FLAGS:])
		chain = append(chain, desc{binary.LittleEndian.Uint64(b[virtq.DESC_ADDR:]), binary.LittleEndian.Uint32(b[virtq.DESC_LEN:]), flags&virtq.VIRTQ_DESC_F_WRITE != 0})
		if flags&virtq.VIRTQ_DESC_F_NEXT == 0 {
			break
		}
		i = binary.LittleEndian.Uint16(b[virtq.DESC_NEXT:])
	}
	bytes := func(d desc) []byte {
		b, err := m.mem.bytes(d.addr, uint64(d.len))
		if err != nil {
			m.errorf("%v", err)
			r.bad = true
		}
		return b
	}
	// The header and the status each have a descriptor of their own
	// (§5.2.6.3 requires it of legacy drivers; this one always does).
	if len(chain) < 2 || chain[0].write || chain[0].len != hdrSize || !chain[len(chain)-1].write || chain[len(chain)-1].len != 1 {
		m.errorf("chain %v: want a 16-byte readable header first and a 1-byte writable status last", chain)
		r.bad = true
		if len(chain) > 0 && chain[len(chain)-1].write {
			r.status = bytes(chain[len(chain)-1])
		}
		return r
	}
	hdr := bytes(chain[0])
	r.status = bytes(chain[len(chain)-1])
	if r.bad {
		return r
	}
	r.typ = binary.LittleEndian.Uint32(hdr[0:])
	r.sector = binary.LittleEndian.Uint64(hdr[8:])
	if binary.LittleEndian.Uint32(hdr[4:]) != 0 {
		m.errorf("reserved header field %#x", binary.LittleEndian.Uint32(hdr[4:]))
	}
	m.count[r.typ]++
	data := chain[1 : len(chain)-1]
	for _, d := range data {
		r.data = append(r.data, bytes(d))
		r.n += uint64(d.len)
		m.maxSegLen = max(m.maxSegLen, d.len)
		if m.sizeMax != 0 && d.len > m.sizeMax {
			m.errorf("segment of %d bytes, size_max %d", d.len, m.sizeMax)
		}
	}
	m.maxSegs = max(m.maxSegs, len(data))
	if m.segMax != 0 && len(data) > int(m.segMax) {
		m.errorf("%d data segments, seg_max %d", len(data), m.segMax)
	}
	switch r.typ {
	case VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT:
		for _, d := range data {
			if d.write != (r.typ == VIRTIO_BLK_T_IN) {
				m.errorf("type %d request with a data segment the device may write %v", r.typ, d.write)
				r.bad = true
			}
		}
		bs := uint64(m.blockSize)
		if r.n == 0 || r.n%bs != 0 || r.sector*SectorSize%bs != 0 {
			m.errorf("type %d: %d bytes at sector %d, block size %d", r.typ, r.n, r.sector, bs)
			r.bad = true
		}
		if (r.sector*SectorSize + r.n) > uint64(len(m.disk)) {
			m.errorf("type %d: %d bytes at sector %d, beyond the capacity", r.typ, r.n, r.sector)
			r.bad = true
		}
	case VIRTIO_BLK_T_FLUSH:
		if len(data) != 0 || r.sector != 0 {
			m.errorf("flush with %d data segments, sector %d", len(data), r.sector)
		}
	case VIRTIO_BLK_T_DISCARD, VIRTIO_BLK_T_WRITE_ZEROES:
		if len(data) != 1 || data[0].write || data[0].len%rangeSize != 0 || r.sector != 0 {
			m.errorf("type %d: data %v, sector %d", r.typ, data, r.sector)
			r.bad = true
			break
		}
		b := r.data[0]
		for o := 0; o < len(b); o += rangeSize {
			rg := [3]uint64{binary.LittleEndian.Uint64(b[o:]), uint64(binary.LittleEndian.Uint32(b[o+8:])), uint64(binary.LittleEndian.Uint32(b[o+12:]))}
			m.ranges = append(m.ranges, rg)
			if rg[2] != 0 {
				m.errorf("range flags %#x", rg[2])
			}
			if (rg[0]+rg[1])*SectorSize > uint64(len(m.disk)) {
				m.errorf("range %v beyond the capacity", rg)
				r.bad = true
			}
		}
	}
	return r
}

// complete executes r, writes its status, returns it on the used ring
// and interrupts unless the driver suppressed interrupts. m.mu is held.
func (m *model) complete(r request) {
	status, written := m.execute(r)
	if r.status != nil {
		r.status[0] = status
		written++
	}
	id := uint32(r.head)
	if m.bogusUsed {
		id = uint32(m.size) + 1
	}
	e := m.used + virtq.USED_RING + virtq.USED_ELEM_SIZE*uint64(m.usedIdx%m.size)
	*m.word(e + virtq.USED_ELEM_ID) = id
	*m.word(e + virtq.USED_ELEM_LEN) = written
	m.usedIdx++
	atomic.StoreUint32(m.word(m.used+virtq.USED_FLAGS), uint32(m.usedIdx)<<16)
	// After the idx store: the driver's EnableInterrupts pairs with
	// this load (§2.7.7.2).
	if atomic.LoadUint32(m.word(m.avail+virtq.AVAIL_FLAGS))&virtq.VIRTQ_AVAIL_F_NO_INTERRUPT != 0 {
		m.suppressed++
		return
	}
	m.interrupts++
	m.tr.isr.Or(1)
	m.irq.raise()
}

// execute serves r and returns its status and the data bytes written.
func (m *model) execute(r request) (status uint8, written uint32) {
	switch {
	case r.bad:
		return VIRTIO_BLK_S_IOERR, 0
	case m.badStatus != 0:
		return m.badStatus, 0
	case m.unsupp[r.typ]:
		return VIRTIO_BLK_S_UNSUPP, 0
	}
	touches := func(sector, n uint64) bool {
		return int64(sector) < m.failTo && int64(sector+n) > m.failFrom
	}
	switch r.typ {
	case VIRTIO_BLK_T_IN:
		if touches(r.sector, r.n/SectorSize) {
			return VIRTIO_BLK_S_IOERR, 0
		}
		off := r.sector * SectorSize
		for _, b := range r.data {
			off += uint64(copy(b, m.disk[off:]))
		}
		return VIRTIO_BLK_S_OK, uint32(r.n)
	case VIRTIO_BLK_T_OUT:
		if m.ro {
			m.errorf("write to a read-only device")
			return VIRTIO_BLK_S_IOERR, 0
		}
		if touches(r.sector, r.n/SectorSize) {
			return VIRTIO_BLK_S_IOERR, 0
		}
		off := r.sector * SectorSize
		for _, b := range r.data {
			copy(m.disk[off:], b)
			if !m.cache {
				copy(m.durable[off:], b)
			}
			off += uint64(len(b))
		}
	case VIRTIO_BLK_T_FLUSH:
		copy(m.durable, m.disk)
	case VIRTIO_BLK_T_DISCARD, VIRTIO_BLK_T_WRITE_ZEROES:
		if m.ro {
			m.errorf("type %d request to a read-only device", r.typ)
			return VIRTIO_BLK_S_IOERR, 0
		}
		// This device zeroes discarded ranges too.
		b := r.data[0]
		for o := 0; o < len(b); o += rangeSize {
			s, n := binary.LittleEndian.Uint64(b[o:]), uint64(binary.LittleEndian.Uint32(b[o+8:]))
			clear(m.disk[s*SectorSize : (s+n)*SectorSize])
			if !m.cache {
				clear(m.durable[s*SectorSize : (s+n)*SectorSize])
			}
		}
	default:
		return VIRTIO_BLK_S_UNSUPP, 0
	}
	return VIRTIO_BLK_S_OK, 0
}

// snapshot returns a copy of the disk.
func (m *model) snapshot() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]byte(nil), m.disk...)
}

// with runs f with the model locked, to change or inspect it.
func (m *model) with(f func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f()
}

// check reports the rules the driver broke.
func (m *model) check(t testing.TB) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range m.errs {
		t.Errorf("device: %s", e)
	}
}
