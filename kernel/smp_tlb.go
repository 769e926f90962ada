package kernel

import "github.com/coracle-os/coracle/arch/amd64"

// TLB shootdown. A CPU that removes or weakens a user mapping (munmap,
// mprotect, MADV_DONTNEED, mremap, page-cache eviction, a copy on write,
// a dirty bit taken) flushes its own TLB and then, holding the kernel
// lock, asks every other CPU that runs threads to flush theirs and waits
// until each has: only then may the frame be reused or the protection
// be relied on. The request is a per-CPU word (tlbWant) and an IPI; the
// target flushes and acknowledges (tlbDone) in the IPI's handler, which
// takes no lock, or in lockKernel's spin loop, whichever comes first.
// An idle CPU (halted with the lock let go) is neither interrupted nor
// waited for: it runs nothing that uses the program's mappings until it
// takes the lock again, and lockKernel flushes first. Its idle flag only
// changes under the lock, so the requester sees it right.

// shootdown makes every other CPU that runs threads flush its TLB (all
// non-global entries: the program's mappings) and waits for each.
//
// Trap context: yes, under the kernel lock.
func shootdown() {
	if schedCPUs == 1 {
		return
	}
	self := thisCPU()
	start := amd64.Rdtsc()
	defer sysprofEvent(sysprofShootdown, start)
	tlbGen++
	for i := range bootCPUs.n {
		if i != self && cpus[i].scheduling {
			cpus[i].tlbWant.Store(tlbGen)
			if !cpus[i].idle {
				sendIPI(i, vectorShootdown)
			}
		}
	}
	for i := range bootCPUs.n {
		if i == self || !cpus[i].scheduling || cpus[i].idle {
			continue // an idle CPU flushes when it next takes the lock
		}
		for cpus[i].tlbDone.Load() != tlbGen {
			amd64.Pause()
		}
	}
}

// tlbServe does the shootdown asked of CPU c, if any.
//
// Trap context: yes, interrupts off, with or without the kernel lock.
func tlbServe(c int) {
	s := &cpus[c]
	if w := s.tlbWant.Load(); w != s.tlbDone.Load() {
		amd64.WriteCR3(space.Root)
		s.tlbDone.Store(w)
	}
}
