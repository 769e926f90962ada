package mptable

import (
	"encoding/binary"
	"errors"
	"github.com/coracle-os/coracle/boot/biosscan"
	"testing"
)

// testMem is guest memory from physical address 0; address 0 itself reads
// as nothing, as in the kernel.
type testMem struct{ b []byte }

func (m *testMem) Bytes(pa, n uint64) []byte {
	if pa == 0 || pa > uint64(len(m.b)) || n > uint64(len(m.b))-pa {
		return nil
	}
	return m.b[pa : pa+n]
}

func newMem() *testMem                     { return &testMem{b: make([]byte, 1<<20)} }
func (m *testMem) put(pa uint64, b []byte) { copy(m.b[pa:], b) }

func fixChecksum(b []byte, at int) []byte {
	b[at] = 0
	b[at] = -biosscan.Checksum(b)
	return b
}

// floating builds a floating pointer structure naming the table at cfg.
func floating(cfg uint32, default1 uint8) []byte {
	b := make([]byte, floatingSize)
	copy(b, FloatingSignature)
	binary.LittleEndian.PutUint32(b[fpOffConfig:], cfg)
	b[fpOffLength] = 1
	b[fpOffRevision] = 4
	b[fpOffFeature1] = default1
	return fixChecksum(b, 10)
}

func processor(id, flags uint8) []byte {
	e := make([]byte, processorSize)
	e[0], e[1], e[2], e[3] = TypeProcessor, id, 0x14, flags
	return e
}

func ioapic(id, flags uint8, addr uint32) []byte {
	e := []byte{TypeIOAPIC, id, 0x11, flags, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(e[4:], addr)
	return e
}

func bus(id uint8, name string) []byte {
	e := []byte{TypeBus, id, ' ', ' ', ' ', ' ', ' ', ' '}
	copy(e[2:], name)
	return e
}

// config builds a configuration table with the entries, a valid length,
// count and checksum.
func config(entries ...[]byte) []byte {
	b := make([]byte, headerSize)
	copy(b, ConfigSignature)
	b[hdrOffRevision] = 4
	copy(b[8:], "CORACLE ")
	binary.LittleEndian.PutUint32(b[hdrOffLocalAPIC:], DefaultLocalAPIC)
	for _, e := range entries {
		b = append(b, e...)
	}
	binary.LittleEndian.PutUint16(b[hdrOffBaseLength:], uint16(len(b)))
	binary.LittleEndian.PutUint16(b[hdrOffEntryCount:], uint16(len(entries)))
	return fixChecksum(b, 7)
}

// firecrackerLike lays memory out as Firecracker does: no BIOS Data
// Area, the floating pointer at 0x9FC00 with the table right after it.
func firecrackerLike(cpus int) *testMem {
	m := newMem()
	var ents [][]byte
	for i := range cpus {
		flags := uint8(CPU_EN)
		if i == 0 {
			flags |= CPU_BP
		}
		ents = append(ents, processor(uint8(i), flags))
	}
	ents = append(ents, bus(0, "ISA"), ioapic(uint8(cpus+1), IOAPIC_EN, DefaultIOAPIC), []byte{TypeIOInterrupt, 0, 0, 0, 0, 1, byte(cpus + 1), 1})
	m.put(0x9FC00, floating(0x9FC10, 0))
	m.put(0x9FC10, config(ents...))
	return m
}

func TestFirecrackerLike(t *testing.T) {
	var tb Table
	if err := Find(firecrackerLike(4), &tb); err != nil {
		t.Fatal(err)
	}
	cpus := tb.CPUs()
	if len(cpus) != 4 || tb.FloatingPointer != 0x9FC00 || tb.Revision != 4 || tb.LocalAPIC != DefaultLocalAPIC {
		t.Fatalf("table %+v", tb)
	}
	for i, c := range cpus {
		if c.APICID != uint8(i) || c.Flags&CPU_EN == 0 || (c.Flags&CPU_BP != 0) != (i == 0) {
			t.Errorf("CPU %d: %+v", i, c)
		}
	}
	if io := tb.IOAPICs(); len(io) != 1 || io[0] != (IOAPIC{ID: 5, Version: 0x11, Address: DefaultIOAPIC}) {
		t.Errorf("I/O APICs %+v", io)
	}
}

// qboot, QEMU microvm's firmware, leaves the entry count 0: the entries
// are then read to the base table's end.
func TestEntryCountZero(t *testing.T) {
	m := firecrackerLike(3)
	binary.LittleEndian.PutUint16(m.b[0x9FC10+hdrOffEntryCount:], 0)
	n := int(binary.LittleEndian.Uint16(m.b[0x9FC10+hdrOffBaseLength:]))
	fixChecksum(m.b[0x9FC10:0x9FC10+n], 7)
	var tb Table
	if err := Find(m, &tb); err != nil || len(tb.CPUs()) != 3 || len(tb.IOAPICs()) != 1 {
		t.Errorf("Find: %v, %d CPUs, %d I/O APICs; want 3 and 1", err, len(tb.CPUs()), len(tb.IOAPICs()))
	}
}

func TestSearchAreas(t *testing.T) {
	withEBDA := func() *testMem {
		m := newMem()
		binary.LittleEndian.PutUint16(m.b[0x40E:], 0x9F00)      // EBDA at 0x9F000
		binary.LittleEndian.PutUint16(m.b[0x413:], 0x9F000>>10) // base memory: 636 KiB
		return m
	}
	withBase := func(kib uint16) *testMem {
		m := newMem()
		binary.LittleEndian.PutUint16(m.b[0x413:], kib)
		return m
	}
	cases := []struct {
		name  string
		mem   *testMem
		at    uint64
		found bool
	}{
		{"EBDA's first KiB", withEBDA(), 0x9F000 + 0x3F0, true},
		{"past the EBDA's first KiB", withEBDA(), 0x9F400, false},
		{"no BDA: 639-640 KiB", newMem(), 0x9FC00, true},
		{"no BDA: last slot", newMem(), 0x9FFF0, true},
		{"no BDA: below 639 KiB", newMem(), 0x9FBF0, false},
		{"base memory 512 KiB: its last KiB", withBase(512), 0x7FC00, true},
		{"ROM start", newMem(), 0xF0000, true},
		{"ROM end", newMem(), 0xFFFF0, true},
		{"ROM, unaligned", newMem(), 0xF0004, false},
		{"below the ROM", newMem(), 0xEFFF0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.mem.put(c.at, floating(0, 6)) // default configuration 6
			var tb Table
			err := Find(c.mem, &tb)
			if c.found && (err != nil || tb.FloatingPointer != c.at) {
				t.Errorf("Find: %v, at %#x; want it at %#x", err, tb.FloatingPointer, c.at)
			}
			if !c.found && err != ErrNoFloatingPointer {
				t.Errorf("Find: %v at %#x; want ErrNoFloatingPointer", err, tb.FloatingPointer)
			}
		})
	}
}

func TestScanSkipsABadFloatingPointer(t *testing.T) {
	m := newMem()
	bad := floating(0x1234, 0)
	bad[10]++
	m.put(0xF0000, bad)
	zero := floating(0x1234, 0)
	zero[fpOffLength] = 0
	m.put(0xF0010, zero)
	m.put(0xF0020, floating(0, 5))
	var tb Table
	if err := Find(m, &tb); err != nil || tb.FloatingPointer != 0xF0020 {
		t.Errorf("Find: %v at %#x; want the valid one at 0xF0020", err, tb.FloatingPointer)
	}
}

func TestDefaultConfiguration(t *testing.T) {
	m := newMem()
	fp := floating(0, 5)
	fp[fpOffFeature2] = FEATURE2_IMCRP
	m.put(0xF0000, fixChecksum(fp, 10))
	var tb Table
	if err := Find(m, &tb); err != nil {
		t.Fatal(err)
	}
	cpus := tb.CPUs()
	if tb.Default != 5 || !tb.PICMode || len(cpus) != 2 || cpus[0].APICID != 0 || cpus[0].Flags&CPU_BP == 0 || cpus[1].APICID != 1 {
		t.Errorf("table %+v", tb)
	}
}

func TestDisabledCPUsAndCaps(t *testing.T) {
	var ents [][]byte
	for i := range MaxCPUs + 2 {
		ents = append(ents, processor(uint8(i), CPU_EN))
	}
	ents = append(ents, processor(7, 0), processor(8, CPU_BP)) // disabled
	for i := range MaxIOAPICs + 1 {
		ents = append(ents, ioapic(uint8(i), IOAPIC_EN, DefaultIOAPIC+uint32(i)<<12))
	}
	ents = append(ents, ioapic(99, 0, 0)) // disabled
	m := newMem()
	m.put(0xF0000, floating(0x10000, 0))
	m.put(0x10000, config(ents...))
	var tb Table
	if err := Find(m, &tb); err != nil {
		t.Fatal(err)
	}
	if len(tb.CPUs()) != MaxCPUs || len(tb.IOAPICs()) != MaxIOAPICs || tb.Dropped != 3 || tb.DisabledCPUs != 2 {
		t.Errorf("%d CPUs, %d I/O APICs, Dropped %d, DisabledCPUs %d", len(tb.CPUs()), len(tb.IOAPICs()), tb.Dropped, tb.DisabledCPUs)
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct {
		name string
		brk  func(m *testMem)
		want error
	}{
		{"no table", func(m *testMem) { m.put(0x9FC00, floating(0, 0)) }, ErrNoConfigTable},
		{"table outside memory", func(m *testMem) { m.put(0x9FC00, floating(0xFFFFFFF0, 0)) }, ErrTableUnreadable},
		{"signature", func(m *testMem) { m.b[0x9FC10] = 'X' }, ErrTableSignature},
		{"checksum", func(m *testMem) { m.b[0x9FC10+headerSize+1]++ }, ErrTableChecksum},
		{"length below the header", func(m *testMem) {
			b := config()
			binary.LittleEndian.PutUint16(b[hdrOffBaseLength:], headerSize-1)
			m.put(0x9FC10, fixChecksum(b[:headerSize-1], 7))
		}, ErrTableLength},
		{"length past memory", func(m *testMem) {
			m.b[0x9FC00] = 0 // no floating pointer there: the one in the ROM area
			m.put(0xF0000, floating(0xFFF00, 0))
			h := config()
			binary.LittleEndian.PutUint16(h[hdrOffBaseLength:], 0x200)
			m.put(0xFFF00, h)
		}, ErrTableUnreadable},
		{"unknown entry type", func(m *testMem) { m.put(0x9FC10, config(processor(0, CPU_EN), []byte{5, 0, 0, 0, 0, 0, 0, 0})) }, ErrEntryUnknown},
		{"entry past the end", func(m *testMem) {
			b := config(processor(0, CPU_EN))
			n := len(b) - 4
			binary.LittleEndian.PutUint16(b[hdrOffBaseLength:], uint16(n))
			m.put(0x9FC10, fixChecksum(b[:n], 7))
		}, ErrEntryPastEnd},
		{"count too small", func(m *testMem) {
			b := config(processor(0, CPU_EN), processor(1, CPU_EN))
			binary.LittleEndian.PutUint16(b[hdrOffEntryCount:], 1)
			m.put(0x9FC10, fixChecksum(b, 7))
		}, ErrEntryCount},
		{"entries past the count", func(m *testMem) {
			b := config(processor(0, CPU_EN))
			b = append(b, processor(1, CPU_EN)...)
			binary.LittleEndian.PutUint16(b[hdrOffBaseLength:], uint16(len(b)))
			m.put(0x9FC10, fixChecksum(b, 7))
		}, ErrEntryCount},
		{"count too large", func(m *testMem) {
			b := config(processor(0, CPU_EN))
			binary.LittleEndian.PutUint16(b[hdrOffEntryCount:], 2)
			m.put(0x9FC10, fixChecksum(b, 7))
		}, ErrEntryCount},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := firecrackerLike(2)
			c.brk(m)
			var tb Table
			err := Find(m, &tb)
			if err != c.want {
				t.Errorf("err %v, want %v", err, c.want)
			}
			var e Error
			if !errors.As(err, &e) {
				t.Errorf("err is %T, want an mptable.Error", err)
			}
		})
	}
}
