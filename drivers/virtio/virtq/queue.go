package virtq

import (
	"sync/atomic"
	"unsafe"
)

// Buffer is one physically contiguous element of a buffer (§2.7.13.1):
// Len bytes at guest-physical address Phys, which the device reads, or
// writes if DeviceWrites is set.
type Buffer struct {
	Phys         uint64
	Len          uint32
	DeviceWrites bool
}

// Queue is the driver's side of one split virtqueue. Its size does not
// depend on the queue's: it holds the addresses of the shared parts and
// the driver's private state, and nothing on the Go heap. The zero value
// is not usable: call Init. A Queue must not be copied after Init.
type Queue struct {
	mem               Memory
	desc, avail, used uintptr // virtual addresses of the three parts
	size, mask        uint16
	eventIdx          bool // VIRTIO_F_EVENT_IDX: used_event and avail_event

	// Private to the driver: the device never sees these.
	numFree    uint16 // descriptors not in any chain; at most MaxSize
	freeHead   uint16 // first of them: they chain through desc.next
	availIdx   uint16 // avail idx as last stored: free-running
	availFlags uint16 // avail flags as last stored
	usedEvent  uint16 // used_event as last stored
	lastUsed   uint16 // used idx up to which Used has taken entries back
	unnotified uint32 // chains added since the last NeedsNotify, up to 1<<16
	irqOff     bool   // DisableInterrupts was called after EnableInterrupts
	broken     bool   // the device returned something impossible

	// heads has bit h set while a chain headed by descriptor h is with
	// the device: Used checks each returned id against it.
	heads [MaxSize / 64]uint64
}

// desc is struct virtq_desc (§2.7.5) as a little-endian CPU sees it; a
// test checks it against DESC_*.
type desc struct {
	addr  uint64
	len   uint32
	flags uint16
	next  uint16
}

// Init sets q up as a queue of size entries in mem, for a legacy (§2.7.2)
// or modern device, with used_event and avail_event (VIRTIO_F_EVENT_IDX
// negotiated) or the flags (not negotiated) to suppress notifications.
// It zeroes the first Layout(size, legacy) bytes of mem, as §2.7.10.1
// requires of used flags, and threads every descriptor onto the free
// list; interrupts start enabled. Call it before the device is told where
// the queue is, and again after the device is reset.
//
// mem.Phys must be aligned to 16 (modern: DescAlign; the other parts
// follow from Layout) or to LegacyQueueAlign (legacy), and mem.Virt to
// 16. Init fails with ErrSize, ErrAlign or ErrMemory and leaves q and mem
// untouched.
//
// Boot path: allocates nothing and stores no Go pointers.
//
//go:nosplit
func (q *Queue) Init(mem Memory, size uint16, legacy, eventIdx bool) error {
	descOff, availOff, usedOff, total := Layout(size, legacy)
	if total == 0 {
		return ErrSize
	}
	physAlign := uint64(DescAlign)
	if legacy {
		physAlign = LegacyQueueAlign
	}
	if mem.Phys%physAlign != 0 || mem.Virt%DescAlign != 0 {
		return ErrAlign
	}
	if mem.Size < total || mem.Virt == 0 || mem.Virt+uintptr(total) < mem.Virt || mem.Phys+total < mem.Phys {
		return ErrMemory
	}
	// Field by field: a composite literal of this 4 KiB struct would be
	// built in a temporary on the stack first.
	*q = Queue{}
	q.mem = mem
	q.desc = mem.Virt + uintptr(descOff)
	q.avail = mem.Virt + uintptr(availOff)
	q.used = mem.Virt + uintptr(usedOff)
	q.size, q.mask = size, size-1
	q.eventIdx = eventIdx
	q.numFree = size
	// Word stores rather than clear(unsafe.Slice(...)): no runtime call
	// and no bounds check that could panic. total is a multiple of 4.
	for off := uintptr(0); off < uintptr(total); off += 4 {
		*word(mem.Virt + off) = 0
	}
	for i := uint16(0); i < size-1; i++ {
		q.descAt(i).next = i + 1
	}
	return nil
}

// Add makes bufs available to the device as one descriptor chain, in
// order, and returns the index of its head descriptor: Used returns that
// index when the device is done. Buffers the device writes must come
// after those it reads (§2.7.4.2), and the chain may hold at most 2^32
// bytes (§2.7.5.2).
//
// ok is false, and nothing changes, if fewer than len(bufs) descriptors
// are free (FreeCount), if bufs is empty or breaks either rule, or if the
// queue is broken. The chain is published at once (§2.7.13): the
// descriptors and the ring entry are written, then avail idx is stored
// atomically, which orders them before it (§2.7.13.3.1). Call NeedsNotify
// after one Add or a batch of them.
//
// Trap context: no allocation, no locks; the caller serialises.
//
//go:nosplit
func (q *Queue) Add(bufs []Buffer) (head uint16, ok bool) {
	n := len(bufs)
	if q.broken || n == 0 || n > int(q.numFree) {
		return 0, false
	}
	var total uint64
	writable := false
	for i := range bufs {
		if bufs[i].DeviceWrites {
			writable = true
		} else if writable {
			return 0, false // device-readable after device-writable
		}
		total += uint64(bufs[i].Len)
	}
	if total > 1<<32 {
		return 0, false
	}

	// §2.7.13.1: fill free descriptors. Each one's next already names
	// the following free descriptor, which becomes the next in the
	// chain; the last one's next is left pointing into the free list,
	// meaningless without VIRTQ_DESC_F_NEXT.
	head = q.freeHead
	i := head
	for k := range bufs {
		d := q.descAt(i)
		var flags uint16
		if bufs[k].DeviceWrites {
			flags = VIRTQ_DESC_F_WRITE
		}
		if k < n-1 {
			flags |= VIRTQ_DESC_F_NEXT
		}
		d.addr = bufs[k].Phys
		d.len = bufs[k].Len
		d.flags = flags
		i = d.next & q.mask
	}
	q.freeHead = i
	q.numFree -= uint16(n)
	q.heads[(head>>6)%uint16(len(q.heads))] |= 1 << (head & 63)

	// §2.7.13.2: the head goes into the next ring entry.
	q.storeAvailEntry(q.availIdx, head)
	// §2.7.13.3: publish. The atomic store is the barrier §2.7.13.3.1
	// asks for: everything above is visible before the new idx.
	q.availIdx++
	q.storeAvailHeader()
	if q.unnotified < 1<<16 {
		q.unnotified++
	}
	return head, true
}

// Used takes back the next chain the device has finished with (§2.7.14):
// its head, as Add returned it, and the number of bytes the device wrote
// into it (§2.7.8; legacy devices often get this wrong, §2.7.8.1). Its
// descriptors are free again. ok is false if the device has returned
// nothing new, or if the queue is broken: a used entry that names no
// chain the device holds, or a used idx ahead of the available one, marks
// it so (see Broken).
//
// Chains come back in the order the device finishes them, which need not
// be the order they were added.
//
// Trap context: no allocation, no locks; the caller serialises.
//
//go:nosplit
func (q *Queue) Used() (head uint16, length uint32, ok bool) {
	if q.broken {
		return 0, 0, false
	}
	// The atomic load orders the entry loads after it: the device wrote
	// the entries before it stored idx (§2.7.8.2).
	idx := q.loadUsedIdx()
	if idx == q.lastUsed {
		return 0, 0, false
	}
	if idx-q.lastUsed > q.availIdx-q.lastUsed {
		q.broken = true // more used than ever made available
		return 0, 0, false
	}
	e := q.used + USED_RING + uintptr(q.lastUsed&q.mask)*USED_ELEM_SIZE
	id := atomic.LoadUint32(word(e + USED_ELEM_ID))
	length = atomic.LoadUint32(word(e + USED_ELEM_LEN))
	if id >= uint32(q.size) || !q.freeChain(uint16(id)) {
		q.broken = true
		return 0, 0, false
	}
	q.lastUsed++
	if q.eventIdx && !q.irqOff {
		// Keep the interrupt armed for the next entry (§2.7.7): the
		// device interrupts when it writes entry used_event. The
		// atomic store orders it before the next used idx load.
		q.storeUsedEvent(q.lastUsed)
	}
	return uint16(id), length, true
}

// freeChain returns the chain headed by head to the free list, or reports
// false if head heads no chain the device holds or the chain is longer
// than the descriptors in use (a corrupted table).
//
// Trap context: called by Used.
//
//go:nosplit
func (q *Queue) freeChain(head uint16) bool {
	w := &q.heads[(head>>6)%uint16(len(q.heads))]
	bit := uint64(1) << (head & 63)
	if *w&bit == 0 {
		return false
	}
	inUse := q.size - q.numFree
	n := uint16(1)
	tail := head
	for {
		d := q.descAt(tail)
		if d.flags&VIRTQ_DESC_F_NEXT == 0 {
			break
		}
		if n == inUse {
			return false
		}
		tail = d.next & q.mask
		n++
	}
	*w &^= bit
	q.descAt(tail).next = q.freeHead
	q.freeHead = head
	q.numFree += n
	return true
}

// FreeCount returns the number of free descriptors: Add succeeds for
// chains of up to that many buffers.
//
// Trap context: reads a field.
//
//go:nosplit
func (q *Queue) FreeCount() int { return int(q.numFree) }

// Size returns the number of entries, as given to Init.
//
// Trap context: reads a field.
//
//go:nosplit
func (q *Queue) Size() uint16 { return q.size }

// Areas returns the guest-physical addresses of the descriptor table
// (Descriptor Area), the available ring (Driver Area) and the used ring
// (Device Area), which a modern transport writes to the device. A legacy
// transport takes only Memory.Phys (= desc).
//
// Trap context: arithmetic.
//
//go:nosplit
func (q *Queue) Areas() (desc, driver, device uint64) {
	return q.phys(q.desc), q.phys(q.avail), q.phys(q.used)
}

// Broken reports whether the device returned a used entry the queue
// could not accept. The queue then refuses Add and Used; the driver
// resets the device and calls Init again.
//
// Trap context: reads a field.
//
//go:nosplit
func (q *Queue) Broken() bool { return q.broken }

// phys translates a virtual address inside the queue's memory.
//
// Trap context: arithmetic.
//
//go:nosplit
func (q *Queue) phys(va uintptr) uint64 { return q.mem.Phys + uint64(va-q.mem.Virt) }

// descAt returns descriptor i; i is masked to the table.
//
// Trap context: address arithmetic.
//
//go:nosplit
func (q *Queue) descAt(i uint16) *desc {
	return (*desc)(pointer(q.desc + uintptr(i&q.mask)*DESC_SIZE))
}

// storeAvailHeader stores avail flags and idx, one 32-bit word the driver
// alone writes, from their shadows.
//
// Trap context: one atomic store.
//
//go:nosplit
func (q *Queue) storeAvailHeader() {
	atomic.StoreUint32(word(q.avail+AVAIL_FLAGS), uint32(q.availFlags)|uint32(q.availIdx)<<16)
}

// storeAvailEntry writes head into the ring entry for free-running index
// idx. In a queue of size 1 the entry shares its 32-bit word with
// used_event, which the device may read at any time, so both are stored
// at once; otherwise it is a plain store, published by avail idx.
//
// Trap context: one store.
//
//go:nosplit
func (q *Queue) storeAvailEntry(idx, head uint16) {
	a := q.avail + AVAIL_RING + 2*uintptr(idx&q.mask)
	if q.size == 1 {
		atomic.StoreUint32(word(a), uint32(head)|uint32(q.usedEvent)<<16)
		return
	}
	*(*uint16)(pointer(a)) = head
}

// storeUsedEvent sets used_event (§2.7.7) with an atomic store of the
// 32-bit word holding it: used_event and two bytes of padding, or, in a
// queue of size 1, ring[0] (stored again unchanged) and used_event.
//
// Trap context: one atomic store.
//
//go:nosplit
func (q *Queue) storeUsedEvent(v uint16) {
	q.usedEvent = v
	a := q.avail + AVAIL_RING + 2*uintptr(q.size)
	if q.size == 1 {
		entry := *(*uint16)(pointer(a - 2))
		atomic.StoreUint32(word(a-2), uint32(entry)|uint32(v)<<16)
		return
	}
	atomic.StoreUint32(word(a), uint32(v))
}

// loadUsedHeader loads used flags (low half) and idx (high half).
//
// Trap context: one atomic load.
//
//go:nosplit
func (q *Queue) loadUsedHeader() uint32 {
	return atomic.LoadUint32(word(q.used + USED_FLAGS))
}

// loadUsedIdx loads used idx.
//
// Trap context: one atomic load.
//
//go:nosplit
func (q *Queue) loadUsedIdx() uint16 { return uint16(q.loadUsedHeader() >> 16) }

// loadAvailEvent loads avail_event (§2.7.10), through the 32-bit word it
// shares with the padding after it.
//
// Trap context: one atomic load.
//
//go:nosplit
func (q *Queue) loadAvailEvent() uint16 {
	return uint16(atomic.LoadUint32(word(q.used + USED_RING + USED_ELEM_SIZE*uintptr(q.size))))
}

// word returns the 32-bit word at a.
//
// Trap context: a conversion.
//
//go:nosplit
func word(a uintptr) *uint32 { return (*uint32)(pointer(a)) }

// pointer turns an address in the queue's memory into a pointer. The
// memory is not the Go heap's to manage (see Memory), so the conversion
// goes through memory instead of unsafe.Pointer(a): go vet and checkptr
// reserve that form for pointers derived from Go objects, as
// kernel.addrPointer explains.
//
// Trap context: a conversion.
//
//go:nosplit
func pointer(a uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&a))
}
