// Package acpi finds the ACPI tables the firmware or hypervisor left in
// guest memory and decodes the one the kernel needs to learn the machine's
// CPUs: the Multiple APIC Description Table (MADT, signature "APIC").
//
// The path is the one ACPI 6.5 lays down: the Root System Description
// Pointer (RSDP, §5.2.5), found where the PVH start info says or by the
// legacy scan of low memory (§5.2.5.1); its checksums; the Extended (or,
// on ACPI 1.0, plain) Root System Description Table it points to (XSDT
// §5.2.8, RSDT §5.2.7); the MADT among that table's entries (§5.2.12),
// with every table's checksum (§5.2.6) checked before it is believed.
//
// Everything is read through Memory, so host tests feed the parser byte
// slices and the kernel gives it the boot identity map. Results go into
// fixed arrays (MaxCPUs and the like): the parser never allocates, and it
// rejects a malformed table with an Error that says why.
//
// Trap context: none; the kernel calls it once at boot, before the Go
// runtime starts, so nothing here allocates or panics on bad input.
package acpi

import (
	"github.com/coracle-os/coracle/boot/bda"
	"github.com/coracle-os/coracle/boot/biosscan"
)

// Memory gives read access to guest-physical memory. It is package
// bda's type itself, not a copy: passing one interface type where
// another is wanted would convert it, which looks the method table up in
// the runtime's locked cache, and there is no runtime yet at boot.
type Memory = bda.Memory

// Error is a reason a table was refused: package biosscan's type, shared
// with the MP table's finder. Its values are constants, so returning one
// does not allocate.
type Error = biosscan.Error

const (
	ErrNoRSDP            Error = "no ACPI RSDP: none at the start info's address, in the EBDA's first KiB or in 0xE0000-0xFFFFF"
	ErrRSDPUnreadable    Error = "the ACPI RSDP lies outside guest memory"
	ErrRSDPSignature     Error = "the ACPI RSDP lacks its signature \"RSD PTR \""
	ErrRSDPChecksum      Error = "the ACPI RSDP's checksum (its first 20 bytes) is wrong"
	ErrRSDPLength        Error = "the ACPI RSDP's length is shorter than an ACPI 2.0 RSDP or longer than 1 MiB"
	ErrRSDPXChecksum     Error = "the ACPI RSDP's extended checksum is wrong"
	ErrNoRootTable       Error = "the ACPI RSDP names neither an XSDT nor an RSDT"
	ErrTableUnreadable   Error = "an ACPI table lies outside guest memory"
	ErrTableSignature    Error = "an ACPI table has another signature than the one that pointed to it promised"
	ErrTableLength       Error = "an ACPI table's length is shorter than its header or longer than 1 MiB"
	ErrTableChecksum     Error = "an ACPI table's checksum is wrong"
	ErrRootTableEntries  Error = "the ACPI XSDT's or RSDT's length leaves a partial entry"
	ErrNoMADT            Error = "the ACPI root table lists no MADT (\"APIC\")"
	ErrTableNotListed    Error = "the ACPI root table does not list the table sought" // FindTable's, for other tables
	ErrMADTShort         Error = "the ACPI MADT is shorter than its fixed fields"
	ErrMADTEntryZero     Error = "an ACPI MADT entry has length 0"
	ErrMADTEntryPastEnd  Error = "an ACPI MADT entry runs past the end of the table"
	ErrMADTEntryTooShort Error = "an ACPI MADT entry is shorter than its type's structure"
)

// Sizes and offsets of the structures (ACPI 6.5 §5.2.5.3 Table 5.3, RSDP;
// §5.2.6 Table 5.4, the common table header).
const (
	rsdpV1Size  = 20 // ACPI 1.0 RSDP: what the first checksum covers
	rsdpV2Size  = 36 // ACPI 2.0 and later
	rsdpOffRev  = 15
	rsdpOffRSDT = 16
	rsdpOffLen  = 20
	rsdpOffXSDT = 24

	headerSize     = 36
	hdrOffLength   = 4
	hdrOffRevision = 8

	// MaxTableSize bounds the tables the parser reads: real MADTs for
	// hundreds of CPUs take a few KiB, and a corrupt length must not
	// make it walk gigabytes.
	MaxTableSize = 1 << 20
)

// RSDPSignature opens the RSDP (§5.2.5.3).
const RSDPSignature = "RSD PTR "

// Table signatures (§5.2.6, Table 5.5).
const (
	SigRSDT = "RSDT"
	SigXSDT = "XSDT"
	SigMADT = "APIC"
)
