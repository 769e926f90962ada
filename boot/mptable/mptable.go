// Package mptable finds and decodes the Intel MultiProcessor
// Specification's tables: the MP floating pointer structure and the MP
// configuration table it points to, which list the processors (their
// local APIC IDs, which is the bootstrap processor) and the I/O APICs.
// Firecracker writes them for its guests instead of ACPI tables (older
// releases) and besides them (newer ones).
//
// Spec: Intel MultiProcessor Specification, version 1.4, chapter 4 (MP
// Configuration Table): §4.1 the floating pointer structure and where to
// search for it, §4.2 the configuration table header, §4.3 the base
// table entries; chapter 5 the default configurations.
//
// Everything is read through Memory, so host tests feed the parser byte
// slices and the kernel gives it the boot identity map. Results go into
// fixed arrays (MaxCPUs, MaxIOAPICs): the parser never allocates, and it
// rejects a malformed structure with an Error that says why.
//
// Trap context: none; the kernel calls it once at boot, before the Go
// runtime starts, so nothing here allocates or panics on bad input.
package mptable

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/boot/bda"
	"github.com/coracle-os/coracle/boot/biosscan"
)

// Memory gives read access to guest-physical memory. It is package
// bda's type itself, not a copy: passing one interface type where
// another is wanted would convert it, which looks the method table up in
// the runtime's locked cache, and there is no runtime yet at boot.
type Memory = bda.Memory

// Error is a reason a structure was refused: package biosscan's type,
// shared with the ACPI finder. Its values are constants, so returning one
// does not allocate.
type Error = biosscan.Error

const (
	ErrNoFloatingPointer Error = "no MP floating pointer structure in the EBDA's first KiB, base memory's last KiB or 0xF0000-0xFFFFF"
	ErrNoConfigTable     Error = "the MP floating pointer names no configuration table"
	ErrTableUnreadable   Error = "the MP configuration table lies outside guest memory"
	ErrTableSignature    Error = "the MP configuration table lacks its signature \"PCMP\""
	ErrTableLength       Error = "the MP configuration table's base length is shorter than its header"
	ErrTableChecksum     Error = "the MP configuration table's checksum is wrong"
	ErrEntryPastEnd      Error = "an MP configuration table entry runs past the table's base length"
	ErrEntryUnknown      Error = "an MP configuration table entry has a type the base table does not define"
	ErrEntryCount        Error = "the MP configuration table's entry count does not match its length"
)

// Floating pointer structure (MP spec §4.1, Figure 4-1).
const (
	FloatingSignature = "_MP_"
	floatingSize      = 16
	fpOffConfig       = 4  // physical address pointer
	fpOffLength       = 8  // in 16-byte paragraphs: 1
	fpOffRevision     = 9  // 1 for 1.1, 4 for 1.4
	fpOffFeature1     = 11 // non-zero: a default configuration (chapter 5)
	fpOffFeature2     = 12
	FEATURE2_IMCRP    = 1 << 7 // the IMCR is present: PIC mode
)

// Configuration table header (§4.2, Figure 4-2) and base entries (§4.3,
// Table 4-3).
const (
	ConfigSignature  = "PCMP"
	headerSize       = 44
	hdrOffBaseLength = 4
	hdrOffRevision   = 6
	hdrOffEntryCount = 34
	hdrOffLocalAPIC  = 36

	TypeProcessor      = 0 // 20 bytes
	TypeBus            = 1 // 8 bytes
	TypeIOAPIC         = 2 // 8 bytes
	TypeIOInterrupt    = 3 // 8 bytes
	TypeLocalInterrupt = 4 // 8 bytes

	processorSize = 20
	otherSize     = 8

	// Processor entry CPU flags (§4.3.1, Table 4-5).
	CPU_EN = 1 << 0 // usable; a disabled processor must not be used
	CPU_BP = 1 << 1 // the bootstrap processor

	// I/O APIC entry flags (§4.3.3, Table 4-7).
	IOAPIC_EN = 1 << 0

	// DefaultLocalAPIC and DefaultIOAPIC are where the default
	// configurations put the APICs (chapter 5, §3.6.1).
	DefaultLocalAPIC = 0xFEE00000
	DefaultIOAPIC    = 0xFEC00000
)

// Caps on what a table decodes into; entries past a cap are counted in
// Table.Dropped. An MP table's APIC IDs are 8-bit.
const (
	MaxCPUs    = 256
	MaxIOAPICs = 16
)

// Processor is one processor entry (§4.3.1).
type Processor struct {
	APICID  uint8
	Version uint8 // local APIC version
	Flags   uint8 // CPU_EN, CPU_BP
}

// IOAPIC is one I/O APIC entry (§4.3.3) that is enabled.
type IOAPIC struct {
	ID, Version uint8
	Address     uint32
}

// Table is what the MP structures say.
type Table struct {
	FloatingPointer uint64 // where it was found
	Revision        uint8  // the spec revision: 1 (1.1) or 4 (1.4)
	// Default is the default configuration number (chapter 5) when
	// the floating pointer names one instead of a configuration table.
	Default      uint8
	PICMode      bool   // the IMCR is present (FEATURE2_IMCRP)
	LocalAPIC    uint32 // physical address of the local APICs
	Dropped      int    // entries past the caps
	DisabledCPUs int    // processor entries without CPU_EN
	cpus         [MaxCPUs]Processor
	numCPUs      int
	ioapics      [MaxIOAPICs]IOAPIC
	numIOAPICs   int
}

// CPUs returns the usable (CPU_EN) processors in table order.
func (t *Table) CPUs() []Processor { return t.cpus[:t.numCPUs] }

// IOAPICs returns the usable (IOAPIC_EN) I/O APICs in table order.
func (t *Table) IOAPICs() []IOAPIC { return t.ioapics[:t.numIOAPICs] }

// Search areas (§4.1): the EBDA's first KiB or, without an EBDA, the
// last KiB of base memory; then the BIOS ROM.
const (
	searchKiB = biosscan.EBDASize
	romLow    = 0xF0000
	romHigh   = 0x100000
)

// Find locates the floating pointer structure (§4.1) and decodes the
// configuration it describes into t.
func Find(mem Memory, t *Table) error {
	*t = Table{}
	pa, ok := uint64(0), false
	if ebda, has := bda.EBDA(mem); has {
		pa, ok = scan(mem, ebda, searchKiB)
	} else {
		pa, ok = scan(mem, bda.BaseMemoryEnd(mem)-searchKiB, searchKiB)
	}
	if !ok {
		pa, ok = scan(mem, romLow, romHigh-romLow)
	}
	if !ok {
		return ErrNoFloatingPointer
	}
	return Parse(mem, pa, t)
}

// scan returns the first valid floating pointer structure in [pa, pa+n)
// on a 16-byte boundary: signature, a length of at least one paragraph
// and a checksum over that length.
func scan(mem Memory, pa, n uint64) (uint64, bool) {
	return biosscan.Scan(mem, pa, n, FloatingSignature, floatingSize, func(at uint64) bool {
		fp := mem.Bytes(at, floatingSize)
		if fp == nil || fp[fpOffLength] == 0 {
			return false
		}
		paras := uint64(fp[fpOffLength])
		b := mem.Bytes(at, paras*floatingSize)
		return b != nil && biosscan.Checksum(b) == 0
	})
}

// Parse decodes the configuration that the floating pointer structure at
// pa (already found valid by the scan) describes.
func Parse(mem Memory, pa uint64, t *Table) error {
	*t = Table{FloatingPointer: pa}
	fp := mem.Bytes(pa, floatingSize)
	if fp == nil {
		return ErrNoFloatingPointer
	}
	le := binary.LittleEndian
	t.Revision = fp[fpOffRevision]
	t.PICMode = fp[fpOffFeature2]&FEATURE2_IMCRP != 0
	if d := fp[fpOffFeature1]; d != 0 {
		// Chapter 5: two processors, APIC IDs 0 (the bootstrap
		// one) and 1, and one I/O APIC with ID 2, at the
		// architectural addresses.
		t.Default = d
		t.LocalAPIC = DefaultLocalAPIC
		t.cpus[0] = Processor{APICID: 0, Flags: CPU_EN | CPU_BP}
		t.cpus[1] = Processor{APICID: 1, Flags: CPU_EN}
		t.numCPUs = 2
		t.ioapics[0] = IOAPIC{ID: 2, Address: DefaultIOAPIC}
		t.numIOAPICs = 1
		return nil
	}
	cfg := uint64(le.Uint32(fp[fpOffConfig:]))
	if cfg == 0 {
		return ErrNoConfigTable
	}
	return t.parseConfig(mem, cfg)
}

// parseConfig checks the configuration table at pa (§4.2) and decodes
// its base entries (§4.3). The extended entries that may follow the base
// table are not read: processors and I/O APICs are all base entries.
func (t *Table) parseConfig(mem Memory, pa uint64) error {
	h := mem.Bytes(pa, headerSize)
	if h == nil {
		return ErrTableUnreadable
	}
	if string(h[:4]) != ConfigSignature {
		return ErrTableSignature
	}
	le := binary.LittleEndian
	n := uint64(le.Uint16(h[hdrOffBaseLength:]))
	if n < headerSize {
		return ErrTableLength
	}
	b := mem.Bytes(pa, n)
	if b == nil {
		return ErrTableUnreadable
	}
	if biosscan.Checksum(b) != 0 {
		return ErrTableChecksum
	}
	t.LocalAPIC = le.Uint32(b[hdrOffLocalAPIC:])
	// The entries fill the base table. Its entry count must agree,
	// except that a count of 0 is taken to mean "not filled in": qboot,
	// QEMU microvm's firmware, leaves it so.
	count := int(le.Uint16(b[hdrOffEntryCount:]))
	off, seen := headerSize, 0
	for ; off < len(b); seen++ {
		size := otherSize
		if b[off] == TypeProcessor {
			size = processorSize
		} else if b[off] > TypeLocalInterrupt {
			return ErrEntryUnknown
		}
		if size > len(b)-off {
			return ErrEntryPastEnd
		}
		e := b[off : off+size]
		switch e[0] {
		case TypeProcessor:
			t.addCPU(Processor{APICID: e[1], Version: e[2], Flags: e[3]})
		case TypeIOAPIC:
			t.addIOAPIC(IOAPIC{ID: e[1], Version: e[2], Address: le.Uint32(e[4:])}, e[3])
		}
		off += size
	}
	if count != 0 && seen != count {
		return ErrEntryCount
	}
	return nil
}

func (t *Table) addCPU(p Processor) {
	switch {
	case p.Flags&CPU_EN == 0:
		t.DisabledCPUs++
	case t.numCPUs == MaxCPUs:
		t.Dropped++
	default:
		t.cpus[t.numCPUs] = p
		t.numCPUs++
	}
}

func (t *Table) addIOAPIC(a IOAPIC, flags uint8) {
	switch {
	case flags&IOAPIC_EN == 0:
	case t.numIOAPICs == MaxIOAPICs:
		t.Dropped++
	default:
		t.ioapics[t.numIOAPICs] = a
		t.numIOAPICs++
	}
}
