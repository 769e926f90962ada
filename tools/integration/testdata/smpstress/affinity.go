package main

import (
	"fmt"
	"runtime"
	"syscall"
	"unsafe"
)

// cpuMask is a sched_{get,set}affinity buffer of 1024 CPUs.
type cpuMask [16]uint64

func getAffinity(m *cpuMask) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall(syscall.SYS_SCHED_GETAFFINITY, 0, unsafe.Sizeof(*m), uintptr(unsafe.Pointer(m)))
	return int(n), e
}

func setAffinity(m *cpuMask) syscall.Errno {
	_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, 0, unsafe.Sizeof(*m), uintptr(unsafe.Pointer(m)))
	return e
}

// affinity pins its thread to CPU 0 and reads the mask back, then asks
// for an empty mask and for a mask of only CPU 1000 (no such CPU), both
// refused with EINVAL, and restores the thread's mask.
func affinity() string {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var orig cpuMask
	size, e := getAffinity(&orig)
	if e != 0 {
		return "get: " + e.Error()
	}
	defer setAffinity(&orig)
	pin := cpuMask{1}
	if e := setAffinity(&pin); e != 0 {
		return "pin: " + e.Error()
	}
	var got cpuMask
	getAffinity(&got)
	var empty, offline cpuMask
	offline[1000/64] = 1 << (1000 % 64)
	// The size is the kernel's mask's (whole longs for its possible
	// CPUs), which differs between machines: only its form is printed.
	return fmt.Sprintf("size a multiple of 8: %v, pinned mask %#x, empty: %v, only CPU 1000: %v",
		size > 0 && size%8 == 0, got[0], setAffinity(&empty), setAffinity(&offline))
}
