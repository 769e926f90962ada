// Smpstress exercises the Go runtime on every P at once: the garbage
// collector with goroutines allocating everywhere, channel ping-pong,
// WaitGroups, timers and tickers, tight loops the runtime must preempt
// asynchronously, LockOSThread, goroutines blocked in system calls while
// others run, panics recovered on every P, and sched_setaffinity pinning
// a thread. A mutex contended on every CPU is examples/hello's (its
// "sync:" line, which TestSMPNumCPU checks).
// Its "smp:" lines depend only on the work done, so the guest's must
// equal the host's; the CPU count is printed apart ("cpus:").
package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// width is how many workers of each kind run, at least the CPUs tested.
const width = 4

func main() {
	fmt.Printf("cpus: NumCPU %d GOMAXPROCS %d\n", runtime.NumCPU(), runtime.GOMAXPROCS(0))
	// The work is sized by a fixed width, not by the CPU count, so that
	// every run prints the same; the loops that must occupy every P
	// (preempt) use GOMAXPROCS and print whether all ran.
	p := width
	fmt.Printf("smp: gc %d\n", gcStorm(p*50, 200))
	fmt.Printf("smp: pingpong %d\n", pingPong(p, 2000))
	fmt.Printf("smp: timers %d\n", timers(p*8, 10))
	fmt.Printf("smp: preempt all %v\n", preempt(runtime.GOMAXPROCS(0)) == runtime.GOMAXPROCS(0))
	fmt.Printf("smp: locked %d\n", locked(p*2))
	fmt.Printf("smp: syscalls %d\n", blockedSyscalls(p))
	fmt.Printf("smp: panics %d\n", panics(p*10))
	fmt.Printf("smp: affinity %s\n", affinity())
	fmt.Println("smp: done")
}

// gcStorm: n goroutines each allocate rounds of short-lived slices and
// keep a digest of what they wrote.
func gcStorm(n, rounds int) uint64 {
	var wg sync.WaitGroup
	var sum atomic.Uint64
	for g := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var keep [][]byte
			for r := range rounds {
				b := make([]byte, 1024+r%7*512)
				for i := range b {
					b[i] = byte(g + r + i)
				}
				keep = append(keep, b)
				if len(keep) > 8 {
					keep = keep[1:]
				}
				sum.Add(uint64(b[len(b)-1]))
			}
		}()
	}
	wg.Wait()
	return sum.Load()
}

// pingPong: n pairs of goroutines pass a counter back and forth.
func pingPong(n, rounds int) int {
	var wg sync.WaitGroup
	var total atomic.Int64
	for range n {
		a, b := make(chan int), make(chan int)
		wg.Add(2)
		go func() {
			defer wg.Done()
			for v := range a {
				b <- v + 1
			}
			close(b)
		}()
		go func() {
			defer wg.Done()
			v := 0
			for range rounds {
				a <- v
				v = <-b
			}
			close(a)
			for range b {
			}
			total.Add(int64(v))
		}()
	}
	wg.Wait()
	return int(total.Load())
}

// timers: n goroutines each wait for a ticker's ticks and a timer.
func timers(n, ticks int) int {
	var wg sync.WaitGroup
	var got atomic.Int64
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tk := time.NewTicker(2 * time.Millisecond)
			defer tk.Stop()
			for range ticks {
				<-tk.C
				got.Add(1)
			}
			<-time.After(3 * time.Millisecond)
			got.Add(1)
		}()
	}
	wg.Wait()
	return int(got.Load())
}

// preempt: p goroutines spin in loops without calls until a flag is set
// by another goroutine: only asynchronous preemption lets the setter and
// the garbage collector run when every P is busy.
func preempt(p int) int {
	var stop atomic.Bool
	var wg sync.WaitGroup
	spins := make([]uint64, p)
	for i := range p {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := uint64(0)
			for !stop.Load() {
				n++
			}
			spins[i] = n
		}()
	}
	time.Sleep(20 * time.Millisecond)
	runtime.GC() // needs every spinning goroutine preempted
	stop.Store(true)
	wg.Wait()
	done := 0
	for _, s := range spins {
		if s > 0 {
			done++
		}
	}
	return done
}

// locked: n goroutines wired to their threads each hash their index a
// thousand times and check that they stayed on one thread.
func locked(n int) int {
	var wg sync.WaitGroup
	var ok atomic.Int64
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			tid := syscall.Gettid()
			h := sha256.Sum256([]byte{byte(i)})
			for range 1000 {
				h = sha256.Sum256(h[:])
			}
			if syscall.Gettid() == tid {
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	return int(ok.Load())
}

// blockedSyscalls: p goroutines block in nanosleep (a system call the
// runtime hands its P off around) while p others count.
func blockedSyscalls(p int) int {
	var wg sync.WaitGroup
	var n atomic.Int64
	for range p {
		wg.Add(2)
		go func() {
			defer wg.Done()
			ts := syscall.Timespec{Nsec: 5_000_000}
			for range 4 {
				syscall.Nanosleep(&ts, nil)
				n.Add(1)
			}
		}()
		go func() {
			defer wg.Done()
			s := 0
			for i := range 200000 {
				s += i
			}
			if s > 0 {
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return int(n.Load())
}

// panics: n goroutines each panic and recover.
func panics(n int) int {
	var wg sync.WaitGroup
	var rec atomic.Int64
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					rec.Add(1)
				}
			}()
			var m map[int]int
			if i >= 0 {
				m[i] = i // nil map: panics
			}
		}()
	}
	wg.Wait()
	if rec.Load() != int64(n) {
		os.Exit(1)
	}
	return int(rec.Load())
}
