package acpi

import (
	"encoding/binary"
	"errors"
	"testing"
)

// FuzzReadMADT feeds arbitrary bytes as the memory at the BIOS area
// (0xE0000, where the scan looks) of an otherwise zero 2 MiB, and as the
// memory the first root table points into, so that small offsets in the
// input aim at tables. The parser must not panic, must return an
// acpi.Error or a MADT whose lists respect the caps and whose every CPU
// is enabled or online-capable, and must read only inside memory (testMem
// would return nil, never panic, on a wild read).
func FuzzReadMADT(f *testing.F) {
	seed := func(m *testMem) { f.Add(m.b[0xE0000:]) }
	{
		m := newMem()
		m.put(0xE0000, rsdp(2, 0, 0xE0100))
		m.put(0xE0100, xsdt(0xE0200))
		m.put(0xE0200, madt(0xFEE00000, 1, lapicEntry(0, 0, 1), lapicEntry(1, 1, 1), x2apicEntry(9, 1, 9), ioapicEntry(0, 0xFEC00000, 0), overrideEntry(0, 2, 0)))
		seed(m)
	}
	{
		m := newMem()
		m.put(0xE0000, rsdp(0, 0xE0100, 0))
		m.put(0xE0100, rsdt(0xE0200))
		m.put(0xE0200, madt(0xFEE00000, 0, lapicEntry(0, 0, 1), []byte{0x7f, 3, 0}))
		seed(m)
	}
	f.Add([]byte(RSDPSignature))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, data []byte) {
		mem := newMem()
		copy(mem.b[0xE0000:], data)
		var m MADT
		_, err := ReadMADT(mem, 0xE0000, &m)
		if err != nil {
			var e Error
			if !errors.As(err, &e) {
				t.Fatalf("ReadMADT returned %T %v, want an acpi.Error", err, err)
			}
			return
		}
		if len(m.CPUs()) > MaxCPUs || len(m.IOAPICs()) > MaxIOAPICs || len(m.Overrides()) > MaxOverrides {
			t.Fatalf("lists past the caps: %d, %d, %d", len(m.CPUs()), len(m.IOAPICs()), len(m.Overrides()))
		}
		seen := map[uint32]bool{}
		for _, c := range m.CPUs() {
			if c.Flags&(LAPIC_ENABLED|LAPIC_ONLINE_CAPABLE) == 0 {
				t.Fatalf("unusable CPU listed: %+v", c)
			}
			if seen[c.APICID] {
				t.Fatalf("APIC ID %d listed twice", c.APICID)
			}
			seen[c.APICID] = true
		}
	})
}

// FuzzParseMADT feeds arbitrary bytes as a MADT's entries.
func FuzzParseMADT(f *testing.F) {
	f.Add(madt(0xFEE00000, 1, lapicEntry(0, 0, 1), x2apicEntry(1, 1, 1))[madtEntries:])
	f.Add([]byte{0, 0})
	f.Fuzz(func(t *testing.T, entries []byte) {
		tbl := madt(0xFEE00000, 0, entries)
		var m MADT
		err := ParseMADT(tbl, &m)
		if err != nil {
			return
		}
		// Every entry walked had a length of at least 2: the CPUs
		// listed cannot outnumber the entries that fit.
		n := len(m.CPUs()) + len(m.IOAPICs()) + len(m.Overrides()) + m.Dropped + m.Unusable
		if n > len(entries)/lenLocalAPIC {
			t.Fatalf("%d structures decoded from %d bytes", n, len(entries))
		}
		if binary.LittleEndian.Uint32(tbl[madtOffLAPICAddr:]) != 0xFEE00000 {
			t.Fatal("table changed")
		}
	})
}
