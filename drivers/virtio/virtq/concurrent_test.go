package virtq

import (
	"fmt"
	"math/rand"
	"runtime"
	"testing"
	"time"
)

// TestConcurrent runs the device in its own goroutine against the driver,
// the way a hypervisor thread runs beside a vCPU, with both suppression
// protocols live: the device sleeps until kicked and re-checks the
// available ring after re-enabling kicks; the driver polls with
// interrupts off and sleeps on an interrupt after EnableInterrupts. A
// missing barrier or a wrong suppression decision shows up as a lost
// wake-up (the test times out waiting) or a corrupted chain; under -race
// the atomics must also make every access to the shared memory
// race-free. The device completes chains in random order and batches.
func TestConcurrent(t *testing.T) {
	n := 20_000
	if testing.Short() {
		n = 2_000
	}
	for _, c := range configs {
		for _, size := range []uint16{1, 8, 64} {
			// Without polling the two sides take turns and sleep after
			// every round; with it they overlap.
			for _, poll := range []int{0, 64} {
				t.Run(fmt.Sprintf("%s/%d/poll%d", c.name, size, poll), func(t *testing.T) {
					t.Parallel()
					runConcurrent(t, size, c.legacy, c.eventIdx, poll, n)
				})
			}
		}
	}
}

// chainFor returns the chain the driver adds for sequence number s: one
// to three buffers whose addresses and lengths encode s, the last one
// device-writable for odd s.
func chainFor(bufs []Buffer, s int, size uint16) []Buffer {
	nb := 1 + s%3
	if nb > int(size) {
		nb = int(size)
	}
	bufs = bufs[:nb]
	for k := range bufs {
		bufs[k] = Buffer{Phys: uint64(s)<<4 | uint64(k), Len: uint32(s%1000 + k), DeviceWrites: k == nb-1 && s%2 == 1}
	}
	return bufs
}

// checkSeq recovers s from a chain the device read and checks the chain
// is exactly chainFor(s).
func checkSeq(chain []elem, size uint16) (int, error) {
	if len(chain) == 0 {
		return 0, fmt.Errorf("empty chain")
	}
	s := int(chain[0].addr >> 4)
	var want [3]Buffer
	bufs := chainFor(want[:], s, size)
	if len(chain) != len(bufs) {
		return s, fmt.Errorf("chain %d has %d descriptors, want %d", s, len(chain), len(bufs))
	}
	for k, e := range chain {
		var flags uint16
		if bufs[k].DeviceWrites {
			flags |= VIRTQ_DESC_F_WRITE
		}
		if k < len(bufs)-1 {
			flags |= VIRTQ_DESC_F_NEXT
		}
		if e.addr != bufs[k].Phys || e.len != bufs[k].Len || e.flags != flags {
			return s, fmt.Errorf("chain %d descriptor %d: %#x %d %#x, want %#x %d %#x", s, k, e.addr, e.len, e.flags, bufs[k].Phys, bufs[k].Len, flags)
		}
	}
	return s, nil
}

// runConcurrent has the driver add and take back n chains while the
// device serves them from another goroutine. Each side polls up to poll
// times before it arms its notification and sleeps.
func runConcurrent(t *testing.T, size uint16, legacy, eventIdx bool, poll, n int) {
	g := newRig(t, size, legacy, eventIdx)
	q, d := g.q, g.d
	kick := make(chan struct{}, 1)
	irq := make(chan struct{}, 1)
	stop := make(chan struct{})
	deviceDone := make(chan struct{})
	signal := func(c chan struct{}) {
		select {
		case c <- struct{}{}:
		default: // already pending: notifications coalesce
		}
	}

	go func() {
		defer close(deviceDone)
		rng := rand.New(rand.NewSource(int64(size)*2 + 1))
		buf := make([]elem, size)
		var held []used
		for {
			for {
				head, chain, ok, err := d.pop(buf)
				if err != nil {
					t.Errorf("device: %v", err)
					return
				}
				if !ok {
					break
				}
				s, err := checkSeq(chain, size)
				if err != nil {
					t.Errorf("device: %v", err)
					return
				}
				held = append(held, used{head, uint32(s)})
			}
			if len(held) > 0 {
				// Some of what it holds, in random order and batches;
				// the rest waits for a later round.
				rng.Shuffle(len(held), func(i, j int) { held[i], held[j] = held[j], held[i] })
				k := 1 + rng.Intn(len(held))
				if d.complete(held[:k]...) {
					signal(irq)
				}
				held = append(held[:0], held[k:]...)
				continue
			}
			// Idle: poll a little (the driver may be adding right now),
			// then ask for a kick and look again before sleeping, or a
			// chain added in between would never be noticed.
			for i := rng.Intn(poll + 1); i > 0 && d.available() == 0; i-- {
				runtime.Gosched()
			}
			if d.available() > 0 {
				continue
			}
			d.enableKicks()
			if d.available() > 0 {
				d.disableKicks()
				continue
			}
			select {
			case <-kick:
			case <-stop:
				return
			}
			d.disableKicks()
		}
	}()

	defer func() {
		close(stop)
		<-deviceDone
	}()

	rng := rand.New(rand.NewSource(int64(size)))
	expect := make([]int, size) // head -> sequence number
	seen := make([]bool, n)
	var bufs [3]Buffer
	next, done, sleeps, kicks := 0, 0, 0, 0
	for done < n {
		for next < n {
			chain := chainFor(bufs[:], next, size)
			if q.FreeCount() < len(chain) {
				break
			}
			head, ok := q.Add(chain)
			if !ok {
				t.Fatalf("Add failed with %d free", q.FreeCount())
			}
			expect[head] = next
			next++
			if rng.Intn(4) == 0 && q.NeedsNotify() { // sometimes per chain, sometimes per batch
				kicks++
				signal(kick)
			}
		}
		if q.NeedsNotify() {
			kicks++
			signal(kick)
		}
		q.DisableInterrupts()
		got := 0
		for {
			head, length, ok := q.Used()
			if !ok {
				break
			}
			s := expect[head]
			if uint32(s) != length || seen[s] {
				t.Fatalf("Used = head %d len %d; chain %d was added there (seen %v)", head, length, s, seen[s])
			}
			seen[s] = true
			done++
			got++
		}
		if q.Broken() {
			t.Fatalf("queue broken")
		}
		if got > 0 {
			continue
		}
		// Nothing: poll a little while the device may be completing,
		// then re-enable interrupts, and look again before sleeping.
		for i := rng.Intn(poll + 1); i > 0 && got == 0; i-- {
			runtime.Gosched()
			if head, length, ok := q.Used(); ok {
				s := expect[head]
				if uint32(s) != length || seen[s] {
					t.Fatalf("Used = head %d len %d; chain %d was added there (seen %v)", head, length, s, seen[s])
				}
				seen[s] = true
				done++
				got++
			}
		}
		if got > 0 || q.EnableInterrupts() {
			continue
		}
		sleeps++
		select {
		case <-irq:
		case <-deviceDone:
			t.Fatalf("device stopped after %d of %d chains", done, n)
		case <-time.After(20 * time.Second):
			t.Fatalf("no interrupt after %d of %d chains: a lost wake-up", done, n)
		}
	}
	if q.FreeCount() != int(size) {
		t.Errorf("FreeCount %d at the end", q.FreeCount())
	}
	t.Logf("%d chains, %d notifications, %d waits for an interrupt", n, kicks, sleeps)
}
