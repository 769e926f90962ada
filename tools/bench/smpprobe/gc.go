package main

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// treeDepth is the depth of each task's tree: 2^treeDepth-1 nodes and a
// 16-byte slice per leaf, about 0.9 MiB a tree. The live heap
// stays a few trees large, so the collector runs every few MiB
// allocated: many times in the workload.
const treeDepth = 14

// taskBytes is about what one task allocates: the nodes (40 bytes, so
// 48 in the allocator's size classes) and the leaves' slices.
const taskBytes = (1<<treeDepth-1)*48 + (1<<(treeDepth-1))*16

// node is a binary tree's node.
type node struct {
	left, right *node
	leaf        []byte // a leaf's payload; nil inside the tree
}

// allocResult is what the allocation workload reports.
type allocResult struct {
	elapsed   time.Duration
	allocated uint64 // bytes allocated while it ran (MemStats.TotalAlloc)
	gcs       uint32 // collections while it ran (MemStats.NumGC)
	sum       uint64 // the sum of every tree's checksum
}

// allocate builds and drops trees on workers goroutines, which take the
// next task until none is left: as many tasks as make mib MiB at
// taskBytes each, whatever the number of workers. Each task builds a
// tree, walks it for its checksum and drops it.
func allocate(mib, workers int) allocResult {
	tasks := int64(mib) << 20 / taskBytes
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var next atomic.Int64
	var sum atomic.Uint64
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			var local uint64
			for {
				i := next.Add(1) - 1
				if i >= tasks {
					break
				}
				local += checksum(build(treeDepth, uint64(i)))
			}
			sum.Add(local)
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	return allocResult{
		elapsed:   elapsed,
		allocated: after.TotalAlloc - before.TotalAlloc,
		gcs:       after.NumGC - before.NumGC,
		sum:       sum.Load(),
	}
}

// build returns a tree of depth d whose leaves hold 16 bytes made from
// seed and their position.
func build(d int, seed uint64) *node {
	if d == 1 {
		b := make([]byte, 16)
		for i := range b {
			b[i] = byte(seed >> (i % 8 * 8))
		}
		return &node{leaf: b}
	}
	return &node{left: build(d-1, seed*2), right: build(d-1, seed*2+1)}
}

// checksum sums the bytes of the tree's leaves.
func checksum(n *node) uint64 {
	if n.leaf != nil {
		var s uint64
		for _, b := range n.leaf {
			s += uint64(b)
		}
		return s
	}
	return checksum(n.left) + checksum(n.right)
}
