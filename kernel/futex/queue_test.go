package futex

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func wake(q *Queue, addr uint64, n int) []int {
	var buf [MaxWaiters]int
	k := q.Wake(addr, n, buf[:])
	return slices.Clone(buf[:k])
}

func TestWakeOrderAndCount(t *testing.T) {
	var q Queue
	const a, b = 0x1000, 0x2000
	for _, w := range []struct {
		slot int
		addr uint64
	}{{5, a}, {2, b}, {9, a}, {0, a}, {7, b}, {3, a}} {
		q.Wait(w.slot, w.addr)
	}
	if q.Len() != 6 {
		t.Fatalf("Len = %d, want 6", q.Len())
	}
	if got := wake(&q, a, 2); !slices.Equal(got, []int{5, 9}) {
		t.Errorf("wake 2 on a = %v, want the two oldest [5 9]", got)
	}
	if got := wake(&q, a, 10); !slices.Equal(got, []int{0, 3}) {
		t.Errorf("wake 10 on a = %v, want the rest [0 3]", got)
	}
	if got := wake(&q, a, 1); len(got) != 0 {
		t.Errorf("wake on a drained futex = %v", got)
	}
	if got := wake(&q, b, 1); !slices.Equal(got, []int{2}) {
		t.Errorf("wake 1 on b = %v, want [2]", got)
	}
	if q.Len() != 1 {
		t.Errorf("Len = %d, want 1", q.Len())
	}
	if addr, ok := q.Waiting(7); !ok || addr != b {
		t.Errorf("Waiting(7) = %#x, %v; want b", addr, ok)
	}
}

func TestWakeNobody(t *testing.T) {
	var q Queue
	if got := wake(&q, 0x1000, 1); len(got) != 0 {
		t.Errorf("wake on an empty queue = %v", got)
	}
	q.Wait(1, 0x1000)
	if got := wake(&q, 0x1004, 5); len(got) != 0 {
		t.Errorf("wake of an address nobody waits on = %v", got)
	}
	if _, ok := q.Waiting(1); !ok || q.Len() != 1 {
		t.Error("a wake of another address disturbed the waiter")
	}
}

func TestTimedOutWaiterRemoved(t *testing.T) {
	var q Queue
	const a = 0x1000
	q.Wait(4, a)
	q.Wait(8, a)
	q.Wait(6, a)
	if !q.Cancel(8) {
		t.Fatal("Cancel of a waiter reported false")
	}
	if q.Cancel(8) {
		t.Error("second Cancel reported true")
	}
	if _, ok := q.Waiting(8); ok {
		t.Error("cancelled slot still waiting")
	}
	if got := wake(&q, a, 3); !slices.Equal(got, []int{4, 6}) {
		t.Errorf("wake after a timeout = %v, want [4 6]", got)
	}
	// Cancelling the head and the tail keeps the list whole.
	q.Wait(1, a)
	q.Wait(2, a)
	q.Wait(3, a)
	q.Cancel(1)
	q.Cancel(3)
	q.Wait(4, a)
	if got := wake(&q, a, 5); !slices.Equal(got, []int{2, 4}) {
		t.Errorf("wake after head and tail cancels = %v, want [2 4]", got)
	}
	if q.Len() != 0 || q.head != 0 || q.tail != 0 {
		t.Errorf("queue not empty: len %d head %d tail %d", q.Len(), q.head, q.tail)
	}
}

func TestWaitAgainMoves(t *testing.T) {
	var q Queue
	q.Wait(1, 0x10)
	q.Wait(2, 0x10)
	q.Wait(1, 0x20) // slot 1 now waits elsewhere, newest
	if got := wake(&q, 0x10, 5); !slices.Equal(got, []int{2}) {
		t.Errorf("wake 0x10 = %v, want [2]", got)
	}
	if got := wake(&q, 0x20, 5); !slices.Equal(got, []int{1}) {
		t.Errorf("wake 0x20 = %v, want [1]", got)
	}
}

func TestBounds(t *testing.T) {
	var q Queue
	if q.Wait(-1, 1) || q.Wait(MaxWaiters, 1) {
		t.Error("Wait accepted a slot outside the queue")
	}
	if q.Cancel(-1) || q.Cancel(MaxWaiters) {
		t.Error("Cancel accepted a slot outside the queue")
	}
	for s := range MaxWaiters {
		if !q.Wait(s, 0x40) {
			t.Fatalf("Wait(%d) refused", s)
		}
	}
	var two [2]int
	if n := q.Wake(0x40, 100, two[:]); n != 2 || two != [2]int{0, 1} {
		t.Errorf("Wake into a 2-slot buffer took %d: %v", n, two)
	}
	if got := wake(&q, 0x40, MaxWaiters); len(got) != MaxWaiters-2 {
		t.Errorf("woke %d of the full queue's rest, want %d", len(got), MaxWaiters-2)
	}
}

func TestWakeCount(t *testing.T) {
	for _, c := range []struct {
		val  uint32
		want int
	}{{1, 1}, {0, 1}, {5, 5}, {0x7fffffff, 0x7fffffff}, {^uint32(0), 1}, {0x80000000, 1}} {
		if got := WakeCount(c.val); got != c.want {
			t.Errorf("WakeCount(%#x) = %d, want %d", c.val, got, c.want)
		}
	}
}

// TestAgainstModel runs random waits, cancels and wakes against a slice
// in arrival order.
func TestAgainstModel(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	var q Queue
	type entry struct {
		slot int
		addr uint64
	}
	var model []entry
	addrs := []uint64{0x1000, 0x1004, 0x2000}
	for i := range 20000 {
		switch op := r.IntN(3); {
		case op == 0:
			s, a := r.IntN(MaxWaiters), addrs[r.IntN(len(addrs))]
			q.Wait(s, a)
			model = slices.DeleteFunc(model, func(e entry) bool { return e.slot == s })
			model = append(model, entry{s, a})
		case op == 1:
			s := r.IntN(MaxWaiters)
			was := slices.ContainsFunc(model, func(e entry) bool { return e.slot == s })
			if q.Cancel(s) != was {
				t.Fatalf("step %d: Cancel(%d) disagrees with the model", i, s)
			}
			model = slices.DeleteFunc(model, func(e entry) bool { return e.slot == s })
		default:
			a, n := addrs[r.IntN(len(addrs))], r.IntN(4)
			var want []int
			model = slices.DeleteFunc(model, func(e entry) bool {
				if e.addr == a && len(want) < n {
					want = append(want, e.slot)
					return true
				}
				return false
			})
			if got := wake(&q, a, n); !slices.Equal(got, want) {
				t.Fatalf("step %d: wake(%#x, %d) = %v, model %v", i, a, n, got, want)
			}
		}
		if q.Len() != len(model) {
			t.Fatalf("step %d: Len %d, model %d", i, q.Len(), len(model))
		}
	}
}

// TestNoAllocations: the queue operations allocate nothing (trap context).
func TestNoAllocations(t *testing.T) {
	var q Queue
	var woken [MaxWaiters]int
	n := testing.AllocsPerRun(100, func() {
		for s := range 8 {
			q.Wait(s, uint64(s%2))
		}
		q.Cancel(3)
		q.Waiting(2)
		q.Wake(0, WakeCount(0), woken[:])
		q.Wake(1, 10, woken[:])
		q.Wake(0, 10, woken[:])
	})
	if n != 0 {
		t.Errorf("%v allocations per run", n)
	}
}
