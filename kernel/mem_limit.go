package kernel

import "unsafe"

// The Go runtime's soft memory limit. A program alone on a VM has all
// the memory that is free when it starts and no more, but its runtime
// does not know that: by default it lets the heap grow to twice what
// was live (and live goroutine stacks) at the last collection, and
// gives freed pages back slowly. In a small VM that is too late: a heap
// that churns, right after 10,000 goroutines have exited, asks to grow
// past what is free before it collects, and its commit is refused
// (canCommit). Linux would let the commit through and kill the process
// when its pages ran out. The kernel instead tells the runtime the size
// of its room through GOMEMLIMIT, as one would for a container: the
// runtime then collects and returns pages to stay under it. The user's
// own GOMEMLIMIT (coracle run -e GOMEMLIMIT=..., or off) wins.

// heapGrowthChunk is how much the runtime commits when its heap grows
// (pallocChunkBytes, runtime/mpagealloc.go): it commits the chunk
// before it gives pages back to stay under the limit, so one chunk must
// fit above the limit.
const heapGrowthChunk = 4 << 20

// minMemoryLimit is the smallest limit the kernel sets: below it the
// runtime would collect on nearly every allocation.
const minMemoryLimit = 4 << 20

// memoryLimit is the runtime's room, in bytes, given free bytes of free
// memory when the program starts: what is free less the commit reserve,
// one heap growth, and an eighth for what the runtime does not count
// (page tables, the program's data and bss, pipes and files in memory).
func memoryLimit(free uint64) uint64 {
	room := free - free/8
	if room < commitReserve+heapGrowthChunk+minMemoryLimit {
		return minMemoryLimit
	}
	return room - commitReserve - heapGrowthChunk
}

// memoryLimitValue formats memoryLimit for the frames free now as
// GOMEMLIMIT's value, in whole MiB, into memLimitBuf (the boot path
// cannot allocate).
func memoryLimitValue() string {
	const unit = "MiB"
	i := len(memLimitBuf) - len(unit)
	copy(memLimitBuf[i:], unit)
	for v := memoryLimit(frames.FreeCount()*4096) >> 20; ; v /= 10 {
		i--
		memLimitBuf[i] = byte('0' + v%10)
		if v < 10 {
			break
		}
	}
	return unsafe.String(&memLimitBuf[i], len(memLimitBuf)-i)
}
