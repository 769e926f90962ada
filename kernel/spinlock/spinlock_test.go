package spinlock

import (
	"runtime"
	"sync"
	"testing"
)

func lock(l *Lock, cpu int) {
	for !l.TryLock(cpu) {
		runtime.Gosched()
	}
}

func TestMutualExclusion(t *testing.T) {
	var l Lock
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
	if l.Owner() != NoOwner {
		t.Fatalf("after all: owner %d", l.Owner())
	}
}

func TestTryLock(t *testing.T) {
	var l Lock
	if l.Owner() != NoOwner || l.HeldBy(0) {
		t.Fatal("the zero Lock is held")
	}
	if !l.TryLock(3) || !l.HeldBy(3) || l.Owner() != 3 {
		t.Fatal("TryLock failed on a free lock")
	}
	if l.TryLock(4) || l.TryLock(3) {
		t.Fatal("TryLock took a held lock")
	}
	if l.HeldBy(4) {
		t.Fatal("HeldBy says a CPU that failed holds it")
	}
	l.Unlock()
	if l.HeldBy(3) || l.Owner() != NoOwner {
		t.Fatal("still held after Unlock")
	}
	if !l.TryLock(4) || l.Owner() != 4 {
		t.Fatal("TryLock failed after Unlock")
	}
}
