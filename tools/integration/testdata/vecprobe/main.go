// Command vecprobe checks that a thread's vector state survives the
// kernel: each of several threads fills XMM0-15, the upper halves of
// YMM0-15 (with AVX), MXCSR and the x87 control word and register stack
// with values of its own, makes one system call, spins so that timer
// interrupts, thread switches and signals land in between, and reads
// everything back. The system calls are getpid (the common return to the
// same thread), sched_yield (a switch to another thread) and a pwrite
// of 1,000 bytes at an odd offset (a copy of that size and alignment
// goes through Go's AVX copy loop, in coracle's kernel), while
// another goroutine sends the process signals, whose handlers run Go
// code. Each line it prints must be the same on Linux.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"
)

const p = probe.P("vecprobe")

// state is what roundTrip loads and stores (offsets in vec_amd64.s).
type state struct {
	X     [16][2]uint64 // XMM0-15
	YH    [16][2]uint64 // bits 128-255 of YMM0-15
	ST    [8]int64      // the x87 stack, as integers
	MXCSR uint32
	FCW   uint16
	_     uint16
}

// goDefaults is MXCSR and the x87 control word as Go code expects them.
var goDefaults = [2]uint32{0x1F80, 0x37F}

func roundTrip(in, out *state, avx bool, nr, a0, a1, a2, a3, spin uint64)

func cpuHasAVX() bool

const (
	threads = 4
	calls   = 300
)

func main() {
	runtime.GOMAXPROCS(threads)
	avx := cpuHasAVX()
	// Not compared: the host's CPU may differ from the guest's.
	fmt.Println("vecstate: avx", avx)

	f, err := os.Create(filepath.Join(os.TempDir(), "vecprobe.data"))
	p.Check(err)
	defer os.Remove(f.Name())
	buf := make([]byte, 4096)
	for i := range buf {
		buf[i] = byte(i * 7)
	}

	// Signals all the while: their handlers run on the threads under test.
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs, syscall.SIGUSR1)
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-sigs:
			default:
				syscall.Kill(os.Getpid(), syscall.SIGUSR1)
				time.Sleep(time.Millisecond)
			}
		}
	}()

	for _, c := range []struct {
		name         string
		nr           uintptr
		a0, a1, a2   uint64
		a3           uint64
		spinEveryNth int
	}{
		{"getpid", syscall.SYS_GETPID, 0, 0, 0, 0, 10},
		{"sched_yield", syscall.SYS_SCHED_YIELD, 0, 0, 0, 0, 10},
		{"pwrite", syscall.SYS_PWRITE64, uint64(f.Fd()), uint64(uintptr(unsafe.Pointer(&buf[3]))), 1000, 101, 10},
	} {
		var wg sync.WaitGroup
		bad := make([]string, threads)
		for w := range threads {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				bad[w] = check(w, avx, uint64(c.nr), c.a0, c.a1, c.a2, c.a3, c.spinEveryNth)
			}()
		}
		wg.Wait()
		runtime.KeepAlive(buf)
		ok := true
		for w, b := range bad {
			if b != "" {
				p.Printf("FAIL: %s: thread %d: %s", c.name, w, b)
				ok = false
			}
		}
		if ok {
			p.Printf("%s: %d threads x %d calls, vector state intact", c.name, threads, calls)
		}
	}
	close(stop)
	p.Printf("done")
}

// check makes the calls with values particular to worker w and returns
// the first difference, or "".
func check(w int, avx bool, nr, a0, a1, a2, a3 uint64, spinEveryNth int) string {
	var in, out state
	for k := range calls {
		seed := uint64(w+1)<<48 | uint64(k)<<24
		for i := range 16 {
			in.X[i] = [2]uint64{seed | uint64(i), ^seed ^ uint64(i)<<8}
			in.YH[i] = [2]uint64{seed | 0x1000 | uint64(i), seed ^ 0xA5A5<<16 | uint64(i)}
		}
		for i := range in.ST {
			in.ST[i] = int64(seed>>20) + int64(i)*1000 - 3500
		}
		// Round toward zero and flush to zero in MXCSR, round toward zero
		// and double precision in the x87: neither is Go's default.
		in.MXCSR = 0x7F80 | uint32(k&1)<<15
		in.FCW = 0x0E7F
		spin := uint64(1000)
		if k%spinEveryNth == 0 {
			spin = 2_000_000
		}
		out = state{}
		roundTrip(&in, &out, avx, nr, a0, a1, a2, a3, spin)
		if !avx {
			out.YH = in.YH
		}
		if d := diff(&in, &out); d != "" {
			return fmt.Sprintf("call %d: %s", k, d)
		}
	}
	return ""
}

// diff describes the first register that differs.
func diff(in, out *state) string {
	for i := range 16 {
		if in.X[i] != out.X[i] {
			return fmt.Sprintf("XMM%d %#x, want %#x", i, out.X[i], in.X[i])
		}
		if in.YH[i] != out.YH[i] {
			return fmt.Sprintf("YMM%d upper half %#x, want %#x", i, out.YH[i], in.YH[i])
		}
	}
	if in.ST != out.ST {
		return fmt.Sprintf("x87 stack %v, want %v", out.ST, in.ST)
	}
	if in.MXCSR != out.MXCSR {
		return fmt.Sprintf("MXCSR %#x, want %#x", out.MXCSR, in.MXCSR)
	}
	if in.FCW != out.FCW {
		return fmt.Sprintf("x87 control word %#x, want %#x", out.FCW, in.FCW)
	}
	return ""
}
