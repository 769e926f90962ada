package virtio

import (
	"errors"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/coracle-os/coracle/drivers/pci"
)

func TestFindPCI(t *testing.T) {
	caps, at := modernCaps()
	// As SeaBIOS leaves q35: a transitional virtio-net with modern
	// capabilities (BAR4) and its legacy I/O BAR0, a transitional
	// virtio-blk without capabilities (disable-modern=on), a modern-only
	// virtio-net that lost its capabilities (a broken device), and a
	// device of another vendor.
	transitional := virtioFn(0x1000, uint16(Net), 0, map[int]barSpec{
		0: {pci.BARIO, 0xC000, 0x20},
		1: {pci.BARMem32, 0xFEBD_1000, 0x1000},
		4: {pci.BARMem64, 0xFE00_0000, modernBARSize},
	}, caps, at)
	legacyBlk := virtioFn(0x1001, uint16(Block), 0, map[int]barSpec{0: {pci.BARIO, legacyIO, 0x40}}, nil, nil)
	legacyBlk.b[pci.INTERRUPT_LINE] = 0xFF // firmware routed no line
	broken := virtioFn(0x1041, 0x1100, 1, map[int]barSpec{4: {pci.BARMem64, modernBAR4, modernBARSize}}, nil, nil)
	broken.b[pci.INTERRUPT_PIN] = 0 // no INTx pin
	other := virtioFn(0x1041, 0x1100, 1, nil, nil, nil)
	other.b[pci.VENDOR_ID] = 0x86
	cs := &fakeCfg{fns: map[[3]uint8]*cfgFn{
		{0, 2, 0}: transitional,
		{0, 3, 0}: legacyBlk,
		{0, 4, 0}: broken,
		{0, 5, 0}: other,
	}}
	pdevs, err := pci.Enumerate(cs)
	if err != nil || len(pdevs) != 4 {
		t.Fatalf("Enumerate = %v, %v", pdevs, err)
	}

	netDev := newFakeDev(false, bits(VIRTIO_F_VERSION_1), 256)
	blkDev := newFakeDev(true, 0, 128)
	res := newFakeResources()
	res.mem[0xFE00_0000] = &fakeModernBAR{dev: netDev}
	res.ports[legacyIO] = &fakeLegacyIO{dev: blkDev, pfn: make([]uint32, 1)}

	devs, err := FindPCI(pdevs, res)
	if err == nil || !strings.Contains(err.Error(), "00:04.0") {
		t.Errorf("err = %v, want the modern device without capabilities reported", err)
	}
	if len(devs) != 2 {
		t.Fatalf("found %v, want the net and block devices", devs)
	}
	net, blk := devs[0], devs[1]
	// A transitional device with capabilities is driven through them
	// (§4.1.5.1.1.1); one without through its I/O BAR0.
	if _, ok := net.Transport.(*PCITransport); !ok || net.Type != Net || net.PCI != pdevs[0] || net.IRQ != 11 {
		t.Errorf("net: %v %T irq %d", net, net.Transport, net.IRQ)
	}
	if _, ok := blk.Transport.(*LegacyPCITransport); !ok || blk.Type != Block || blk.IRQ != -1 {
		t.Errorf("block: %v %T irq %d", blk, blk.Transport, blk.IRQ)
	}
	// Each BAR a transport uses is mapped once, and the Command register
	// decodes just what is used, plus bus mastering for DMA.
	if want := []string{"mem 0xfe000000+0x4000", "io 0xc040+0x40"}; !reflect.DeepEqual(res.mapped, want) {
		t.Errorf("mapped %v, want %v", res.mapped, want)
	}
	if cmd := pdevs[0].Command(); cmd != 1<<pci.COMMAND_MEMORY|1<<pci.COMMAND_BUS_MASTER {
		t.Errorf("net Command %#x, want memory and bus master", cmd)
	}
	if cmd := pdevs[1].Command(); cmd != 1<<pci.COMMAND_IO|1<<pci.COMMAND_BUS_MASTER {
		t.Errorf("block Command %#x, want I/O and bus master", cmd)
	}
	// Both work.
	for _, d := range devs {
		if _, err := Init(d.Transport, 0, nil); err != nil {
			t.Errorf("%v: Init: %v", d, err)
		}
	}
	checkViolations(t, netDev)
	checkViolations(t, blkDev)
}

func TestModernPCICapabilityChoice(t *testing.T) {
	// §4.1.4.1: the first capability of each type the driver can use.
	// Here the first common structure points at an unassigned BAR2 and
	// the first notify structure is too short to hold a multiplier; the
	// next ones work. A capability with a reserved BAR is ignored.
	caps := [][]byte{
		vcap(VIRTIO_PCI_CAP_COMMON_CFG, 2, 0, 0x1000),
		vcap(VIRTIO_PCI_CAP_COMMON_CFG, 7, 0, 0x1000), // reserved bar
		vcap(VIRTIO_PCI_CAP_NOTIFY_CFG, 4, 0x3800, 0x800),
		vcap(VIRTIO_PCI_CAP_COMMON_CFG, 4, modernCommon, 0x1000),
		vcap(VIRTIO_PCI_CAP_NOTIFY_CFG, 4, modernNotify, 0x1000, modernMult),
		vcap(VIRTIO_PCI_CAP_ISR_CFG, 4, modernISR, 0x1000),
		vcap(VIRTIO_PCI_CAP_DEVICE_CFG, 4, modernDevice, 0x1000),
	}
	at := []uint8{0x40, 0x50, 0x60, 0x70, 0x80, 0x94, 0xA4}
	fn := virtioFn(0x1041, 0x1100, 1, map[int]barSpec{
		2: {pci.BARMem32, 0, 0x1000}, // firmware left it unassigned
		4: {pci.BARMem64, modernBAR4, modernBARSize},
	}, caps, at)
	cs := &fakeCfg{fns: map[[3]uint8]*cfgFn{{0, 2, 0}: fn}}
	d, _ := pci.Probe(cs, 0, 2, 0)
	dev := newFakeDev(false, bits(VIRTIO_F_VERSION_1), 64, 64)
	dev.queues[1].notifyOff = 3
	res := newFakeResources()
	res.mem[modernBAR4] = &fakeModernBAR{dev: dev}
	decoy := newFakeDev(false, 0)
	res.mem[0] = &fakeModernBAR{dev: decoy} // what lies at physical 0 is not the device
	tr, err := NewModernPCI(d, res)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"mem 0x800000000+0x4000"}; !reflect.DeepEqual(res.mapped, want) {
		t.Errorf("mapped %v, want only BAR4 %v", res.mapped, want)
	}
	if _, err := Init(tr, 0, func(uint64) error {
		return tr.SetupQueue(1, 64, addrsFor(false, 1, 64))
	}); err != nil {
		t.Fatal(err)
	}
	tr.Notify(1)
	if !reflect.DeepEqual(dev.notified, []uint16{1}) {
		t.Errorf("notified %v, want [1] at the second notify structure", dev.notified)
	}
	if n := tr.NumQueues(); n != 2 {
		t.Errorf("NumQueues = %d, want 2", n)
	}
	checkViolations(t, dev)

	// Without any usable common structure the device cannot be driven.
	fn.b[0x70+CAP_BAR] = 2
	d, _ = pci.Probe(cs, 0, 2, 0)
	if _, err := NewModernPCI(d, res); err == nil {
		t.Error("NewModernPCI succeeded without a usable common structure")
	}
}

func TestFindMMIO(t *testing.T) {
	netDev := newFakeDev(false, bits(VIRTIO_F_VERSION_1), 256, 256)
	blkDev := newFakeDev(true, 0, 128)
	bad := newFakeMMIO(newFakeDev(false, 0), 1)
	bad.magic = 0
	res := newFakeResources()
	res.mem[0xFEB00000] = newFakeMMIO(netDev, uint32(Net))
	res.mem[0xFEB00200] = newFakeMMIO(newFakeDev(false, 0), 0) // placeholder
	res.mem[0xD0000000] = newFakeMMIO(blkDev, uint32(Block))
	res.mem[0xFEB00600] = bad

	words, err := ParseCmdline("console=ttyS0 virtio_mmio.device=512@0xfeb00000:5 " +
		"virtio_mmio.device=512@0xfeb00200:6 virtio_mmio.device=4K@0xd0000000:7:3 " +
		"virtio_mmio.device=512@0xfeb00400:8 virtio_mmio.device=512@0xfeb00600:9 " +
		"virtio_mmio.device=16@0xfeb00800:10")
	if err != nil {
		t.Fatal(err)
	}
	devs, err := FindMMIO(words, res)
	for _, want := range []string{"0xfeb00400", "0xfeb00600", "0xfeb00800"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %s reported", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "0xfeb00200") {
		t.Errorf("placeholder reported: %v", err)
	}
	if len(devs) != 2 {
		t.Fatalf("found %v, want net and block", devs)
	}
	if d := devs[0]; d.Type != Net || d.IRQ != 5 || d.MMIO.Base != 0xFEB00000 || d.Transport.Legacy() {
		t.Errorf("first device %v irq %d legacy %v", d, d.IRQ, d.Transport.Legacy())
	}
	if d := devs[1]; d.Type != Block || d.IRQ != 7 || d.MMIO.ID != 3 || !d.Transport.Legacy() {
		t.Errorf("second device %v irq %d id %d", d, d.IRQ, d.MMIO.ID)
	}
	for _, d := range devs {
		if _, err := Init(d.Transport, 0, nil); err != nil {
			t.Errorf("%v: Init: %v", d, err)
		}
	}
	checkViolations(t, netDev)
	checkViolations(t, blkDev)
}

func TestParseCmdline(t *testing.T) {
	for _, tc := range []struct {
		cmdline string
		want    []MMIODevice
		errs    int
	}{
		{"", nil, 0},
		{"console=ttyS0 coracle.arg=x", nil, 0},
		// QEMU microvm.
		{"virtio_mmio.device=512@0xfeb00e00:12", []MMIODevice{{0xFEB00E00, 512, 12, -1}}, 0},
		// Firecracker.
		{"reboot=k virtio_mmio.device=4K@0xd0000000:5 virtio_mmio.device=4K@0xd0001000:6",
			[]MMIODevice{{0xD0000000, 4096, 5, -1}, {0xD0001000, 4096, 6, -1}}, 0},
		// Suffixes, either case, an explicit id, decimal and octal bases.
		{"virtio_mmio.device=1M@4026531840:33:2", []MMIODevice{{0xF0000000, 1 << 20, 33, 2}}, 0},
		{"virtio_mmio.device=0x200@0XFEB00000:7", []MMIODevice{{0xFEB00000, 0x200, 7, -1}}, 0},
		{"virtio_mmio.device=1k@010000:3", []MMIODevice{{0x1000, 1024, 3, -1}}, 0},
		{"virtio_mmio.device=2g@0x100000000:3", []MMIODevice{{0x1_0000_0000, 2 << 30, 3, -1}}, 0},
		// memparse reads the number first: 0x1E is 30, not 1 EiB.
		{"virtio_mmio.device=0x1E@0x1000:3", []MMIODevice{{0x1000, 30, 3, -1}}, 0},
		// Malformed words are reported; the good ones still count.
		{"virtio_mmio.device=512@0xfeb00000:5 virtio_mmio.device=512@0xfeb00200 virtio_mmio.device=512@0xfeb00400:9",
			[]MMIODevice{{0xFEB00000, 512, 5, -1}, {0xFEB00400, 512, 9, -1}}, 1},
		{"virtio_mmio.device=512@0xfeb00000:0", nil, 1},        // irq 0 is invalid
		{"virtio_mmio.device=0@0xfeb00000:5", nil, 1},          // empty region
		{"virtio_mmio.device=512K@0x1000:5x", nil, 1},          // trailing garbage
		{"virtio_mmio.device=512KB@0x1000:5", nil, 1},          // one suffix letter only
		{"virtio_mmio.device=512@0x:5", nil, 1},                // no digits
		{"virtio_mmio.device=512@0x1000:0x5", nil, 1},          // irq is decimal
		{"virtio_mmio.device=512@0x1000:5:1:2", nil, 1},        // too many fields
		{"virtio_mmio.device=0x1000", nil, 1},                  // no @
		{"virtio_mmio.device", nil, 1},                         // no value
		{"virtio_mmio.device=16E@0x1000:5", nil, 1},            // size overflows
		{"virtio_mmio.device=4K@0xFFFFFFFFFFFFF000:5", nil, 1}, // base+size overflows
		{"virtio_mmio.device=1@0x10000000000000000:5", nil, 1}, // base overflows
		{"virtio_mmio.device=1@0x1000:4294967296", nil, 1},     // irq overflows 32 bits
		{"virtio_mmio.devices=512@0x1000:5", nil, 0},           // another key
	} {
		got, err := ParseCmdline(tc.cmdline)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseCmdline(%q) = %+v, want %+v", tc.cmdline, got, tc.want)
		}
		n := 0
		if err != nil {
			n = len(err.(interface{ Unwrap() []error }).Unwrap())
		}
		if n != tc.errs {
			t.Errorf("ParseCmdline(%q): %d errors (%v), want %d", tc.cmdline, n, err, tc.errs)
		}
	}
}

func TestMMIORegistersOnMemory(t *testing.T) {
	// The real accessors, on ordinary memory: each width reads and
	// writes exactly its bytes, little-endian.
	buf := make([]byte, 32)
	m := MMIO(uintptr(unsafe.Pointer(&buf[0])))
	m.Write32(0, 0x11223344)
	m.Write16(6, 0xBEEF)
	m.Write8(9, 0x5A)
	want := []byte{0x44, 0x33, 0x22, 0x11, 0, 0, 0xEF, 0xBE, 0, 0x5A}
	if !reflect.DeepEqual(buf[:10], want) {
		t.Errorf("memory % x, want % x", buf[:10], want)
	}
	if m.Read8(2) != 0x22 || m.Read16(6) != 0xBEEF || m.Read32(0) != 0x11223344 || m.Read16(8) != 0x5A00 {
		t.Errorf("reads: %#x %#x %#x %#x", m.Read8(2), m.Read16(6), m.Read32(0), m.Read16(8))
	}
	s := Sub(Sub(m, 4), 2)
	if got := s.Read16(0); got != 0xBEEF {
		t.Errorf("Sub(Sub(m, 4), 2).Read16(0) = %#x, want 0xbeef", got)
	}
	if _, ok := s.(MMIO); !ok {
		t.Errorf("Sub of MMIO is %T, want MMIO", s)
	}
	w := Sub(Sub(&fakeLegacyIO{dev: newFakeDev(true, 0)}, 0x10), 4)
	if got, ok := w.(window); !ok || got.off != 0x14 {
		t.Errorf("Sub of Sub = %#v, want one window at 0x14", w)
	}
	runtime.KeepAlive(buf)
}

func TestErrorsWrap(t *testing.T) {
	// Init's errors name the device type and keep the cause.
	r := kinds[0].rig(t, bits(1), 16)
	_, err := Init(r.t, 0, nil)
	if !errors.Is(err, ErrNoVersion1) || !strings.Contains(err.Error(), "virtio net") {
		t.Errorf("error %q", err)
	}
}
