package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/kernel/vdso"
)

// setupVDSO fills vdsoClock and builds the image, and returns its
// address for AT_SYSINFO_EHDR, or 0 when the clock cannot be read in
// ring 3: with kvmclock, whose record ring 3 cannot tell is its own
// CPU's, the program makes the system call (clock.Clock.TSCReading).
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
