package main

import (
	"crypto/sha256"
	"encoding/binary"
	"testing"
)

// The hashing result does not depend on how many workers share the
// pieces, and is each piece's digest XORed together.
func TestHashAll(t *testing.T) {
	var want uint64
	buf := make([]byte, pieceSize)
	for i := range 5 {
		binary.LittleEndian.PutUint64(buf, uint64(i))
		d := sha256.Sum256(buf)
		want ^= binary.LittleEndian.Uint64(d[:8])
	}
	for _, workers := range []int{1, 3, 8} {
		if got := hashAll(5, workers); got.sum != want || got.elapsed <= 0 {
			t.Errorf("%d workers: sum %x in %v, want %x", workers, got.sum, got.elapsed, want)
		}
	}
}

// The allocation workload allocates about what it is asked to, collects
// several times on the way, and its result does not depend on the
// workers.
func TestAllocate(t *testing.T) {
	one := allocate(16, 1)
	four := allocate(16, 4)
	if one.sum != four.sum || one.sum == 0 {
		t.Errorf("sums %x (1 worker) and %x (4 workers)", one.sum, four.sum)
	}
	for _, r := range []allocResult{one, four} {
		if mib := r.allocated >> 20; mib < 12 || mib > 24 {
			t.Errorf("allocated %d MiB for 16", mib)
		}
		if r.gcs < 2 {
			t.Errorf("%d collections", r.gcs)
		}
	}
}
