package virtq

// Notification suppression, both ways (§2.7.7, §2.7.10). Neither side's
// hints are synchronised with the other's progress; what makes them safe
// is the order of one store and one load on each side: the driver stores
// avail idx, then loads used flags or avail_event (§2.7.13.4.1), the
// device stores used idx, then loads avail flags or used_event. With
// sequentially consistent atomics on both sides, at least one of the two
// loads sees the other side's store, so a wake-up is never lost.

// NeedsNotify reports whether the device wants an available buffer
// notification for the chains Add published since the previous call
// (§2.7.10.1): without VIRTIO_F_EVENT_IDX, unless the device set
// VIRTQ_USED_F_NO_NOTIFY; with it, if avail idx moved past avail_event,
// by vring_need_event. It is false if nothing was added, and true if so
// many were (65536) that the 16-bit comparison cannot tell. The caller
// then writes the transport's notify register.
//
// The load of flags or avail_event follows Add's atomic store of avail
// idx, which is the barrier §2.7.13.4.1 requires.
//
// Trap context: no allocation, no locks; the caller serialises.
//
//go:nosplit
func (q *Queue) NeedsNotify() bool {
	added := q.unnotified
	q.unnotified = 0
	switch {
	case added == 0:
		return false
	case !q.eventIdx:
		return q.loadUsedHeader()&VIRTQ_USED_F_NO_NOTIFY == 0
	case added >= 1<<16:
		return true
	}
	return needEvent(q.loadAvailEvent(), q.availIdx, q.availIdx-uint16(added))
}

// DisableInterrupts asks the device not to send used buffer notifications
// (§2.7.7.1): VIRTQ_AVAIL_F_NO_INTERRUPT in avail flags, or, with
// VIRTIO_F_EVENT_IDX (where flags must stay 0), used_event set to the
// entry just behind the next one, which the device reaches only after
// 65535 more. It is a hint: the device may still interrupt (it has not
// seen the store yet, or the used idx has come round), and the driver
// must accept spurious interrupts.
//
// Trap context: no allocation, no locks; the caller serialises.
//
//go:nosplit
func (q *Queue) DisableInterrupts() {
	q.irqOff = true
	if q.eventIdx {
		q.storeUsedEvent(q.lastUsed - 1)
		return
	}
	q.availFlags |= VIRTQ_AVAIL_F_NO_INTERRUPT
	q.storeAvailHeader()
}

// EnableInterrupts asks the device to interrupt when it uses the next
// buffer: it clears VIRTQ_AVAIL_F_NO_INTERRUPT, or with VIRTIO_F_EVENT_IDX
// sets used_event to the next entry Used will take. It returns true if
// the used ring already holds entries Used has not taken: they may have
// arrived while interrupts were off, and the device need not interrupt
// for them, so the caller must poll again instead of waiting (the race
// the §2.7.14 note describes). Interrupts stay enabled either way.
//
// The store is atomic, so the used idx load after it cannot be satisfied
// first: the device either sees interrupts enabled after it stores its
// idx, or that load sees the idx.
//
// Trap context: no allocation, no locks; the caller serialises.
//
//go:nosplit
func (q *Queue) EnableInterrupts() (pending bool) {
	q.irqOff = false
	if q.eventIdx {
		q.storeUsedEvent(q.lastUsed)
	} else {
		q.availFlags &^= VIRTQ_AVAIL_F_NO_INTERRUPT
		q.storeAvailHeader()
	}
	return q.loadUsedIdx() != q.lastUsed
}

// needEvent is vring_need_event (include/uapi/linux/virtio_ring.h; §2.7.7
// and §2.7.10 state it in words): whether an index that moved from old to
// newIdx passed event, the entry after which the other side asked to be
// notified. Equivalently, whether event lies in [old, newIdx), counted
// modulo 2^16: unsigned 16-bit subtraction makes both distances correct
// across the wrap, provided newIdx-old is below 65536.
//
// Trap context: arithmetic.
//
//go:nosplit
func needEvent(event, newIdx, old uint16) bool {
	return newIdx-event-1 < newIdx-old
}
