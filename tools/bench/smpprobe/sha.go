package main

import (
	"crypto/sha256"
	"encoding/binary"
	"sync"
	"sync/atomic"
	"time"
)

// pieceSize is the unit of the hashing workload: each piece is hashed
// as one message.
const pieceSize = 1 << 20

// hashResult is what the hashing workload reports.
type hashResult struct {
	elapsed time.Duration
	sum     uint64 // the XOR of every piece's digest's first 8 bytes
}

// hashAll hashes mib pieces of 1 MiB with SHA-256 on workers goroutines,
// which take the next piece until none is left: the total work is fixed,
// whatever the number of workers. Piece i is a buffer whose first 8 bytes
// are i, the rest zero, so that every piece differs and the result does
// not depend on which worker hashed which piece. Only the hashing is
// timed, not making the buffers.
func hashAll(mib, workers int) hashResult {
	bufs := make([][]byte, workers)
	for w := range bufs {
		bufs[w] = make([]byte, pieceSize)
	}
	var next atomic.Int64
	var sum atomic.Uint64
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			buf := bufs[w]
			var local uint64
			for {
				i := next.Add(1) - 1
				if i >= int64(mib) {
					break
				}
				binary.LittleEndian.PutUint64(buf, uint64(i))
				d := sha256.Sum256(buf)
				local ^= binary.LittleEndian.Uint64(d[:8])
			}
			xorInto(&sum, local)
		})
	}
	wg.Wait()
	return hashResult{elapsed: time.Since(start), sum: sum.Load()}
}

// xorInto XORs v into a.
func xorInto(a *atomic.Uint64, v uint64) {
	for {
		old := a.Load()
		if a.CompareAndSwap(old, old^v) {
			return
		}
	}
}
