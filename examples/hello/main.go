// Hello is coracle's first example: an ordinary Go program that knows
// nothing of coracle. `coracle build ./examples/hello` turns it into a
// bootable image; `make run` boots it.
//
// It exercises what most programs lean on: formatted output, a thousand
// goroutines talking over channels, sync, timers and tickers, maps, the
// garbage collector (after allocating about 256 MiB over its life),
// crypto/sha256, crypto/rand and encoding/json.
package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
)

func main() {
	start := time.Now()
	fmt.Printf("hello from %s/%s, Go %s, %d CPU(s), GOMAXPROCS %d\n", runtime.GOOS, runtime.GOARCH, runtime.Version(), runtime.NumCPU(), runtime.GOMAXPROCS(0))
	fmt.Printf("args %q\n", os.Args[1:])

	fmt.Printf("goroutines: sum of 1..1000 over channels = %d\n", fanIn(1000))
	fmt.Printf("sync: %d increments under a mutex\n", mutexCount(100, 1000))
	fmt.Printf("timers: %d ticks of a 5ms ticker, then a 20ms timer fired\n", ticks(5*time.Millisecond, 10))
	fmt.Printf("maps: %d distinct squares mod 1000\n", squaresMod(1000))

	allocated, gcs := churn(256 << 20)
	fmt.Printf("gc: allocated %d MiB, %d collections, heap now %d MiB\n", allocated>>20, gcs, heapMiB())

	sum := sha256.Sum256([]byte("coracle"))
	fmt.Printf("sha256(\"coracle\") = %s\n", hex.EncodeToString(sum[:]))

	var key [16]byte
	if _, err := rand.Read(key[:]); err != nil {
		fmt.Println("crypto/rand:", err)
		os.Exit(1)
	}
	fmt.Printf("crypto/rand: %d random bytes\n", len(key))

	b, err := json.Marshal(map[string]any{"name": "coracle", "goroutines": 1000, "ok": true})
	if err != nil {
		fmt.Println("json:", err)
		os.Exit(1)
	}
	fmt.Printf("json: %s\n", b)
	fmt.Printf("done in %v\n", time.Since(start).Round(time.Millisecond))
}

// fanIn starts n goroutines that each send their number, and sums them.
func fanIn(n int) int {
	ch := make(chan int)
	for i := 1; i <= n; i++ {
		go func() { ch <- i }()
	}
	sum := 0
	for range n {
		sum += <-ch
	}
	return sum
}

// mutexCount has workers goroutines increment a shared counter each
// times.
func mutexCount(workers, each int) int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	count := 0
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				mu.Lock()
				count++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return count
}

// ticks counts n ticks of a ticker, then waits for a timer.
func ticks(period time.Duration, n int) int {
	t := time.NewTicker(period)
	defer t.Stop()
	got := 0
	for range t.C {
		got++
		if got == n {
			break
		}
	}
	<-time.After(20 * time.Millisecond)
	return got
}

func squaresMod(n int) int {
	seen := map[int]bool{}
	for i := range n {
		seen[i*i%n] = true
	}
	return len(seen)
}

// churn allocates total bytes in short-lived 1 MiB blocks, forces a
// collection, and reports what it allocated and how many cycles ran.
func churn(total int) (allocated, gcs int) {
	var keep [][]byte
	for allocated < total {
		b := make([]byte, 1<<20)
		b[0] = byte(allocated)
		keep = append(keep, b)
		if len(keep) > 8 {
			keep = keep[1:]
		}
		allocated += len(b)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return allocated, int(ms.NumGC)
}

func heapMiB() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc >> 20
}
