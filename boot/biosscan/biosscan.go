// Package biosscan has what the finders of the PC firmware's tables
// (boot/acpi, boot/mptable) share: the byte checksum their structures
// carry, the search of a legacy BIOS area for a signature on 16-byte
// boundaries, and the constant error type they refuse a structure with.
//
// Both specifications search the same way: ACPI 6.5 §5.2.5.1 for the
// RSDP (the EBDA's first KiB, then 0xE0000-0xFFFFF) and the Intel
// MultiProcessor Specification 1.4 §4 for the floating pointer (the
// EBDA's first KiB or base memory's last KiB, then 0xF0000-0xFFFFF);
// the areas themselves are each finder's.
//
// Trap context: none; the kernel calls it once at boot, before the Go
// runtime starts, so nothing here allocates or panics on bad input.
package biosscan

import "github.com/coracle-os/coracle/boot/bda"

// Align is the boundary a structure found by a scan starts on: a
// paragraph (ACPI 6.5 §5.2.5.1, MP spec §4).
const Align = 16

// EBDASize is how much of the Extended BIOS Data Area both searches
// cover: its first KiB.
const EBDASize = 1 << 10

// Error is a reason a firmware structure was refused. Its values are
// constants, so returning one does not allocate.
type Error string

func (e Error) Error() string { return string(e) }

// Checksum returns the byte sum of b: a valid ACPI or MP structure sums
// to 0 over the length its checksum covers.
func Checksum(b []byte) byte {
	var s byte
	for _, c := range b {
		s += c
	}
	return s
}

// Scan returns the physical address of the first structure in
// [pa, pa+n) that starts on an Align boundary with sig, has size bytes
// (at least sig's) inside the area, and that valid accepts; valid reads
// the rest, which may reach past the area. An area that is not readable
// as a whole is not searched. valid must not keep itself: the callers
// pass closures that stay on the stack, as nothing may allocate here.
func Scan(mem bda.Memory, pa, n uint64, sig string, size uint64, valid func(pa uint64) bool) (uint64, bool) {
	area := mem.Bytes(pa, n)
	if area == nil {
		return 0, false
	}
	size = max(size, uint64(len(sig)))
	for off := uint64(0); off+size <= uint64(len(area)); off += Align {
		if string(area[off:off+uint64(len(sig))]) == sig && valid(pa+off) {
			return pa + off, true
		}
	}
	return 0, false
}
