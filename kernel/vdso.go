package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/kernel/vdso"
)

// The vDSO: when the clock is the TSC, the program gets an ELF
// image (kernel/vdso) whose __vdso_clock_gettime is vdsoClockGettime,
// code in this image that the Go runtime calls in ring 3 instead of
// making the system call. It reads vdsoClock, which the kernel fills
// before the program starts and which nothing changes later (there is
// no clock_settime). With any other clock source there is no vDSO and
// the runtime makes system calls.

// vdsoClock is the clock as vdsoClockGettime reads it (vdso_amd64.s
// knows the field offsets).
var vdsoClock struct {
	mode  uint64 // 1: the fields below are valid
	base  uint64 // TSC at Monotonic 0
	mul   uint64 // Monotonic = (tsc-base)*mul >> shift, 128-bit product
	shift uint64
	wall  int64 // Realtime - Monotonic
}

// vdsoImage is the ELF image AT_SYSINFO_EHDR points at.
var vdsoImage [vdso.Size]byte

// vdsoClockGettime is clock_gettime with the C calling convention the
// vDSO has (clock in DI, timespec pointer in SI, result in AX).
func vdsoClockGettime()

// vdsoClockGettimeAddr returns vdsoClockGettime's entry address.
func vdsoClockGettimeAddr() uintptr

// setupVDSO fills vdsoClock and builds the image, and returns its
// address for AT_SYSINFO_EHDR, or 0 when the clock cannot be read in
// ring 3.
//
// Boot path: no allocation.
func setupVDSO() uint64 {
	r, ok := clk.TSCReading(true) // one CPU
	if !ok {
		return 0
	}
	vdsoClock.base, vdsoClock.mul, vdsoClock.shift, vdsoClock.wall = r.Base, r.Scale.Mul, uint64(r.Scale.Shift), r.Wall
	vdsoClock.mode = 1
	base := uint64(uintptr(unsafe.Pointer(&vdsoImage)))
	vdso.Build(&vdsoImage, base, uint64(vdsoClockGettimeAddr()))
	return base
}
