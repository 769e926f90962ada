// Parsha hashes GOMAXPROCS independent buffers with SHA-256 in parallel
// and prints the digests and the wall time: the CPU-bound benchmark of
// running threads on several CPUs.
package main

import (
	"crypto/sha256"
	"fmt"
	"runtime"
	"sync"
	"time"
)

func main() {
	const work = 8         // chunks, whatever the CPU count
	const rounds = 1 << 11 // hashes of 4 KiB per chunk
	p := runtime.GOMAXPROCS(0)
	start := time.Now()
	sums := make([][32]byte, work)
	var wg sync.WaitGroup
	for i := range work {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 4096)
			buf[0] = byte(i)
			var h [32]byte
			for range rounds {
				h = sha256.Sum256(buf)
				copy(buf, h[:])
			}
			sums[i] = h
		}()
	}
	wg.Wait()
	el := time.Since(start)
	all := sha256.New()
	for _, s := range sums {
		all.Write(s[:])
	}
	fmt.Printf("parsha: digest %x\n", all.Sum(nil)[:8])
	fmt.Printf("parsha: GOMAXPROCS %d, %d MiB hashed in %d ms\n", p, work*rounds*4096>>20, el.Milliseconds())
}
