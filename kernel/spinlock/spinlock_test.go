package spinlock

import (
	"runtime"
	"sync"
	"testing"
)

func lock(l *Ticket, cpu int) {
	t := l.Take()
	for !l.Serving(t) {
		runtime.Gosched()
	}
	l.Acquired(cpu)
}

func TestMutualExclusion(t *testing.T) {
	var l Ticket
	const workers, rounds = 8, 2000
	counter, inside := 0, 0
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				lock(&l, w)
				inside++
				if inside != 1 || !l.HeldBy(w) || l.Owner() != w {
					t.Errorf("worker %d: %d inside, owner %d", w, inside, l.Owner())
				}
				counter++
				inside--
				l.Unlock()
			}
		}()
	}
	wg.Wait()
	if counter != workers*rounds {
		t.Fatalf("counter = %d, want %d", counter, workers*rounds)
	}
	if l.Owner() != NoOwner || l.Waiting() != 0 {
		t.Fatalf("after all: owner %d, waiting %d", l.Owner(), l.Waiting())
	}
}

func TestFIFOOrder(t *testing.T) {
	var l Ticket
	held := l.Take()
	if !l.Serving(held) {
		t.Fatal("the first ticket is not served on a free lock")
	}
	l.Acquired(0)
	a, b := l.Take(), l.Take()
	if l.Waiting() != 2 {
		t.Fatalf("Waiting = %d, want 2", l.Waiting())
	}
	if l.Serving(a) || l.Serving(b) {
		t.Fatal("a waiter is served while the lock is held")
	}
	l.Unlock()
	if !l.Serving(a) || l.Serving(b) {
		t.Fatal("the lock did not go to the first waiter")
	}
	l.Acquired(1)
	l.Unlock()
	if !l.Serving(b) {
		t.Fatal("the lock did not go to the second waiter")
	}
}

func TestTryLock(t *testing.T) {
	var l Ticket
	if !l.TryLock(3) || !l.HeldBy(3) {
		t.Fatal("TryLock failed on a free lock")
	}
	if l.TryLock(4) {
		t.Fatal("TryLock took a held lock")
	}
	w := l.Take()
	l.Unlock()
	if l.TryLock(4) {
		t.Fatal("TryLock jumped the queue")
	}
	if !l.Serving(w) {
		t.Fatal("the waiter lost its turn")
	}
	l.Acquired(5)
	l.Unlock()
	if !l.TryLock(4) {
		t.Fatal("TryLock failed once the queue was empty")
	}
}

func TestHeldByOnlyTheOwner(t *testing.T) {
	var l Ticket
	if l.HeldBy(0) || l.Owner() != NoOwner {
		t.Fatal("a zero lock is held")
	}
	lock(&l, 0)
	if !l.HeldBy(0) || l.HeldBy(1) {
		t.Fatal("HeldBy is wrong for the owner or another CPU")
	}
	l.Unlock()
	if l.HeldBy(0) {
		t.Fatal("still held after Unlock")
	}
}
