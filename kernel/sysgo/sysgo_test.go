package sysgo

import (
	"bytes"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coracle-os/coracle/kernel/symtab"
)

// serviceLoop is a stand-in for a service's request loop: a named
// function, so that tests can look for its frame.
func serviceLoop(started, stop chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	started <- struct{}{}
	<-stop
}

// TestHidden starts goroutines with Go and checks that the runtime
// counts none of them and that no goroutine profile shows them, while the
// same function started with go is counted and shown.
func TestHidden(t *testing.T) {
	stop := make(chan struct{})
	started := make(chan struct{})
	var wg sync.WaitGroup
	before := runtime.NumGoroutine()
	const n = 3
	for range n {
		wg.Add(1)
		Go(func() { serviceLoop(started, stop, &wg) })
		<-started
	}
	if got := runtime.NumGoroutine(); got != before {
		t.Errorf("NumGoroutine with %d services running = %d, want %d (as before)", n, got, before)
	}
	if p := profile(t, 1); strings.Contains(p, "serviceLoop") {
		t.Errorf("goroutine profile shows a service:\n%s", p)
	}
	if s := allStacks(); strings.Contains(s, "serviceLoop") {
		t.Errorf("runtime.Stack(all) shows a service:\n%s", s)
	}

	// The control: the same function started by go is counted and shown,
	// so the checks above can fail.
	wg.Add(1)
	go serviceLoop(started, stop, &wg)
	<-started
	if got := runtime.NumGoroutine(); got != before+1 {
		t.Errorf("NumGoroutine with a plain goroutine = %d, want %d", got, before+1)
	}
	if p := profile(t, 1); !strings.Contains(p, "serviceLoop") {
		t.Errorf("goroutine profile misses the plain goroutine:\n%s", p)
	}
	close(stop)
	wg.Wait()
}

// TestTraceback checks what a crash shows: with GOTRACEBACK=all a panic's
// traceback leaves the services out, as it does the runtime's own
// goroutines; with GOTRACEBACK=system it shows them, which is how a
// developer debugs them. The test runs itself in a child that crashes.
func TestTraceback(t *testing.T) {
	if os.Getenv("SYSGO_CRASH") == "1" {
		crash()
		return
	}
	for _, c := range []struct {
		level string
		shown bool
	}{{"all", false}, {"system", true}} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestTraceback$")
		cmd.Env = append(os.Environ(), "SYSGO_CRASH=1", "GOTRACEBACK="+c.level)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "panic: sysgo crash") {
			t.Fatalf("GOTRACEBACK=%s: the child did not crash (%v):\n%s", c.level, err, out)
		}
		// The plain goroutine is there either way: the traceback does
		// list other goroutines.
		if !strings.Contains(string(out), "sysgo.plainLoop") {
			t.Errorf("GOTRACEBACK=%s: the traceback misses the plain goroutine:\n%s", c.level, out)
		}
		if got := strings.Contains(string(out), "sysgo.serviceLoop"); got != c.shown {
			t.Errorf("GOTRACEBACK=%s: service shown = %v, want %v:\n%s", c.level, got, c.shown, out)
		}
	}
}

// plainLoop is serviceLoop's twin for a goroutine started with go.
func plainLoop(started, stop chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	started <- struct{}{}
	<-stop
}

// crash starts a service and a plain goroutine and panics.
func crash() {
	stop := make(chan struct{})
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	Go(func() { serviceLoop(started, stop, &wg) })
	<-started
	go plainLoop(started, stop, &wg)
	<-started
	panic("sysgo crash")
}

// TestRuns checks that f runs with its closure intact and that the
// goroutine can end, return values through captured variables, and be
// started many times (each start allocates a trampoline the collector
// must keep alive until the goroutine has begun).
func TestRuns(t *testing.T) {
	const n = 1000
	results := make(chan int, n)
	for i := range n {
		Go(func() { results <- i * i })
		if i%100 == 0 {
			runtime.GC()
		}
	}
	sum := 0
	for range n {
		sum += <-results
	}
	want := 0
	for i := range n {
		want += i * i
	}
	if sum != want {
		t.Errorf("sum of results = %d, want %d", sum, want)
	}
}

// TestPanicsOnNil checks that Go(nil) fails at the call, as go does for a
// nil func value, instead of in the new goroutine.
func TestPanicsOnNil(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Go(nil) did not panic")
		}
	}()
	Go(nil)
}

func profile(t *testing.T, debug int) string {
	var b bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&b, debug); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func allStacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

// TestNames checks that the trampoline is a function of its own under the
// runtime's name, both to the runtime (which decides by that name) and
// to kernel/symtab, which names the functions of a crash report.
func TestNames(t *testing.T) {
	const want = "runtime.coracleService"
	pc := servicePC()
	if f := runtime.FuncForPC(pc); f == nil || f.Name() != want || f.Entry() != pc {
		t.Errorf("runtime.FuncForPC(servicePC()) = %v, want %s at its entry", f, want)
	}
	tab, ok := symtab.Image()
	if !ok {
		t.Fatal("symtab.Image: the test binary's pclntab does not validate")
	}
	if name, entry, ok := tab.Lookup(pc); !ok || name != want || entry != pc {
		t.Errorf("symtab Lookup(servicePC()) = %q, %#x, %v; want %s at %#x", name, entry, ok, want, pc)
	}
}

// TestFuncHidesTimerGoroutine checks that a time.AfterFunc function
// wrapped by Func runs on a goroutine the runtime counts as its own, and
// that the same function unwrapped is counted (the control).
func TestFuncHidesTimerGoroutine(t *testing.T) {
	for _, wrapped := range []bool{true, false} {
		stop := make(chan struct{})
		started := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		before := runtime.NumGoroutine()
		f := func() { serviceLoop(started, stop, &wg) }
		if wrapped {
			f = Func(f)
		}
		time.AfterFunc(time.Millisecond, f)
		<-started
		want := before + 1
		if wrapped {
			want = before
		}
		if got := runtime.NumGoroutine(); got != want {
			t.Errorf("wrapped=%v: NumGoroutine while the timer's function runs = %d, want %d", wrapped, got, want)
		}
		p := profile(t, 1)
		if shown := strings.Contains(p, "serviceLoop"); shown == wrapped {
			t.Errorf("wrapped=%v: the goroutine profile shows the timer's function: %v, want %v\n%s", wrapped, shown, !wrapped, p)
		}
		close(stop)
		wg.Wait()
	}
}
