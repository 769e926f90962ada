package acpi

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/boot/biosscan"
)

// testMem is guest memory from physical address 0 for the tests; address 0
// itself reads as nothing, as in the kernel.
type testMem struct{ b []byte }

func (m *testMem) Bytes(pa, n uint64) []byte {
	if pa == 0 || pa > uint64(len(m.b)) || n > uint64(len(m.b))-pa {
		return nil
	}
	return m.b[pa : pa+n]
}

func newMem() *testMem { return &testMem{b: make([]byte, 2<<20)} }

// put copies b to pa.
func (m *testMem) put(pa uint64, b []byte) { copy(m.b[pa:], b) }

// fixChecksum sets b[at] so that b sums to zero.
func fixChecksum(b []byte, at int) []byte {
	b[at] = 0
	b[at] = -biosscan.Checksum(b)
	return b
}

// rsdp builds an RSDP of the given revision (0 or 2) pointing at the
// tables, with valid checksums.
func rsdp(rev uint8, rsdt uint32, xsdt uint64) []byte {
	b := make([]byte, rsdpV2Size)
	copy(b, RSDPSignature)
	copy(b[9:], "COROEM")
	b[rsdpOffRev] = rev
	binary.LittleEndian.PutUint32(b[rsdpOffRSDT:], rsdt)
	if rev < 2 {
		return fixChecksum(b[:rsdpV1Size], 8)
	}
	binary.LittleEndian.PutUint32(b[rsdpOffLen:], rsdpV2Size)
	binary.LittleEndian.PutUint64(b[rsdpOffXSDT:], xsdt)
	fixChecksum(b[:rsdpV1Size], 8)
	return fixChecksum(b, 32)
}

// table builds a system description table: the header, then body, with a
// valid checksum.
func table(sig string, body []byte) []byte {
	b := make([]byte, headerSize+len(body))
	copy(b, sig)
	binary.LittleEndian.PutUint32(b[hdrOffLength:], uint32(len(b)))
	b[hdrOffRevision] = 1
	copy(b[10:], "COROEM")
	copy(b[headerSize:], body)
	return fixChecksum(b, 9)
}

// xsdt and rsdt build root tables listing the addresses.
func xsdt(addrs ...uint64) []byte {
	body := make([]byte, 8*len(addrs))
	for i, a := range addrs {
		binary.LittleEndian.PutUint64(body[8*i:], a)
	}
	return table(SigXSDT, body)
}

func rsdt(addrs ...uint32) []byte {
	body := make([]byte, 4*len(addrs))
	for i, a := range addrs {
		binary.LittleEndian.PutUint32(body[4*i:], a)
	}
	return table(SigRSDT, body)
}

// madt builds a MADT with the local APIC address, flags and entries.
func madt(lapic, flags uint32, entries ...[]byte) []byte {
	body := make([]byte, 8)
	binary.LittleEndian.PutUint32(body, lapic)
	binary.LittleEndian.PutUint32(body[4:], flags)
	for _, e := range entries {
		body = append(body, e...)
	}
	return table(SigMADT, body)
}

func lapicEntry(uid, id uint8, flags uint32) []byte {
	e := []byte{TypeLocalAPIC, lenLocalAPIC, uid, id, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(e[4:], flags)
	return e
}

func x2apicEntry(id, flags, uid uint32) []byte {
	e := make([]byte, lenLocalX2APIC)
	e[0], e[1] = TypeLocalX2APIC, lenLocalX2APIC
	binary.LittleEndian.PutUint32(e[4:], id)
	binary.LittleEndian.PutUint32(e[8:], flags)
	binary.LittleEndian.PutUint32(e[12:], uid)
	return e
}

func ioapicEntry(id uint8, addr, gsi uint32) []byte {
	e := make([]byte, lenIOAPIC)
	e[0], e[1], e[2] = TypeIOAPIC, lenIOAPIC, id
	binary.LittleEndian.PutUint32(e[4:], addr)
	binary.LittleEndian.PutUint32(e[8:], gsi)
	return e
}

func overrideEntry(src uint8, gsi uint32, flags uint16) []byte {
	e := make([]byte, lenOverride)
	e[0], e[1], e[2], e[3] = TypeInterruptSourceOverride, lenOverride, 0, src
	binary.LittleEndian.PutUint32(e[4:], gsi)
	binary.LittleEndian.PutUint16(e[8:], flags)
	return e
}

// Where the tests put things.
const (
	atRSDP = 0xF5A60
	atXSDT = 0x10_0000
	atRSDT = 0x10_1000
	atFACP = 0x10_2000
	atMADT = 0x10_3000
)

// qemuLike is memory laid out as QEMU's SeaBIOS machines lay it out: an
// RSDP in the BIOS area naming an RSDT (revision 0), which lists a FACP
// and the MADT for cpus CPUs, one I/O APIC and the ISA overrides.
func qemuLike(cpus int) *testMem {
	m := newMem()
	ents := [][]byte{}
	for i := range cpus {
		ents = append(ents, lapicEntry(uint8(i), uint8(i), LAPIC_ENABLED))
	}
	ents = append(ents, ioapicEntry(0, 0xFEC00000, 0), overrideEntry(0, 2, 0), overrideEntry(9, 9, 0xd))
	m.put(atMADT, madt(0xFEE00000, PCAT_COMPAT, ents...))
	m.put(atFACP, table("FACP", make([]byte, 80)))
	m.put(atRSDT, rsdt(atFACP, atMADT))
	m.put(atRSDP, rsdp(0, atRSDT, 0))
	return m
}
