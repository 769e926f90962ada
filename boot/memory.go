package boot

import "unsafe"

// identityMemory reads guest-physical memory through the boot page tables,
// which map the first 4 GiB one to one.
type identityMemory struct{}

const identityLimit = pdEntries << 21

func (identityMemory) Bytes(pa, n uint64) []byte {
	if pa == 0 || pa >= identityLimit || n > identityLimit-pa {
		return nil
	}
	return unsafe.Slice((*byte)(physPointer(uintptr(pa))), n)
}

// physPointer turns an identity-mapped physical address into a pointer.
// The memory is not Go's, so the garbage collector never needs to know.
//

func physPointer(pa uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&pa))
}
