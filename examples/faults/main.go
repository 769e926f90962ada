// Faults exercises what Go needs from signals: hardware faults that
// become recoverable panics, asynchronous preemption, and Go's own fatal
// paths. Each mode is one scenario (arguments after `coracle run IMAGE --`):
//
//	recover        nil dereference, nil map write, division by zero and a
//	               slice out of range, each recovered, in the main
//	               goroutine and in another one
//	preempt        with GOMAXPROCS=1, a goroutine spinning in a loop with
//	               no calls must not keep a sleeping goroutine from waking
//	handlerloop    1,000 nil-dereference panics recovered one per "request",
//	               as net/http does, without the heap growing
//	stackoverflow  unbounded recursion: Go reports it and exits 2
//	oom            allocate until memory runs out: Go reports it
//	deadlock       every goroutine blocked: Go reports it and exits 2
//
// The non-fatal modes print "PASS name: detail" or "FAIL name: detail"
// and exit 1 if anything failed.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: faults recover|preempt|handlerloop|stackoverflow|oom|deadlock")
		os.Exit(64)
	}
	switch os.Args[1] {
	case "recover":
		report(recoverChecks())
	case "preempt":
		report([]result{preempt()})
	case "handlerloop":
		report([]result{handlerLoop()})
	case "stackoverflow":
		// Go's default limit is 1 GB, more than a small VM has:
		// lower it so the runtime's own check is what fires.
		debug.SetMaxStack(8 << 20)
		fmt.Println(recurse(0))
	case "oom":
		exhaustMemory()
	case "deadlock":
		var mu sync.Mutex
		mu.Lock()
		mu.Lock()
	default:
		fmt.Fprintf(os.Stderr, "faults: unknown mode %q\n", os.Args[1])
		os.Exit(64)
	}
}

type result struct {
	name, detail string
	ok           bool
}

func report(results []result) {
	failed := 0
	for _, r := range results {
		verdict := "PASS"
		if !r.ok {
			verdict = "FAIL"
			failed++
		}
		fmt.Printf("%s %s: %s\n", verdict, r.name, r.detail)
	}
	if failed > 0 {
		os.Exit(1)
	}
	fmt.Println("all passed")
}

// Faulting operations, kept out of line so the compiler cannot see the
// fault coming.

type node struct{ next *node }

//go:noinline
func nilDeref(n *node) *node { return n.next }

//go:noinline
func nilMapWrite(m map[string]int) { m["x"] = 1 }

//go:noinline
func divide(a, b int) int { return a / b }

//go:noinline
func index(s []int, i int) int { return s[i] }

// catch runs f and returns the panic it raised, as text.
func catch(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

func recoverChecks() []result {
	cases := []struct {
		name, want string
		f          func()
	}{
		{"nil dereference", "invalid memory address or nil pointer dereference", func() { nilDeref(nil) }},
		{"nil map write", "assignment to entry in nil map", func() { nilMapWrite(nil) }},
		{"divide by zero", "integer divide by zero", func() { divide(1, 0) }},
		{"slice bounds", "index out of range [5] with length 3", func() { index([]int{1, 2, 3}, 5) }},
	}
	var results []result
	for _, where := range []string{"main goroutine", "another goroutine"} {
		for _, c := range cases {
			var msg string
			if where == "main goroutine" {
				msg = catch(c.f)
			} else {
				done := make(chan string)
				go func() { done <- catch(c.f) }()
				msg = <-done
			}
			results = append(results, result{c.name + " in " + where, fmt.Sprintf("recovered %q", msg), strings.Contains(msg, c.want)})
		}
	}
	return results
}

// preempt spins a goroutine with no function calls on the only P, and
// checks that a 50 ms sleep in the main goroutine still ends on time:
// only asynchronous preemption (SIGURG) can take the P from the spinner.
func preempt() result {
	runtime.GOMAXPROCS(1)
	var stop atomic.Bool
	started := make(chan struct{})
	go func() {
		close(started)
		for !stop.Load() {
		}
	}()
	<-started
	start := time.Now()
	time.Sleep(50 * time.Millisecond)
	d := time.Since(start)
	stop.Store(true)
	return result{"preempt", fmt.Sprintf("a 50ms sleep beside a spinning goroutine took %v", d.Round(time.Millisecond)),
		d >= 50*time.Millisecond && d < time.Second}
}

// handlerLoop recovers 1,000 nil-dereference panics, one per simulated
// request, and checks that the heap does not grow.
func handlerLoop() result {
	serve := func(n *node) (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("handler panic: %v", r)
			}
		}()
		nilDeref(n)
		return nil
	}
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	for range 100 { // warm up: let the runtime allocate what it keeps
		serve(nil)
	}
	before := heap()
	failures := 0
	for range 1000 {
		if serve(nil) != nil {
			failures++
		}
	}
	after := heap()
	grew := int64(after) - int64(before)
	return result{"handlerloop", fmt.Sprintf("%d panics recovered; heap %d KiB before, %d KiB after", failures, before>>10, after>>10),
		failures == 1000 && grew < 256<<10}
}

//go:noinline
func recurse(n int) int {
	var pad [256]byte
	pad[n%256] = byte(n)
	return recurse(n+1) + int(pad[0])
}

func exhaustMemory() {
	var keep [][]byte
	for {
		b := make([]byte, 16<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		keep = append(keep, b)
	}
}
