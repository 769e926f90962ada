package kernel

// The vDSO: when the clock is the TSC, the program gets an ELF
// image (kernel/vdso) whose __vdso_clock_gettime is vdsoClockGettime,
// code in this image that the Go runtime calls in ring 3 instead of
// making the system call. It reads vdsoClock, which the kernel fills
// before the program starts and which nothing changes later (there is
// no clock_settime). With any other clock source there is no vDSO and
// the runtime makes system calls.

// vdsoClockGettime is clock_gettime with the C calling convention the
// vDSO has (clock in DI, timespec pointer in SI, result in AX).
func vdsoClockGettime()

// vdsoClockGettimeAddr returns vdsoClockGettime's entry address.
func vdsoClockGettimeAddr() uintptr
