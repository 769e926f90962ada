// Command fsbaseprobe checks that a thread may set its own FS base with
// WRFSBASE, as on Linux since 5.9: arch_prctl(ARCH_GET_FS) reports the
// new base, and a switch to other threads and back keeps it. Several
// threads do so at once, each with a base of its own. Each line it
// prints must be the same on Linux.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"unsafe"

	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"
)

const p = probe.P("fsbaseprobe")

func moveFS(blk *[2]uint64, got *[3]uint64)

func hasFSGSBASE() bool

const (
	threads = 4
	rounds  = 200
)

func main() {
	if !hasFSGSBASE() {
		p.Printf("the CPU has no FSGSBASE")
		p.Printf("done")
		return
	}
	runtime.GOMAXPROCS(threads)
	var wg sync.WaitGroup
	bad := make([]string, threads)
	for w := range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			blk := new([2]uint64)
			for k := range rounds {
				var got [3]uint64
				moveFS(blk, &got)
				want := uint64(uintptr(unsafe.Pointer(&blk[1])))
				if got[0] != want || got[1] != want {
					bad[w] = fmt.Sprintf("round %d: ARCH_GET_FS %#x, RDFSBASE after sched_yield %#x, want %#x (was %#x)", k, got[0], got[1], want, got[2])
					return
				}
			}
		}()
	}
	wg.Wait()
	ok := true
	for w, b := range bad {
		if b != "" {
			p.Printf("FAIL: thread %d: %s", w, b)
			ok = false
		}
	}
	p.Printf("WRFSBASE in %d threads x %d rounds: ARCH_GET_FS and the base after a switch agree: %v", threads, rounds, ok)
	p.Printf("done")
}
