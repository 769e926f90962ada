package kernel

import (
	"unsafe"

	"github.com/coracle-os/coracle/kernel/abi/linux"
	"github.com/coracle-os/coracle/kernel/vfs"
)

// User memory. The program's pages are in the same address space, so
// the kernel reads and writes them directly; a page not touched yet is
// backed by the ring-0 page-fault path. Pointers are checked against the
// program's mappings first, so a bad one gives EFAULT instead of a
// kernel fault.

// userBytes returns the n bytes at user address addr, or ok=false when
// any of them is not mapped with the access asked for.
func userBytes(addr, n uint64, write bool) (b []byte, ok bool) {
	if n == 0 {
		return nil, true
	}
	if !userRangeOK(addr, n, write) {
		return nil, false
	}
	return unsafe.Slice((*byte)(addrPointer(uintptr(addr))), n), true
}

// userU64 returns a pointer to the 8-byte-aligned word at addr.
func userU64(addr uint64, write bool) (*uint64, bool) {
	if addr%8 != 0 || !userRangeOK(addr, 8, write) {
		return nil, false
	}
	return (*uint64)(addrPointer(uintptr(addr))), true
}

// userU32 returns a pointer to the 4-byte-aligned word at addr.
func userU32(addr uint64, write bool) (*uint32, bool) {
	if addr%4 != 0 || !userRangeOK(addr, 4, write) {
		return nil, false
	}
	return (*uint32)(addrPointer(uintptr(addr))), true
}

// timespec is Linux's struct timespec.
type timespec struct {
	sec, nsec int64
}

// readTimespec reads a timespec and returns it in nanoseconds; ok is
// false for a bad pointer or an out-of-range value.
func readTimespec(addr uint64) (ns int64, ok bool) {
	b, ok := userBytes(addr, 16, false)
	if !ok {
		return 0, false
	}
	ts := (*timespec)(unsafe.Pointer(&b[0]))
	if ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1e9 {
		return 0, false
	}
	if ts.sec > (1<<62)/1_000_000_000 {
		return 1 << 62, true // forever, as far as anyone can tell
	}
	return ts.sec*1e9 + ts.nsec, true
}

// writeTimespec stores ns as a timespec at addr.
func writeTimespec(addr uint64, ns int64) bool {
	b, ok := userBytes(addr, 16, true)
	if !ok {
		return false
	}
	*(*timespec)(unsafe.Pointer(&b[0])) = timespec{ns / 1e9, ns % 1e9}
	return true
}

// iovec is Linux's struct iovec.
type iovec struct {
	base, len uint64
}

// iovMax is Linux's UIO_MAXIOV: the most iovecs one call takes.
const iovMax = 1024

// userIOV is a program's iovec array, checked readable.
type userIOV struct {
	vecs []iovec
}

// loadIOV checks the n iovecs at addr.
func loadIOV(addr, n uint64) (userIOV, linux.Errno) {
	if n > iovMax {
		return userIOV{}, linux.EINVAL
	}
	b, ok := userBytes(addr, n*16, false)
	if !ok {
		return userIOV{}, linux.EFAULT
	}
	if n == 0 {
		return userIOV{}, 0
	}
	return userIOV{unsafe.Slice((*iovec)(unsafe.Pointer(&b[0])), n)}, 0
}

// oneIOV describes the single buffer (addr, n), as read and write pass.
// v must not outlive the call that made it.
func oneIOV(v *iovec, addr, n uint64) userIOV {
	*v = iovec{addr, n}
	return userIOV{unsafe.Slice(v, 1)}
}

// buf returns buffer i, checked for the access asked for.
func (v userIOV) buf(i int, write bool) ([]byte, bool) {
	return userBytes(v.vecs[i].base, v.vecs[i].len, write)
}

// total is the sum of the buffers' lengths, or ok=false if it overflows
// (Linux: EINVAL).
func (v userIOV) total() (n uint64, ok bool) {
	for _, e := range v.vecs {
		if e.len > 1<<62 || n+e.len > 1<<62 {
			return 0, false
		}
		n += e.len
	}
	return n, true
}

// userPath reads the NUL-terminated path at addr: ENAMETOOLONG if no
// NUL comes within PATH_MAX bytes, EFAULT if the string runs into
// memory the program may not read. Each page is checked once.
func userPath(addr uint64) ([]byte, linux.Errno) {
	for n := uint64(0); n < vfs.PathMax; {
		chunk := min(4096-(addr+n)%4096, vfs.PathMax-n)
		b, ok := userBytes(addr+n, chunk, false)
		if !ok {
			return nil, linux.EFAULT
		}
		for i, c := range b {
			if c == 0 {
				p, _ := userBytes(addr, n+uint64(i), false)
				return p, 0
			}
		}
		n += chunk
	}
	return nil, linux.ENAMETOOLONG
}

// addrPointer turns an address of kernel-owned memory that the garbage
// collector does not manage (save areas, physical memory through the
// direct map, user memory) into a pointer.
func addrPointer(a uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&a))
}
