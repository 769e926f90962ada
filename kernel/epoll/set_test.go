package epoll

import (
	"encoding/binary"
	"testing"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

const (
	IN    = linux.EPOLLIN
	OUT   = linux.EPOLLOUT
	ERR   = linux.EPOLLERR
	HUP   = linux.EPOLLHUP
	RDHUP = linux.EPOLLRDHUP
	ET    = linux.EPOLLET
)

type event struct {
	events uint32
	data   uint64
}

// collect runs Collect with room for max events and the readiness of
// level-triggered descriptors from ready (by descriptor), and decodes
// what it wrote.
func collect(s *Set, max int, ready map[int32]uint32) []event {
	var now Readiness
	for k := range s.Len() {
		if s.Level(k) {
			now[k] = ready[s.FD(k)]
		}
	}
	dst := make([]byte, max*EventSize+EventSize-1) // a partial slot is not room
	for i := range dst {
		dst[i] = 0xee
	}
	n := s.Collect(dst, &now)
	var out []event
	for i := range n {
		b := dst[i*EventSize:]
		out = append(out, event{binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint64(b[4:])})
	}
	for _, c := range dst[n*EventSize:] {
		if c != 0xee {
			panic("Collect wrote past the events it reported")
		}
	}
	return out
}

func eq(a, b []event) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestCtlErrors(t *testing.T) {
	var s Set
	for _, c := range []struct {
		op   uint64
		fd   int32
		want linux.Errno
	}{
		{linux.EPOLL_CTL_MOD, 3, linux.ENOENT},
		{linux.EPOLL_CTL_DEL, 3, linux.ENOENT},
		{linux.EPOLL_CTL_ADD, 3, 0},
		{linux.EPOLL_CTL_ADD, 3, linux.EEXIST},
		{linux.EPOLL_CTL_MOD, 3, 0},
		{4, 3, linux.EINVAL},
		{0, 3, linux.EINVAL},
		{linux.EPOLL_CTL_DEL, 3, 0},
		{linux.EPOLL_CTL_DEL, 3, linux.ENOENT},
		{linux.EPOLL_CTL_ADD, 3, 0},
	} {
		if got := s.Ctl(c.op, c.fd, IN, 0, 0); got != c.want {
			t.Errorf("Ctl(%d, %d) = %v, want %v", c.op, c.fd, got, c.want)
		}
	}
	if s.Len() != 1 || !s.Contains(3) {
		t.Errorf("Len %d, Contains(3) %v; want 1, true", s.Len(), s.Contains(3))
	}
}

func TestCapacity(t *testing.T) {
	var s Set
	for fd := range int32(MaxItems) {
		if e := s.Ctl(linux.EPOLL_CTL_ADD, fd, IN|ET, uint64(fd), 0); e != 0 {
			t.Fatalf("add %d: %v", fd, e)
		}
	}
	if e := s.Ctl(linux.EPOLL_CTL_ADD, MaxItems, IN, 0, 0); e != linux.ENOSPC {
		t.Errorf("add to a full set = %v, want ENOSPC", e)
	}
	s.Forget(7)
	if e := s.Ctl(linux.EPOLL_CTL_ADD, MaxItems, IN, 0, 0); e != 0 {
		t.Errorf("add after a forget = %v", e)
	}
}

func TestEdgeTriggered(t *testing.T) {
	var s Set
	s.Ctl(linux.EPOLL_CTL_ADD, 5, IN|OUT|ET, 0x55, 0)
	if got := collect(&s, 8, nil); got != nil {
		t.Fatalf("nothing happened, got %v", got)
	}
	s.Notify(5, IN)
	s.Notify(5, OUT)
	if got := collect(&s, 8, nil); !eq(got, []event{{IN | OUT, 0x55}}) {
		t.Fatalf("after two edges: %v", got)
	}
	// Still ready, but no new edge: not reported again.
	if got := collect(&s, 8, map[int32]uint32{5: IN | OUT}); got != nil {
		t.Fatalf("edge reported twice: %v", got)
	}
	s.Notify(5, IN)
	if got := collect(&s, 8, nil); !eq(got, []event{{IN, 0x55}}) {
		t.Fatalf("a new rising edge: %v", got)
	}
}

func TestLevelTriggered(t *testing.T) {
	var s Set
	s.Ctl(linux.EPOLL_CTL_ADD, 5, IN, 0x55, 0)
	ready := map[int32]uint32{5: IN | OUT}
	for i := range 3 {
		if got := collect(&s, 8, ready); !eq(got, []event{{IN, 0x55}}) {
			t.Fatalf("collect %d while ready: %v", i, got)
		}
	}
	ready[5] = OUT // drained: not ready for what it asked
	if got := collect(&s, 8, ready); got != nil {
		t.Fatalf("reported while not ready: %v", got)
	}
	// An edge notification does not make a level item report what it
	// is not ready for now.
	s.Notify(5, IN)
	if got := collect(&s, 8, ready); got != nil {
		t.Fatalf("stale edge reported for a level item: %v", got)
	}
}

func TestAddArmsWithCurrentReadiness(t *testing.T) {
	var s Set
	s.Ctl(linux.EPOLL_CTL_ADD, 5, IN|ET, 1, IN|OUT)
	if got := collect(&s, 8, nil); !eq(got, []event{{IN, 1}}) {
		t.Fatalf("ready at add: %v", got)
	}
	if got := collect(&s, 8, nil); got != nil {
		t.Fatalf("reported twice: %v", got)
	}
	// MOD re-arms from the current readiness with the new mask and data.
	s.Ctl(linux.EPOLL_CTL_MOD, 5, OUT|ET, 2, IN|OUT)
	if got := collect(&s, 8, nil); !eq(got, []event{{OUT, 2}}) {
		t.Fatalf("after MOD: %v", got)
	}
	// MOD also drops what was pending under the old mask.
	s.Notify(5, OUT)
	s.Ctl(linux.EPOLL_CTL_MOD, 5, IN|ET, 3, 0)
	if got := collect(&s, 8, nil); got != nil {
		t.Fatalf("pending events survived MOD: %v", got)
	}
}

func TestMasks(t *testing.T) {
	var s Set
	s.Ctl(linux.EPOLL_CTL_ADD, 5, IN|ET, 5, 0)
	s.Ctl(linux.EPOLL_CTL_ADD, 6, OUT, 6, 0)
	s.Notify(5, OUT|RDHUP) // not asked for
	if got := collect(&s, 8, map[int32]uint32{6: IN}); got != nil {
		t.Fatalf("events outside the masks reported: %v", got)
	}
	s.Notify(5, ERR|IN|OUT)
	got := collect(&s, 8, map[int32]uint32{6: HUP | IN})
	if !eq(got, []event{{ERR | IN, 5}, {HUP, 6}}) {
		t.Fatalf("EPOLLERR/EPOLLHUP are always reported: %v", got)
	}
	if s.Notify(9, IN) {
		t.Error("Notify of an unregistered descriptor reported true")
	}
}

func TestMaxEvents(t *testing.T) {
	var s Set
	for fd := range int32(5) {
		s.Ctl(linux.EPOLL_CTL_ADD, fd, IN|ET, uint64(fd), 0)
		s.Notify(fd, IN)
	}
	if got := collect(&s, 2, nil); !eq(got, []event{{IN, 0}, {IN, 1}}) {
		t.Fatalf("first 2: %v", got)
	}
	if got := collect(&s, 0, nil); got != nil {
		t.Fatalf("no room: %v", got)
	}
	if got := collect(&s, 2, nil); !eq(got, []event{{IN, 2}, {IN, 3}}) {
		t.Fatalf("next 2: events beyond maxevents must stay pending: %v", got)
	}
	if got := collect(&s, 2, nil); !eq(got, []event{{IN, 4}}) {
		t.Fatalf("last: %v", got)
	}
}

func TestForget(t *testing.T) {
	var s Set
	s.Ctl(linux.EPOLL_CTL_ADD, 5, IN|ET, 5, 0)
	s.Ctl(linux.EPOLL_CTL_ADD, 6, IN|ET, 6, 0)
	s.Ctl(linux.EPOLL_CTL_ADD, 7, IN, 7, 0)
	s.Notify(5, IN)
	s.Notify(6, IN)
	s.Forget(5)
	s.Forget(42) // not registered: nothing
	if s.Contains(5) || s.Len() != 2 {
		t.Fatalf("closed descriptor kept: Len %d", s.Len())
	}
	if got := collect(&s, 8, map[int32]uint32{5: IN, 7: IN}); !eq(got, []event{{IN, 7}, {IN, 6}}) {
		t.Fatalf("after forget: %v (the last item fills the gap)", got)
	}
	if e := s.Ctl(linux.EPOLL_CTL_DEL, 5, 0, 0, 0); e != linux.ENOENT {
		t.Errorf("DEL of a forgotten descriptor = %v", e)
	}
	// A new descriptor with the same number starts afresh.
	s.Ctl(linux.EPOLL_CTL_ADD, 5, IN|ET, 50, 0)
	if got := collect(&s, 8, nil); got != nil {
		t.Fatalf("old events of a reused number: %v", got)
	}
	s.Reset()
	if s.Len() != 0 || s.Contains(6) {
		t.Error("Reset left items")
	}
}

func TestMaxEventsBound(t *testing.T) {
	if MaxEvents*EventSize > 1<<31-1 || (MaxEvents+1)*EventSize <= 1<<31-1 {
		t.Errorf("MaxEvents %d is not INT_MAX / %d", MaxEvents, EventSize)
	}
}

// TestNoAllocations: the Set's operations allocate nothing (trap context).
func TestNoAllocations(t *testing.T) {
	var s Set
	var now Readiness
	dst := make([]byte, 16*EventSize)
	n := testing.AllocsPerRun(100, func() {
		s.Reset()
		for fd := range int32(16) {
			s.Ctl(linux.EPOLL_CTL_ADD, fd, IN|OUT|ET*uint32(fd%2), uint64(fd), IN)
		}
		s.Ctl(linux.EPOLL_CTL_MOD, 3, IN, 3, 0)
		s.Notify(4, IN)
		s.Forget(5)
		s.Ctl(linux.EPOLL_CTL_DEL, 6, 0, 0, 0)
		for k := range s.Len() {
			if s.Level(k) {
				now[k] = IN
			}
		}
		s.Collect(dst, &now)
		s.Contains(2)
	})
	if n != 0 {
		t.Errorf("%v allocations per run", n)
	}
}
