package pci

import (
	"reflect"
	"strings"
	"testing"
)

func checkClean(t *testing.T, c *fakeConfig, before map[bdf][256]byte) {
	t.Helper()
	for _, v := range c.violations {
		t.Errorf("violation: %s", v)
	}
	if before == nil {
		return
	}
	for k, f := range c.fns {
		if f.cfg != before[k] {
			for i := range f.cfg {
				if f.cfg[i] != before[k][i] {
					t.Errorf("%v: config byte %#x changed from %#x to %#x", k, i, before[k][i], f.cfg[i])
				}
			}
		}
	}
}

func TestEnumerateQ35(t *testing.T) {
	c := q35()
	before := c.snapshot()
	devs, err := Enumerate(c)
	if err != nil {
		t.Fatalf("Enumerate: %v", err)
	}
	// Enumeration only reads: every BAR and Command register is back to
	// what firmware left, and no RW1C status bit was cleared.
	checkClean(t, c, before)

	type want struct {
		name       string
		class      [3]uint8 // base, sub, prog
		rev        uint8
		header     uint8
		mf         bool
		subsys     [2]uint16
		bars       []BAR
		caps       []Capability
		line, pin  uint8
		sec, subor uint8
	}
	noBARs := make([]BAR, 6)
	bars := func(set map[int]BAR, n int) []BAR {
		b := make([]BAR, n)
		for i, v := range set {
			b[i] = v
		}
		return b
	}
	vndr := func(offs ...uint8) []Capability {
		var cs []Capability
		for _, o := range offs {
			cs = append(cs, Capability{CAP_ID_VNDR, o})
		}
		return cs
	}
	wants := []want{
		{name: "00:00.0 8086:29c0", class: [3]uint8{6, 0, 0}, subsys: [2]uint16{0x1AF4, 0x1100}, bars: noBARs, line: 0xFF},
		{name: "00:02.0 1af4:1000", class: [3]uint8{2, 0, 0}, subsys: [2]uint16{0x1AF4, 1},
			bars: bars(map[int]BAR{
				0: {Kind: BARIO, Addr: q35NetIO, Size: 0x20},
				1: {Kind: BARMem32, Addr: q35NetMSIX, Size: 0x1000},
				4: {Kind: BARMem64, Prefetchable: true, Addr: q35NetModern, Size: q35ModernSize},
			}, 6),
			caps: append([]Capability{{CAP_ID_MSIX, 0x98}}, vndr(0x84, 0x70, 0x60, 0x50, 0x40)...),
			line: 10, pin: 1},
		{name: "00:03.0 1b36:000c", class: [3]uint8{6, 4, 0}, header: HEADER_TYPE_BRIDGE,
			bars: bars(map[int]BAR{0: {Kind: BARMem32, Addr: q35PortMMIO, Size: 0x1000}}, 2),
			caps: []Capability{{CAP_ID_PCIE, 0x40}, {CAP_ID_MSI, 0x80}},
			line: 11, pin: 1, sec: 1, subor: 1},
		{name: "01:00.0 1af4:1041", class: [3]uint8{2, 0, 0}, rev: 1, subsys: [2]uint16{0x1AF4, 0x1100},
			bars: bars(map[int]BAR{
				1: {Kind: BARMem32, Addr: q35Net2MSIX, Size: 0x1000},
				4: {Kind: BARMem64, Prefetchable: true, Addr: q35Net2Modern, Size: q35ModernSize},
			}, 6),
			caps: append([]Capability{{CAP_ID_PCIE, 0xC0}, {CAP_ID_MSIX, 0x98}}, vndr(0x84, 0x70, 0x60, 0x50, 0x40)...),
			line: 11, pin: 1},
		{name: "00:1f.0 8086:2918", class: [3]uint8{6, 1, 0}, rev: 2, mf: true, subsys: [2]uint16{0x1AF4, 0x1100}, bars: noBARs, line: 0xFF},
		{name: "00:1f.2 8086:2922", class: [3]uint8{1, 6, 1}, rev: 2, mf: true, subsys: [2]uint16{0x1AF4, 0x1100},
			bars: bars(map[int]BAR{
				4: {Kind: BARIO, Addr: q35AHCIIO, Size: 0x20},
				5: {Kind: BARMem32, Addr: q35AHCIMMIO, Size: 0x1000},
			}, 6),
			caps: []Capability{{CAP_ID_MSI, 0x80}, {0x12, 0xA8}},
			line: 10, pin: 1},
		{name: "00:1f.3 8086:2930", class: [3]uint8{0x0C, 5, 0}, rev: 2, mf: true, subsys: [2]uint16{0x1AF4, 0x1100},
			// An I/O BAR that decodes 16 address bits only reads back
			// 0x0000FFC1: still 64 ports.
			bars: bars(map[int]BAR{4: {Kind: BARIO, Addr: q35SMBusIO, Size: 0x40}}, 6),
			line: 10, pin: 1},
	}
	if len(devs) != len(wants) {
		var got []string
		for _, d := range devs {
			got = append(got, d.String())
		}
		t.Fatalf("found %d functions %v, want %d", len(devs), got, len(wants))
	}
	for i, w := range wants {
		d := devs[i]
		if d.String() != w.name {
			t.Errorf("device %d is %v, want %s", i, d, w.name)
			continue
		}
		if got := [3]uint8{d.Class, d.Subclass, d.ProgIF}; got != w.class {
			t.Errorf("%v: class %x, want %x", d, got, w.class)
		}
		if d.RevisionID != w.rev || d.HeaderType != w.header || d.MultiFunction != w.mf {
			t.Errorf("%v: revision %d header %d mf %v, want %d %d %v", d, d.RevisionID, d.HeaderType, d.MultiFunction, w.rev, w.header, w.mf)
		}
		if got := [2]uint16{d.SubsystemVendorID, d.SubsystemID}; d.HeaderType == 0 && got != w.subsys {
			t.Errorf("%v: subsystem %04x, want %04x", d, got, w.subsys)
		}
		if !reflect.DeepEqual(d.BARs, w.bars) {
			t.Errorf("%v: BARs\n got %+v\nwant %+v", d, d.BARs, w.bars)
		}
		if !reflect.DeepEqual(d.Capabilities, w.caps) {
			t.Errorf("%v: capabilities %x, want %x", d, d.Capabilities, w.caps)
		}
		if d.InterruptLine != w.line || d.InterruptPin != w.pin {
			t.Errorf("%v: interrupt line %d pin %d, want %d %d", d, d.InterruptLine, d.InterruptPin, w.line, w.pin)
		}
		if d.SecondaryBus != w.sec || d.SubordinateBus != w.subor {
			t.Errorf("%v: buses %d-%d, want %d-%d", d, d.SecondaryBus, d.SubordinateBus, w.sec, w.subor)
		}
	}
}

func TestEnumerateSkipsAbsentFunctions(t *testing.T) {
	// Function numbers of single-function devices are not probed (the
	// fake answers on all of them, as some devices do), and functions of
	// multi-function devices are probed one by one: 1f.1 is absent.
	c := q35()
	devs, _ := Enumerate(c)
	for _, d := range devs {
		if d.Func != 0 && !c.fns[bdf{d.Bus, d.Dev, 0}].isMF() {
			t.Errorf("%v: listed a function of a single-function device", d)
		}
	}
	for _, d := range devs {
		if d.Bus == 0 && d.Dev == 0x1F && d.Func == 1 {
			t.Errorf("found absent function %v", d)
		}
	}
}

func (f *fakeFn) isMF() bool { return f.cfg[HEADER_TYPE]&(1<<HEADER_TYPE_MF) != 0 }

func TestEnumerateBridgeProblems(t *testing.T) {
	t.Run("unconfigured", func(t *testing.T) {
		c := q35()
		c.fns[bdf{0, 3, 0}].buses(0, 0, 0)
		devs, err := Enumerate(c)
		if err == nil || !strings.Contains(err.Error(), "no secondary bus") {
			t.Errorf("err = %v, want a bridge without a secondary bus", err)
		}
		if len(devs) != 6 {
			t.Errorf("found %d functions, want the 6 on bus 0", len(devs))
		}
		checkClean(t, c, nil)
	})
	t.Run("loop", func(t *testing.T) {
		c := q35()
		// A bridge on bus 1 that claims bus 1 again.
		c.add(1, 1, 0, newFn(0x1B36, 0x000C, 0, classPCIBridge, HEADER_TYPE_BRIDGE).buses(1, 1, 1))
		devs, err := Enumerate(c)
		if err == nil || !strings.Contains(err.Error(), "points back") {
			t.Errorf("err = %v, want a bridge pointing back", err)
		}
		if len(devs) != 8 {
			t.Errorf("found %d functions, want 8", len(devs))
		}
	})
}

func TestProbeLargeBAR64AndCapabilityLoop(t *testing.T) {
	c := newFakeConfig()
	f := newFn(0x1234, 0x5678, 0, 0x020000, HEADER_TYPE_NORMAL).
		bar(0, BARMem64, false, 0x10_0000_0000, 8<<30). // 8 GiB: the size mask lies in the upper half
		bar(2, BARMem64, true, 0xE000_0000, 0x10_0000).
		command(1<<COMMAND_MEMORY).
		caps(fakeCap{0x40, CAP_ID_MSI, nil}, fakeCap{0x50, CAP_ID_VNDR, nil})
	f.cfg[0x51] = 0x40 // 0x50 points back at 0x40
	c.add(0, 4, 0, f)
	before := c.snapshot()
	d, ok := Probe(c, 0, 4, 0)
	if !ok {
		t.Fatal("Probe found nothing")
	}
	checkClean(t, c, before)
	want := []BAR{
		{Kind: BARMem64, Addr: 0x10_0000_0000, Size: 8 << 30}, {},
		{Kind: BARMem64, Prefetchable: true, Addr: 0xE000_0000, Size: 0x10_0000}, {},
		{}, {},
	}
	if !reflect.DeepEqual(d.BARs, want) {
		t.Errorf("BARs\n got %+v\nwant %+v", d.BARs, want)
	}
	if n := len(d.Capabilities); n != maxCapabilities {
		t.Errorf("capability loop gave %d entries, want the cap of %d", n, maxCapabilities)
	}
	if _, ok := Probe(c, 0, 5, 0); ok {
		t.Error("Probe found a function in an empty slot")
	}
}

func TestEnableKeepsStatus(t *testing.T) {
	c := q35()
	f := c.fns[bdf{1, 0, 0}]
	f.cfg[STATUS+1] |= 0x20 // Received Master Abort (RW1C)
	devs, err := Enumerate(c)
	if err != nil {
		t.Fatal(err)
	}
	var d *Device
	for _, x := range devs {
		if x.Bus == 1 {
			d = x
		}
	}
	d.Enable(1<<COMMAND_MEMORY | 1<<COMMAND_BUS_MASTER)
	if got := d.Command(); got != 0x0006 {
		t.Errorf("Command = %#x, want memory and bus master (0x6)", got)
	}
	d.Enable(1 << COMMAND_IO)
	if got := d.Command(); got != 0x0007 {
		t.Errorf("Command = %#x after enabling I/O, want 0x7", got)
	}
	if f.cfg[STATUS+1]&0x20 == 0 {
		t.Error("Enable cleared an RW1C status bit")
	}
	checkClean(t, c, nil)
}

func TestMSIXEnabled(t *testing.T) {
	c := q35()
	d, _ := Probe(c, 0, 2, 0)
	if d.MSIXEnabled() {
		t.Error("MSI-X reported enabled")
	}
	c.fns[bdf{0, 2, 0}].cfg[0x98+MSIX_CONTROL+1] |= 0x80
	if !d.MSIXEnabled() {
		t.Error("MSI-X reported disabled")
	}
	h, _ := Probe(c, 0, 0, 0)
	if h.MSIXEnabled() {
		t.Error("MSI-X reported on a function without the capability")
	}
}
