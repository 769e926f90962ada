package acpi

import (
	"encoding/binary"
	"errors"
	"testing"
)

func TestReadMADTQEMULike(t *testing.T) {
	mem := qemuLike(4)
	var m MADT
	r, err := ReadMADT(mem, 0, &m)
	if err != nil {
		t.Fatal(err)
	}
	if r.Addr != atRSDP || r.Revision != 0 || r.RSDT != atRSDT || r.XSDT != 0 {
		t.Errorf("RSDP %+v", r)
	}
	cpus := m.CPUs()
	if len(cpus) != 4 {
		t.Fatalf("%d CPUs, want 4: %+v", len(cpus), cpus)
	}
	for i, c := range cpus {
		if c.APICID != uint32(i) || c.ProcessorUID != uint32(i) || !c.Enabled() || c.X2APIC {
			t.Errorf("CPU %d: %+v", i, c)
		}
	}
	if io := m.IOAPICs(); len(io) != 1 || io[0] != (IOAPIC{ID: 0, Address: 0xFEC00000}) {
		t.Errorf("I/O APICs %+v", io)
	}
	want := []Override{{Source: 0, GSI: 2}, {Source: 9, GSI: 9, Flags: 0xd}}
	if o := m.Overrides(); len(o) != 2 || o[0] != want[0] || o[1] != want[1] {
		t.Errorf("overrides %+v, want %+v", o, want)
	}
	if !m.PCATCompat() || m.LocalAPICAddress != 0xFEE00000 || m.Dropped != 0 || m.Unusable != 0 {
		t.Errorf("MADT fields: %+v", m)
	}
}

// revision2 puts a revision-2 RSDP at pa naming an XSDT that lists the
// MADT, as Cloud Hypervisor and QEMU microvm (acpi=on) do.
func revision2(mem *testMem, pa uint64, entries ...[]byte) {
	mem.put(atMADT, madt(0xFEE00000, 0, entries...))
	mem.put(atXSDT, xsdt(atFACP, atMADT))
	mem.put(atFACP, table("FACP", make([]byte, 200)))
	mem.put(pa, rsdp(2, 0, atXSDT))
}

func TestRSDPFromTheHint(t *testing.T) {
	const hint = 0x1F_0000 // outside every scanned area
	mem := newMem()
	revision2(mem, hint, lapicEntry(0, 0, LAPIC_ENABLED), lapicEntry(1, 1, LAPIC_ENABLED))
	var m MADT
	r, err := ReadMADT(mem, hint, &m)
	if err != nil {
		t.Fatal(err)
	}
	if r.Addr != hint || r.Revision != 2 || r.XSDT != atXSDT {
		t.Errorf("RSDP %+v", r)
	}
	if len(m.CPUs()) != 2 {
		t.Errorf("CPUs %+v", m.CPUs())
	}
	if _, err := ReadMADT(mem, 0, &m); err != ErrNoRSDP {
		t.Errorf("without the hint: %v, want ErrNoRSDP", err)
	}
}

func TestBadHintFallsBackToTheScan(t *testing.T) {
	mem := qemuLike(2)
	r, err := FindRSDP(mem, 0x1F_0000) // zeros there
	if err != nil || r.Addr != atRSDP {
		t.Fatalf("FindRSDP = %+v, %v; want the scanned one at %#x", r, err, atRSDP)
	}
	// With nothing to scan, the hint's own reason is the answer.
	if _, err := FindRSDP(newMem(), 0x1F_0000); err != ErrRSDPSignature {
		t.Errorf("err %v, want ErrRSDPSignature", err)
	}
	if _, err := FindRSDP(newMem(), 1<<40); err != ErrRSDPUnreadable {
		t.Errorf("err %v, want ErrRSDPUnreadable", err)
	}
}

func TestRSDPScan(t *testing.T) {
	const ebda = 0x9FC00
	withEBDA := func() *testMem {
		mem := newMem()
		binary.LittleEndian.PutUint16(mem.b[0x40E:], ebda>>4)
		return mem
	}
	cases := []struct {
		name  string
		mem   *testMem
		at    uint64
		found bool
	}{
		{"EBDA start", withEBDA(), ebda, true},
		{"EBDA last slot", withEBDA(), ebda + 1024 - 16, true},
		{"EBDA past its first KiB", withEBDA(), ebda + 1024, false},
		{"EBDA-like area without a BDA pointer", newMem(), ebda, false},
		{"BIOS area start", newMem(), 0xE0000, true},
		{"BIOS area end", newMem(), 0xFFFE0, true},
		{"BIOS area, unaligned", newMem(), 0xE0008, false},
		{"below the BIOS area", newMem(), 0xDFFF0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.mem.put(c.at, rsdp(0, atRSDT, 0))
			r, err := FindRSDP(c.mem, 0)
			if c.found && (err != nil || r.Addr != c.at) {
				t.Errorf("FindRSDP = %+v, %v; want one at %#x", r, err, c.at)
			}
			if !c.found && err != ErrNoRSDP {
				t.Errorf("FindRSDP = %+v, %v; want ErrNoRSDP", r, err)
			}
		})
	}
}

func TestScanSkipsAnInvalidRSDP(t *testing.T) {
	mem := newMem()
	bad := rsdp(0, 0x1234, 0)
	bad[8]++ // checksum
	mem.put(0xE0000, bad)
	mem.put(0xE0010, rsdp(0, atRSDT, 0))
	if r, err := FindRSDP(mem, 0); err != nil || r.Addr != 0xE0010 {
		t.Errorf("FindRSDP = %+v, %v; want the valid one at 0xE0010", r, err)
	}
}

func TestParseRSDPErrors(t *testing.T) {
	const at = 0xE0000
	cases := []struct {
		name  string
		build func() []byte
		want  error
	}{
		{"signature", func() []byte { b := rsdp(0, 1, 0); b[0] = 'r'; return b }, ErrRSDPSignature},
		{"checksum v1", func() []byte { b := rsdp(0, 1, 0); b[19]++; return b }, ErrRSDPChecksum},
		{"checksum v2 first 20 bytes", func() []byte { b := rsdp(2, 1, 2); b[17]++; b[33]--; return b }, ErrRSDPChecksum},
		{"extended checksum", func() []byte { b := rsdp(2, 1, 2); b[30]++; return b }, ErrRSDPXChecksum},
		{"length below 36", func() []byte {
			b := rsdp(2, 1, 2)
			binary.LittleEndian.PutUint32(b[rsdpOffLen:], 20)
			return fixChecksum(b, 32)
		}, ErrRSDPLength},
		{"length above the cap", func() []byte {
			b := rsdp(2, 1, 2)
			binary.LittleEndian.PutUint32(b[rsdpOffLen:], MaxTableSize+1)
			return fixChecksum(b, 32)
		}, ErrRSDPLength},
		{"length past memory", func() []byte {
			b := rsdp(2, 1, 2)
			binary.LittleEndian.PutUint32(b[rsdpOffLen:], MaxTableSize)
			return fixChecksum(b, 32)
		}, ErrRSDPUnreadable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := &testMem{b: make([]byte, 1<<20)}
			mem.put(at, c.build())
			if _, err := ParseRSDP(mem, at); err != c.want {
				t.Errorf("err %v, want %v", err, c.want)
			}
		})
	}
	// A longer revision-2 RSDP is checked over all of its length.
	mem := newMem()
	b := append(rsdp(2, 1, 2), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(b[rsdpOffLen:], uint32(len(b)))
	b[len(b)-1] = 7
	fixChecksum(b, 32)
	mem.put(at, b)
	if _, err := ParseRSDP(mem, at); err != nil {
		t.Errorf("40-byte RSDP: %v", err)
	}
	mem.b[at+39]++
	if _, err := ParseRSDP(mem, at); err != ErrRSDPXChecksum {
		t.Errorf("40-byte RSDP with its last byte changed: %v, want ErrRSDPXChecksum", err)
	}
}

func TestXSDTIsPreferredToRSDT(t *testing.T) {
	const otherMADT = 0x10_4000
	mem := newMem()
	mem.put(atMADT, madt(0xFEE00000, 0, lapicEntry(0, 0, LAPIC_ENABLED), lapicEntry(1, 1, LAPIC_ENABLED)))
	mem.put(otherMADT, madt(0xFEE00000, 0, lapicEntry(0, 0, LAPIC_ENABLED)))
	mem.put(atXSDT, xsdt(atMADT))
	mem.put(atRSDT, rsdt(otherMADT))
	b := rsdp(2, atRSDT, atXSDT)
	mem.put(0xE0000, b)
	var m MADT
	if _, err := ReadMADT(mem, 0, &m); err != nil || len(m.CPUs()) != 2 {
		t.Fatalf("err %v, CPUs %+v: want the XSDT's MADT, with 2", err, m.CPUs())
	}
	// A revision-2 RSDP without an XSDT falls back to its RSDT.
	mem.put(0xE0000, rsdp(2, atRSDT, 0))
	if _, err := ReadMADT(mem, 0, &m); err != nil || len(m.CPUs()) != 1 {
		t.Fatalf("err %v, CPUs %+v: want the RSDT's MADT, with 1", err, m.CPUs())
	}
}

func TestTableErrors(t *testing.T) {
	// Each case breaks the layout qemuLike(2) builds.
	cases := []struct {
		name string
		brk  func(m *testMem)
		want error
	}{
		{"no root table", func(m *testMem) { m.put(atRSDP, rsdp(0, 0, 0)) }, ErrNoRootTable},
		{"root table unreadable", func(m *testMem) { m.put(atRSDP, rsdp(2, 0, 1<<40)) }, ErrTableUnreadable},
		{"root table signature", func(m *testMem) { m.b[atRSDT] = 'X' }, ErrTableSignature},
		{"root table checksum", func(m *testMem) { m.b[atRSDT+headerSize]++ }, ErrTableChecksum},
		{"root table partial entry", func(m *testMem) { m.put(atRSDT, table(SigRSDT, []byte{1, 2, 3, 4, 5})) }, ErrRootTableEntries},
		{"no MADT", func(m *testMem) { m.put(atRSDT, rsdt(atFACP)) }, ErrNoMADT},
		{"MADT checksum", func(m *testMem) { m.b[atMADT+50]++ }, ErrTableChecksum},
		{"MADT length below its header", func(m *testMem) { setLength(m, atMADT, 35) }, ErrTableLength},
		{"MADT length above the cap", func(m *testMem) { setLength(m, atMADT, MaxTableSize+1) }, ErrTableLength},
		{"MADT past the end of memory", func(m *testMem) {
			m.put(atRSDT, rsdt(atFACP, uint32(len(m.b)-headerSize)))
			copy(m.b[len(m.b)-headerSize:], table(SigMADT, nil))
			setLength(m, uint64(len(m.b)-headerSize), headerSize+8)
		}, ErrTableUnreadable},
		{"MADT shorter than its fixed fields", func(m *testMem) { m.put(atMADT, table(SigMADT, []byte{0, 0, 0xE0, 0xFE})) }, ErrMADTShort},
		{"entry of length 0", func(m *testMem) { m.put(atMADT, madt(0xFEE00000, 0, []byte{TypeLocalAPIC, 0})) }, ErrMADTEntryZero},
		{"unknown entry of length 0", func(m *testMem) { m.put(atMADT, madt(0xFEE00000, 0, []byte{0x7f, 0, 0, 0})) }, ErrMADTEntryZero},
		{"entry past the end", func(m *testMem) {
			e := lapicEntry(0, 0, LAPIC_ENABLED)
			m.put(atMADT, madt(0xFEE00000, 0, e[:6]))
		}, ErrMADTEntryPastEnd},
		{"lone trailing byte", func(m *testMem) { m.put(atMADT, madt(0xFEE00000, 0, lapicEntry(0, 0, 1), []byte{0})) }, ErrMADTEntryPastEnd},
		{"local APIC entry too short", func(m *testMem) { m.put(atMADT, madt(0xFEE00000, 0, []byte{TypeLocalAPIC, 4, 0, 0})) }, ErrMADTEntryTooShort},
		{"x2APIC entry too short", func(m *testMem) {
			e := x2apicEntry(1, 1, 1)
			e[1] = 12
			m.put(atMADT, madt(0xFEE00000, 0, e[:12]))
		}, ErrMADTEntryTooShort},
		{"I/O APIC entry too short", func(m *testMem) { m.put(atMADT, madt(0xFEE00000, 0, []byte{TypeIOAPIC, 8, 0, 0, 0, 0, 0, 0})) }, ErrMADTEntryTooShort},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := qemuLike(2)
			c.brk(mem)
			var m MADT
			_, err := ReadMADT(mem, 0, &m)
			if err != c.want {
				t.Errorf("err %v, want %v", err, c.want)
			}
			var e Error
			if !errors.As(err, &e) {
				t.Errorf("err is %T, want an acpi.Error", err)
			}
		})
	}
}

// setLength rewrites a table's length field (and so breaks its checksum,
// which ReadTable checks only after the length).
func setLength(m *testMem, pa uint64, n uint32) {
	binary.LittleEndian.PutUint32(m.b[pa+hdrOffLength:], n)
}

func TestMADTEntries(t *testing.T) {
	mem := newMem()
	revision2(mem, 0xE0000,
		lapicEntry(0, 0, LAPIC_ENABLED),
		lapicEntry(1, 4, 0),                    // disabled: unusable
		lapicEntry(2, 2, LAPIC_ONLINE_CAPABLE), // can be hot-added
		[]byte{0x7f, 6, 1, 2, 3, 4},            // a type this parser does not know
		x2apicEntry(300, LAPIC_ENABLED, 7),
		x2apicEntry(0, LAPIC_ENABLED, 0), // APIC ID 0 again, as an x2APIC
		x2apicEntry(301, 0, 8),
		[]byte{TypeLocalAPICAddrOverride, 12, 0, 0, 0, 0, 0xE0, 0xFE, 1, 0, 0, 0},
	)
	var m MADT
	if _, err := ReadMADT(mem, 0, &m); err != nil {
		t.Fatal(err)
	}
	want := []LocalAPIC{
		{ProcessorUID: 0, APICID: 0, Flags: LAPIC_ENABLED},
		{ProcessorUID: 2, APICID: 2, Flags: LAPIC_ONLINE_CAPABLE},
		{ProcessorUID: 7, APICID: 300, Flags: LAPIC_ENABLED, X2APIC: true},
	}
	got := m.CPUs()
	if len(got) != len(want) {
		t.Fatalf("CPUs %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("CPU %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if got[1].Enabled() {
		t.Errorf("an online-capable CPU reports Enabled")
	}
	if m.Unusable != 2 || m.Dropped != 0 {
		t.Errorf("Unusable %d, Dropped %d; want 2, 0", m.Unusable, m.Dropped)
	}
	if m.LocalAPICAddress != 0x1_FEE0_0000 {
		t.Errorf("LocalAPICAddress %#x: the override's 64-bit address was not taken", m.LocalAPICAddress)
	}
	if m.PCATCompat() {
		t.Errorf("PCAT_COMPAT set")
	}
}

func TestMADTCaps(t *testing.T) {
	var ents [][]byte
	for i := range MaxCPUs + 3 {
		ents = append(ents, x2apicEntry(uint32(i), LAPIC_ENABLED, uint32(i)))
	}
	for i := range MaxIOAPICs + 1 {
		ents = append(ents, ioapicEntry(uint8(i), 0xFEC00000+uint32(i)<<12, uint32(24*i)))
	}
	for i := range MaxOverrides + 2 {
		ents = append(ents, overrideEntry(uint8(i), uint32(i), 0))
	}
	mem := newMem()
	revision2(mem, 0xE0000, ents...)
	var m MADT
	if _, err := ReadMADT(mem, 0, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.CPUs()) != MaxCPUs || len(m.IOAPICs()) != MaxIOAPICs || len(m.Overrides()) != MaxOverrides {
		t.Errorf("%d CPUs, %d I/O APICs, %d overrides: want the caps", len(m.CPUs()), len(m.IOAPICs()), len(m.Overrides()))
	}
	if m.Dropped != 3+1+2 {
		t.Errorf("Dropped %d, want 6", m.Dropped)
	}
	if last := m.CPUs()[MaxCPUs-1]; last.APICID != MaxCPUs-1 {
		t.Errorf("last CPU %+v", last)
	}
}
