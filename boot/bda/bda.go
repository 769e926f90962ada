// Package bda reads the two words of the PC BIOS Data Area that say where
// firmware tables may lie in low memory: the segment of the Extended BIOS
// Data Area (EBDA) and the size of base memory. The ACPI RSDP scan (ACPI
// 6.5 §5.2.5.1) and the MP floating pointer scan (MultiProcessor
// Specification 1.4 §4) both start there.
//
// On a hypervisor without a BIOS (QEMU microvm, Firecracker, Cloud
// Hypervisor) the area is usually zero; then there is no EBDA, and base
// memory is taken to end at 640 KiB, so that a search of its last KiB
// covers 639-640 KiB, where such hypervisors put their tables
// (Firecracker's MP table is at 0x9FC00).
//
// Trap context: none; the kernel calls it once at boot, before the Go
// runtime starts, so it allocates nothing.
package bda

import "encoding/binary"

// Memory gives read access to guest-physical memory.
type Memory interface {
	// Bytes returns the n bytes at physical address pa, or nil if any
	// of them lies outside the memory the reader can see.
	Bytes(pa, n uint64) []byte
}

// Addresses in the BIOS Data Area (at physical 0x400).
const (
	// EBDASegmentAddr holds the EBDA's real-mode segment (16 bits).
	EBDASegmentAddr = 0x40E
	// BaseMemoryKiBAddr holds the base memory size in KiB (16 bits).
	BaseMemoryKiBAddr = 0x413

	// DefaultBaseMemoryEnd is the end of base memory when the BIOS
	// Data Area does not say: the 640 KiB boundary.
	DefaultBaseMemoryEnd = 640 << 10

	// The EBDA lies below the 640 KiB boundary, above the
	// conventional memory a BIOS would leave to the OS.
	ebdaLow  = 0x80000
	ebdaHigh = 0xA0000
)

// EBDA returns the physical address of the Extended BIOS Data Area, and
// false when the BIOS Data Area names none (zero, or a segment outside
// 512..640 KiB, where no BIOS puts it).
func EBDA(mem Memory) (uint64, bool) {
	b := mem.Bytes(EBDASegmentAddr, 2)
	if b == nil {
		return 0, false
	}
	pa := uint64(binary.LittleEndian.Uint16(b)) << 4
	if pa < ebdaLow || pa >= ebdaHigh {
		return 0, false
	}
	return pa, true
}

// BaseMemoryEnd returns the end of base memory in bytes, as the BIOS Data
// Area gives it, or DefaultBaseMemoryEnd when it gives none that makes
// sense (zero, below 512 KiB or above 640 KiB).
func BaseMemoryEnd(mem Memory) uint64 {
	b := mem.Bytes(BaseMemoryKiBAddr, 2)
	if b == nil {
		return DefaultBaseMemoryEnd
	}
	kib := uint64(binary.LittleEndian.Uint16(b))
	if kib < 1 || kib > 640 || kib<<10 < ebdaLow {
		return DefaultBaseMemoryEnd
	}
	return kib << 10
}
