package tmpfs

import "unsafe"

// PageSize is the size of the pages tmpfs keeps everything in.
const PageSize = 4096

// Pages is where tmpfs gets its memory: the kernel's frame allocator and
// its direct map (a fake one in host tests).
//
// Trap context: all methods.
type Pages interface {
	// Alloc returns a zeroed page, or ok=false when none is left.
	Alloc() (pa uint64, ok bool)
	// Free gives a page back.
	Free(pa uint64)
	// Page returns the page at pa.
	Page(pa uint64) *[PageSize]byte
}

// words views a page as 512 64-bit words: the entries of a radix node.
func words(p *[PageSize]byte) *[PageSize / 8]uint64 {
	return (*[PageSize / 8]uint64)(unsafe.Pointer(p))
}
