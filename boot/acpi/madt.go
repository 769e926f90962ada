package acpi

import "encoding/binary"

// Caps on what a MADT decodes into: coracle's fixed arrays. Entries past a
// cap are counted in MADT.Dropped, not stored.
const (
	MaxCPUs      = 256
	MaxIOAPICs   = 16
	MaxOverrides = 48
)

// MADT fields and interrupt controller structures (ACPI 6.5 §5.2.12,
// Table 5.43 and the tables of §5.2.12.2-§5.2.12.12).
const (
	madtOffLAPICAddr = 36
	madtOffFlags     = 40
	madtEntries      = 44

	// MADT flags.
	PCAT_COMPAT = 1 << 0 // the system also has dual 8259 PICs (Table 5.44)

	// Interrupt controller structure types (Table 5.45).
	TypeLocalAPIC               = 0
	TypeIOAPIC                  = 1
	TypeInterruptSourceOverride = 2
	TypeLocalAPICAddrOverride   = 5
	TypeLocalX2APIC             = 9

	// Their lengths (§5.2.12.2, .3, .5, .8, .12).
	lenLocalAPIC         = 8
	lenIOAPIC            = 12
	lenOverride          = 10
	lenLocalAPICOverride = 12
	lenLocalX2APIC       = 16

	// Local APIC flags (Table 5.47), shared by the x2APIC structure.
	LAPIC_ENABLED        = 1 << 0
	LAPIC_ONLINE_CAPABLE = 1 << 1
)

// LocalAPIC is one processor: a Processor Local APIC structure
// (§5.2.12.2) or a Processor Local x2APIC structure (§5.2.12.12).
type LocalAPIC struct {
	ProcessorUID uint32 // ACPI processor UID (8 bits in a type-0 entry)
	APICID       uint32 // local APIC ID (x2APIC ID for type 9)
	Flags        uint32 // LAPIC_ENABLED, LAPIC_ONLINE_CAPABLE
	X2APIC       bool   // from a type-9 entry
}

// Enabled says the processor is usable now; an online-capable one that is
// not enabled can only be hot-added later (Table 5.47).
func (l LocalAPIC) Enabled() bool { return l.Flags&LAPIC_ENABLED != 0 }

// IOAPIC is an I/O APIC structure (§5.2.12.3).
type IOAPIC struct {
	ID      uint8
	Address uint32 // physical address of its registers
	GSIBase uint32 // first global system interrupt it handles
}

// Override is an Interrupt Source Override structure (§5.2.12.5): ISA IRQ
// Source on Bus arrives at global system interrupt GSI.
type Override struct {
	Bus, Source uint8
	GSI         uint32
	Flags       uint16 // MPS INTI flags: polarity, trigger mode
}

// MADT is the Multiple APIC Description Table decoded.
type MADT struct {
	// LocalAPICAddress is the physical address of each CPU's local
	// APIC: the 32-bit field, or a Local APIC Address Override's 64-bit
	// one when there is such a structure (§5.2.12.8).
	LocalAPICAddress uint64
	Flags            uint32 // PCAT_COMPAT

	// Dropped counts entries past the caps; Unusable counts processors
	// neither enabled nor online-capable (they must not be used).
	Dropped, Unusable int

	cpus         [MaxCPUs]LocalAPIC
	numCPUs      int
	ioapics      [MaxIOAPICs]IOAPIC
	numIOAPICs   int
	overrides    [MaxOverrides]Override
	numOverrides int
}

// CPUs returns the processors that are enabled or online-capable, in
// table order (which is the order the OS should start them in, §5.2.12.2).
func (m *MADT) CPUs() []LocalAPIC { return m.cpus[:m.numCPUs] }

// IOAPICs returns the I/O APICs in table order.
func (m *MADT) IOAPICs() []IOAPIC { return m.ioapics[:m.numIOAPICs] }

// Overrides returns the interrupt source overrides in table order.
func (m *MADT) Overrides() []Override { return m.overrides[:m.numOverrides] }

// PCATCompat says the machine also has the legacy 8259 PICs, which the OS
// must mask before it uses the APICs.
func (m *MADT) PCATCompat() bool { return m.Flags&PCAT_COMPAT != 0 }

// ReadMADT finds the RSDP (at hint, else by the scan: FindRSDP), follows
// its root table to the MADT and decodes it into m.
func ReadMADT(mem Memory, hint uint64, m *MADT) (RSDP, error) {
	r, err := FindRSDP(mem, hint)
	if err != nil {
		return r, err
	}
	t, err := FindTable(mem, r, SigMADT)
	if err != nil {
		return r, err
	}
	return r, ParseMADT(t, m)
}

// ParseMADT decodes table t, whose header and checksum ReadTable has
// checked, into m. A processor whose APIC ID an earlier entry already
// gave is listed once (firmware that lists a CPU as both xAPIC and
// x2APIC).
func ParseMADT(t []byte, m *MADT) error {
	*m = MADT{}
	if len(t) < madtEntries {
		return ErrMADTShort
	}
	le := binary.LittleEndian
	m.LocalAPICAddress = uint64(le.Uint32(t[madtOffLAPICAddr:]))
	m.Flags = le.Uint32(t[madtOffFlags:])
	for off := madtEntries; off < len(t); {
		if len(t)-off < 2 {
			return ErrMADTEntryPastEnd
		}
		typ, n := t[off], int(t[off+1])
		switch {
		case n == 0:
			return ErrMADTEntryZero
		case n > len(t)-off:
			return ErrMADTEntryPastEnd
		case n < minLength(typ):
			return ErrMADTEntryTooShort
		}
		e := t[off : off+n]
		switch typ {
		case TypeLocalAPIC:
			m.addCPU(LocalAPIC{ProcessorUID: uint32(e[2]), APICID: uint32(e[3]), Flags: le.Uint32(e[4:])})
		case TypeLocalX2APIC:
			m.addCPU(LocalAPIC{APICID: le.Uint32(e[4:]), Flags: le.Uint32(e[8:]), ProcessorUID: le.Uint32(e[12:]), X2APIC: true})
		case TypeIOAPIC:
			if m.numIOAPICs == MaxIOAPICs {
				m.Dropped++
				break
			}
			m.ioapics[m.numIOAPICs] = IOAPIC{ID: e[2], Address: le.Uint32(e[4:]), GSIBase: le.Uint32(e[8:])}
			m.numIOAPICs++
		case TypeInterruptSourceOverride:
			if m.numOverrides == MaxOverrides {
				m.Dropped++
				break
			}
			m.overrides[m.numOverrides] = Override{Bus: e[2], Source: e[3], GSI: le.Uint32(e[4:]), Flags: le.Uint16(e[8:])}
			m.numOverrides++
		case TypeLocalAPICAddrOverride:
			m.LocalAPICAddress = le.Uint64(e[4:])
		}
		off += n
	}
	return nil
}

// minLength is the length a structure of type typ needs for the fields
// ParseMADT reads; other types need only their type and length bytes.
func minLength(typ byte) int {
	switch typ {
	case TypeLocalAPIC:
		return lenLocalAPIC
	case TypeIOAPIC:
		return lenIOAPIC
	case TypeInterruptSourceOverride:
		return lenOverride
	case TypeLocalAPICAddrOverride:
		return lenLocalAPICOverride
	case TypeLocalX2APIC:
		return lenLocalX2APIC
	}
	return 2
}

// addCPU records a processor that is enabled or online-capable, once per
// APIC ID.
func (m *MADT) addCPU(c LocalAPIC) {
	if c.Flags&(LAPIC_ENABLED|LAPIC_ONLINE_CAPABLE) == 0 {
		m.Unusable++
		return
	}
	for _, o := range m.CPUs() {
		if o.APICID == c.APICID {
			return
		}
	}
	if m.numCPUs == MaxCPUs {
		m.Dropped++
		return
	}
	m.cpus[m.numCPUs] = c
	m.numCPUs++
}
