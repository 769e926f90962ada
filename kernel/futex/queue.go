package futex

// MaxWaiters is the number of waiter slots in a Queue: one per kernel
// thread slot.
const MaxWaiters = 256

// none marks the end of the arrival list.
const none = -1

// A Queue holds every waiter of every futex, in arrival order: a doubly
// linked list threaded through a fixed array by index, so a wait and a
// cancel are O(1) and a wake walks the list once. The zero Queue is
// empty. It must not be copied once in use (the list is positional, but
// a copy would be a second, diverging queue).
type Queue struct {
	w          [MaxWaiters]waiter
	head, tail int16 // slot+1; 0 is none
	n          int
}

type waiter struct {
	addr       uint64
	prev, next int16 // slot+1; 0 is none
	queued     bool
}

// Wait queues slot as the newest waiter on the futex at addr. A slot
// already waiting is moved (a thread waits on one futex at a time).
// It reports false for a slot outside [0, MaxWaiters).
//
// Trap context: list links.
func (q *Queue) Wait(slot int, addr uint64) bool {
	if slot < 0 || slot >= MaxWaiters {
		return false
	}
	q.Cancel(slot)
	w := &q.w[slot]
	*w = waiter{addr: addr, prev: q.tail, queued: true}
	if q.tail != 0 {
		q.w[q.tail-1].next = int16(slot + 1)
	} else {
		q.head = int16(slot + 1)
	}
	q.tail = int16(slot + 1)
	q.n++
	return true
}

// Cancel takes slot off the queue, when its wait ends other than by a
// wake (a timeout). It reports whether slot was waiting.
//
// Trap context: list links.
func (q *Queue) Cancel(slot int) bool {
	if slot < 0 || slot >= MaxWaiters || !q.w[slot].queued {
		return false
	}
	w := &q.w[slot]
	if w.prev != 0 {
		q.w[w.prev-1].next = w.next
	} else {
		q.head = w.next
	}
	if w.next != 0 {
		q.w[w.next-1].prev = w.prev
	} else {
		q.tail = w.prev
	}
	*w = waiter{}
	q.n--
	return true
}

// Wake takes up to n waiters on the futex at addr off the queue, oldest
// first, stores their slots in woken and returns how many it took. It
// takes no more than len(woken); n <= 0 takes none (see WakeCount for
// the futex(2) rule).
//
// Trap context: one walk of the list.
func (q *Queue) Wake(addr uint64, n int, woken []int) int {
	n = min(n, len(woken))
	k := 0
	for s := q.head; s != 0 && k < n; {
		slot := int(s - 1)
		s = q.w[slot].next
		if q.w[slot].addr == addr {
			q.Cancel(slot)
			woken[k] = slot
			k++
		}
	}
	return k
}

// WakeCount is how many waiters FUTEX_WAKE with argument val releases
// at most: val, but at least one (Linux wakes one waiter even for val 0
// or a negative val).
//
// Trap context: arithmetic.
func WakeCount(val uint32) int { return max(int(int32(val)), 1) }

// Waiting reports the futex slot waits on, if it waits.
//
// Trap context: a lookup.
func (q *Queue) Waiting(slot int) (addr uint64, ok bool) {
	if slot < 0 || slot >= MaxWaiters || !q.w[slot].queued {
		return 0, false
	}
	return q.w[slot].addr, true
}

// Len is the number of waiters on all futexes.
//
// Trap context: a load.
func (q *Queue) Len() int { return q.n }
