package epoll

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

const (
	// MaxItems is the number of descriptors one Set can watch.
	MaxItems = 256

	// EventSize is sizeof(struct epoll_event) on x86-64, where the
	// structure is packed (EPOLL_PACKED in eventpoll.h): events (u32)
	// at 0, data (u64) at 4.
	EventSize = 12

	// MaxEvents is the largest maxevents epoll_wait accepts
	// (Linux's EP_MAX_EVENTS: INT_MAX / sizeof(struct epoll_event)).
	MaxEvents = (1<<31 - 1) / EventSize

	// always are the events reported whether asked for or not
	// (epoll_ctl(2)).
	always = linux.EPOLLERR | linux.EPOLLHUP
)

// A Set is one epoll instance's interest list, in registration order
// (a deletion moves the last entry into the gap). The zero Set is empty.
type Set struct {
	n     int
	items [MaxItems]item
}

type item struct {
	fd     int32
	events uint32 // as registered, with EPOLLET
	data   uint64
	// pending are the events raised and not reported yet: the
	// edge-triggered report.
	pending uint32
}

// interest is the set of events item it reports.
func (it *item) interest() uint32 { return it.events | always }

// Readiness holds, by item index, what each level-triggered descriptor
// of a Set is ready for now: Collect's view of the descriptors.
type Readiness [MaxItems]uint32

// Ctl is epoll_ctl for descriptor fd with struct epoll_event {events,
// data}: EPOLL_CTL_ADD (EEXIST if fd is registered, ENOSPC when the Set
// is full), EPOLL_CTL_MOD (ENOENT if fd is not registered), EPOLL_CTL_DEL
// (ENOENT likewise; events and data unused), EINVAL for any other op. An
// add or modify arms the descriptor with now, its current readiness, so
// a descriptor that is already ready is reported once even
// edge-triggered, as Linux does.
//
// Trap context: a scan of the Set.
func (s *Set) Ctl(op uint64, fd int32, events uint32, data uint64, now uint32) linux.Errno {
	k := s.find(fd)
	switch op {
	case linux.EPOLL_CTL_ADD:
		if k >= 0 {
			return linux.EEXIST
		}
		if s.n == MaxItems {
			return linux.ENOSPC
		}
		k = s.n
		s.n++
	case linux.EPOLL_CTL_MOD:
		if k < 0 {
			return linux.ENOENT
		}
	case linux.EPOLL_CTL_DEL:
		if k < 0 {
			return linux.ENOENT
		}
		s.remove(k)
		return 0
	default:
		return linux.EINVAL
	}
	it := &s.items[k]
	*it = item{fd: fd, events: events, data: data}
	it.pending = now & it.interest()
	return 0
}

// Contains reports whether fd is registered.
//
// Trap context: a scan of the Set.
func (s *Set) Contains(fd int32) bool { return s.find(fd) >= 0 }

// Notify records that fd became ready for events (a rising edge): the
// next Collect reports those of them fd is registered for. It reports
// whether fd is registered.
//
// Trap context: a scan of the Set.
func (s *Set) Notify(fd int32, events uint32) bool {
	k := s.find(fd)
	if k < 0 {
		return false
	}
	it := &s.items[k]
	it.pending |= events & it.interest()
	return true
}

// Forget removes fd if it is registered: a closed descriptor leaves
// every interest list (epoll(7): once all references are closed).
//
// Trap context: a scan of the Set.
func (s *Set) Forget(fd int32) {
	if k := s.find(fd); k >= 0 {
		s.remove(k)
	}
}

// Reset empties the Set, for a new instance.
//
// Trap context: a store.
func (s *Set) Reset() { s.n = 0 }

// Len is the number of registered descriptors; items are indexed
// 0..Len()-1 for FD, Level and Readiness.
//
// Trap context: a load.
func (s *Set) Len() int { return s.n }

// FD is the descriptor of item k.
//
// Trap context: a load.
func (s *Set) FD(k int) int32 { return s.items[k].fd }

// Level reports whether item k is level-triggered: Collect needs its
// current readiness.
//
// Trap context: a load.
func (s *Set) Level(k int) bool { return s.items[k].events&linux.EPOLLET == 0 }

// Collect writes the events to report now into dst as packed struct
// epoll_event, at most len(dst)/EventSize of them, and returns how many.
// An edge-triggered item reports the events raised since it was last
// reported (then none until a new edge); a level-triggered item reports
// now[k], what it is ready for now, as long as that is not empty. Items
// are visited in order; those past the last one reported keep their
// events for the next call.
//
// Trap context: a scan of the Set, stores into dst.
func (s *Set) Collect(dst []byte, now *Readiness) int {
	max := len(dst) / EventSize
	n := 0
	for k := 0; k < s.n && n < max; k++ {
		it := &s.items[k]
		ev := it.pending
		if it.events&linux.EPOLLET == 0 {
			ev = now[k] & it.interest()
		}
		if ev == 0 {
			continue
		}
		it.pending = 0
		PutEvent(dst[n*EventSize:], ev, it.data)
		n++
	}
	return n
}

// PutEvent stores one struct epoll_event at the start of b.
//
// Trap context: stores into b.
func PutEvent(b []byte, events uint32, data uint64) {
	binary.LittleEndian.PutUint32(b[0:], events)
	binary.LittleEndian.PutUint64(b[4:], data)
}

// find returns the index of fd's item, or -1.
func (s *Set) find(fd int32) int {
	for k := range s.n {
		if s.items[k].fd == fd {
			return k
		}
	}
	return -1
}

// remove deletes item k, moving the last item into its place.
func (s *Set) remove(k int) {
	s.n--
	s.items[k] = s.items[s.n]
	s.items[s.n] = item{}
}
