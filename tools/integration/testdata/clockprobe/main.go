// Clockprobe checks the clocks a program reads without a system call,
// through the vDSO: that the kernel offers one (AT_SYSINFO_EHDR), and
// that its CLOCK_MONOTONIC and CLOCK_REALTIME agree with the system
// call's, reading by reading, in order. It prints what one time.Now and
// one clock_gettime system call cost, for information.
package main

import (
	"syscall"
	"time"
	"unsafe"
	_ "unsafe" // go:linkname

	"github.com/coracle-os/coracle/tools/integration/testdata/internal/probe"

	"golang.org/x/sys/unix"
)

// pr prints the lines, each behind the prefix "clockprobe:".
var pr = probe.P("clockprobe")

const atSysinfoEHDR = 33

func main() {
	vdso := uint64(0)
	auxv, err := unix.Auxv()
	if err != nil {
		pr.Fail("auxv: %v", err)
	}
	for _, kv := range auxv {
		if kv[0] == atSysinfoEHDR {
			vdso = uint64(kv[1])
		}
	}
	pr.Printf("vDSO at %#x", vdso)

	for _, clock := range []struct {
		name string
		id   int
		now  func() int64
	}{
		{"CLOCK_MONOTONIC", unix.CLOCK_MONOTONIC, monotonicNow},
		{"CLOCK_REALTIME", unix.CLOCK_REALTIME, func() int64 { return time.Now().UnixNano() }},
	} {
		for range 1000 {
			a := clock.now()
			b := syscallClock(clock.id)
			c := clock.now()
			if !(a <= b && b <= c) {
				pr.Fail("%s: vDSO %d, system call %d, vDSO %d: out of order", clock.name, a, b, c)
			}
		}
		pr.Printf("%s agrees with the system call", clock.name)
	}

	const n = 100000
	start := time.Now()
	for range n {
		time.Now()
	}
	perNow := time.Since(start) / n
	start = time.Now()
	for range n / 10 {
		syscallClock(unix.CLOCK_MONOTONIC)
	}
	perSyscall := time.Since(start) / (n / 10)
	pr.Printf("time.Now %v, clock_gettime system call %v", perNow, perSyscall)
}

// monotonicNow is the runtime's CLOCK_MONOTONIC reading (what
// time.Since and the scheduler use), read through the vDSO when there
// is one.
//
//go:linkname monotonicNow runtime.nanotime
func monotonicNow() int64

func syscallClock(id int) int64 {
	var ts unix.Timespec
	if _, _, e := syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, uintptr(id), uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		pr.Fail("clock_gettime(%d): %v", id, e)
	}
	return ts.Nano()
}
