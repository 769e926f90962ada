package kernel

import "unsafe"

// addrPointer turns an address of kernel-owned memory that the garbage
// collector does not manage (save areas, physical memory through the
// direct map, user memory) into a pointer.
func addrPointer(a uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&a))
}
