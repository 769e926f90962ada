package virtio

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/coracle-os/coracle/drivers/pci"
)

// rig is one transport over its fake device.
type rig struct {
	t   Transport
	dev *fakeDev
}

type kind struct {
	name   string
	legacy bool
	// fixedSize: the queue size cannot be negotiated (legacy PCI).
	fixedSize bool
	build     func(tb testing.TB, dev *fakeDev) Transport
}

const (
	modernBAR4 = 0x8_0000_0000 // above 4 GiB, as a 64-bit BAR may be
	legacyIO   = 0xC040
)

var kinds = []kind{
	{name: "mmio", build: func(tb testing.TB, dev *fakeDev) Transport {
		t, err := NewMMIO(newFakeMMIO(dev, uint32(Net)))
		if err != nil {
			tb.Fatal(err)
		}
		return t
	}},
	{name: "mmio-legacy", legacy: true, build: func(tb testing.TB, dev *fakeDev) Transport {
		t, err := NewMMIO(newFakeMMIO(dev, uint32(Net)))
		if err != nil {
			tb.Fatal(err)
		}
		return t
	}},
	{name: "pci", build: func(tb testing.TB, dev *fakeDev) Transport {
		for i := range dev.queues {
			dev.queues[i].notifyOff = uint16(2*i + 1) // not the queue index
		}
		caps, at := modernCaps()
		cs := &fakeCfg{fns: map[[3]uint8]*cfgFn{{1, 0, 0}: virtioFn(0x1041, 0x1100, 1, map[int]barSpec{
			1: {pci.BARMem32, 0xFE80_0000, 0x1000},
			4: {pci.BARMem64, modernBAR4, modernBARSize},
		}, caps, at)}}
		d, ok := pci.Probe(cs, 1, 0, 0)
		if !ok {
			tb.Fatal("no function")
		}
		res := newFakeResources()
		res.mem[modernBAR4] = &fakeModernBAR{dev: dev}
		t, err := NewPCI(d, res)
		if err != nil {
			tb.Fatal(err)
		}
		if _, ok := t.(*PCITransport); !ok {
			tb.Fatalf("NewPCI gave %T, want a modern transport", t)
		}
		return t
	}},
	{name: "pci-legacy", legacy: true, fixedSize: true, build: func(tb testing.TB, dev *fakeDev) Transport {
		cs := &fakeCfg{fns: map[[3]uint8]*cfgFn{{0, 3, 0}: virtioFn(0x1000, uint16(Net), 0, map[int]barSpec{
			0: {pci.BARIO, legacyIO, 0x40},
		}, nil, nil)}}
		d, ok := pci.Probe(cs, 0, 3, 0)
		if !ok {
			tb.Fatal("no function")
		}
		res := newFakeResources()
		res.ports[legacyIO] = &fakeLegacyIO{dev: dev, pfn: make([]uint32, len(dev.queues))}
		t, err := NewPCI(d, res)
		if err != nil {
			tb.Fatal(err)
		}
		if _, ok := t.(*LegacyPCITransport); !ok {
			tb.Fatalf("NewPCI gave %T, want the legacy transport", t)
		}
		return t
	}},
}

func (k kind) rig(tb testing.TB, offered uint64, queueMax ...uint16) rig {
	dev := newFakeDev(k.legacy, offered, queueMax...)
	return rig{t: k.build(tb, dev), dev: dev}
}

func checkViolations(t *testing.T, dev *fakeDev) {
	t.Helper()
	for _, v := range dev.violations {
		t.Errorf("spec violation: %s", v)
	}
}

// addrsFor places queue q of size entries: for modern devices three
// separate areas above 4 GiB at the smallest alignments §2.7 allows; for
// legacy ones the single page-aligned block of §2.7.2, computed here
// from the spec's virtq_size layout.
func addrsFor(legacy bool, q, size uint16) QueueAddrs {
	base := 0x1_0000_0000 + uint64(q)*0x1000_0000
	if !legacy {
		return QueueAddrs{Desc: base + 0x10, Driver: base + 0x0400_0002, Device: base + 0x0800_0004}
	}
	base = 0x7654_3000 + uint64(q)*0x10_0000
	n := uint64(size)
	driver := base + 16*n
	device := (driver + 2*(3+n) + 4095) &^ 4095
	return QueueAddrs{Desc: base, Driver: driver, Device: device}
}

func bits(bs ...int) uint64 {
	var f uint64
	for _, b := range bs {
		f |= 1 << b
	}
	return f
}

func TestInit(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			// A 64-bit feature set on modern devices: device-specific bits
			// 0, 5 and 16, then VERSION_1, ACCESS_PLATFORM, IN_ORDER and
			// NOTIFICATION_DATA above bit 31.
			offered := bits(0, 5, 16, VIRTIO_F_VERSION_1, VIRTIO_F_ACCESS_PLATFORM, VIRTIO_F_IN_ORDER, VIRTIO_F_NOTIFICATION_DATA)
			supported := bits(5, 16, VIRTIO_F_IN_ORDER, VIRTIO_F_NOTIFICATION_DATA, 41)
			// Accepted: what both have, plus VERSION_1, minus what the
			// transports cannot do (NOTIFICATION_DATA changes Notify).
			want := bits(5, 16, VIRTIO_F_VERSION_1, VIRTIO_F_IN_ORDER)
			wantLog := []uint8{0, 1, 3, 11, 15}
			if k.legacy {
				offered = bits(0, 5, 16, VIRTIO_F_NOTIFY_ON_EMPTY)
				supported = bits(5, 16, VIRTIO_F_NOTIFY_ON_EMPTY, VIRTIO_F_IN_ORDER)
				want = bits(5, 16, VIRTIO_F_NOTIFY_ON_EMPTY)
				wantLog = []uint8{0, 1, 3, 7} // no FEATURES_OK (§3.1.2)
			}
			r := k.rig(t, offered, 1024, 64)
			r.dev.resetDelay = 3 // reset completes on the fourth status read

			wantSizes := []uint16{256, 64}
			if k.fixedSize {
				wantSizes = []uint16{1024, 64}
			}
			var gotFeatures uint64
			addrs := map[uint16]QueueAddrs{}
			got, err := Init(r.t, supported, func(f uint64) error {
				gotFeatures = f
				for q := range uint16(2) {
					size, err := r.t.QueueSize(q, 256)
					if err != nil {
						return err
					}
					if size != wantSizes[q] {
						t.Errorf("QueueSize(%d, 256) = %d, want %d", q, size, wantSizes[q])
					}
					a := addrsFor(k.legacy, q, size)
					if err := r.t.SetupQueue(q, size, a); err != nil {
						return err
					}
					addrs[q] = a
				}
				return nil
			})
			if err != nil {
				t.Fatalf("Init: %v", err)
			}
			checkViolations(t, r.dev)
			if got != want || gotFeatures != want || r.dev.accepted != want {
				t.Errorf("features: Init returned %#x, setup saw %#x, device has %#x; want %#x", got, gotFeatures, r.dev.accepted, want)
			}
			if !reflect.DeepEqual(r.dev.statusLog, wantLog) {
				t.Errorf("status writes %v, want %v", r.dev.statusLog, wantLog)
			}
			// The device finds each queue where the driver put it: for
			// legacy devices, from the page number alone.
			for q, a := range addrs {
				fq := r.dev.queues[q]
				dev := QueueAddrs{fq.desc, fq.driver, fq.device}
				if !fq.enabled || dev != a || fq.size != wantSizes[q] {
					t.Errorf("queue %d: device sees enabled %v size %d at %#x, driver set size %d at %#x", q, fq.enabled, fq.size, dev, wantSizes[q], a)
				}
			}

			r.t.Notify(1)
			r.t.Notify(0)
			if !reflect.DeepEqual(r.dev.notified, []uint16{1, 0}) {
				t.Errorf("device saw notifications %v, want [1 0]", r.dev.notified)
			}
			// Bit 2 is undefined: ignored, and never acknowledged.
			r.dev.isr = 1<<ISR_QUEUE | 1<<ISR_CONFIG | 1<<2
			if got := r.t.AckInterrupt(); got != 3 || r.dev.isr&3 != 0 {
				t.Errorf("AckInterrupt = %#x leaving %#x, want 3 and the events cleared", got, r.dev.isr)
			}
			r.dev.isr = 0
			if got := r.t.AckInterrupt(); got != 0 {
				t.Errorf("second AckInterrupt = %#x, want 0", got)
			}
			if r.t.Type() != Net || r.t.Legacy() != k.legacy {
				t.Errorf("Type %v Legacy %v, want net %v", r.t.Type(), r.t.Legacy(), k.legacy)
			}
			checkViolations(t, r.dev)
		})
	}
}

func TestInitFeaturesRejected(t *testing.T) {
	for _, k := range kinds {
		if k.legacy {
			continue // legacy devices cannot refuse: no FEATURES_OK
		}
		t.Run(k.name, func(t *testing.T) {
			r := k.rig(t, bits(1, 2, VIRTIO_F_VERSION_1, VIRTIO_F_EVENT_IDX), 256)
			// The device cannot do feature 2 together with EVENT_IDX.
			r.dev.reject = func(f uint64) bool { return f&bits(2, VIRTIO_F_EVENT_IDX) == bits(2, VIRTIO_F_EVENT_IDX) }
			called := false
			_, err := Init(r.t, bits(1, 2, VIRTIO_F_EVENT_IDX), func(uint64) error { called = true; return nil })
			if !errors.Is(err, ErrFeaturesRejected) {
				t.Fatalf("Init error %v, want ErrFeaturesRejected", err)
			}
			if called {
				t.Error("setup ran after the device refused the features")
			}
			if r.dev.status&(1<<STATUS_FAILED) == 0 || r.dev.status&(1<<STATUS_DRIVER_OK) != 0 {
				t.Errorf("status %#x, want FAILED and not DRIVER_OK", r.dev.status)
			}
			checkViolations(t, r.dev)

			// The same device accepts a subset: a new Init resets and
			// starts over.
			if _, err := Init(r.t, bits(1, VIRTIO_F_EVENT_IDX), nil); err != nil {
				t.Errorf("Init with a subset: %v", err)
			}
			if r.dev.status != 15 {
				t.Errorf("status %#x after the second Init, want 0xf", r.dev.status)
			}
			checkViolations(t, r.dev)
		})
	}
}

func TestInitNoVersion1(t *testing.T) {
	for _, k := range kinds {
		if k.legacy {
			continue
		}
		t.Run(k.name, func(t *testing.T) {
			r := k.rig(t, bits(0, 1), 256)
			_, err := Init(r.t, bits(0, 1), func(uint64) error { t.Error("setup ran"); return nil })
			if !errors.Is(err, ErrNoVersion1) {
				t.Fatalf("Init error %v, want ErrNoVersion1", err)
			}
			if r.dev.status != 1<<STATUS_ACKNOWLEDGE|1<<STATUS_DRIVER|1<<STATUS_FAILED {
				t.Errorf("status %#x, want ACKNOWLEDGE|DRIVER|FAILED", r.dev.status)
			}
			if r.dev.featWrites != 0 {
				t.Error("features were written to a device that cannot be driven")
			}
			checkViolations(t, r.dev)
		})
	}
}

func TestInitSetupFails(t *testing.T) {
	boom := errors.New("no memory for the queue")
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			r := k.rig(t, bits(VIRTIO_F_VERSION_1), 256)
			_, err := Init(r.t, 0, func(uint64) error { return boom })
			if !errors.Is(err, boom) {
				t.Fatalf("Init error %v, want setup's", err)
			}
			if r.dev.status&(1<<STATUS_FAILED) == 0 || r.dev.status&(1<<STATUS_DRIVER_OK) != 0 {
				t.Errorf("status %#x, want FAILED without DRIVER_OK", r.dev.status)
			}
			checkViolations(t, r.dev)
		})
	}
}

func TestResetTimeout(t *testing.T) {
	defer func(d time.Duration) { resetSleep = d }(resetSleep)
	resetSleep = 0
	r := kinds[0].rig(t, bits(VIRTIO_F_VERSION_1), 256)
	r.dev.resetDelay = resetPolls + 1
	_, err := Init(r.t, 0, nil)
	if !errors.Is(err, ErrResetTimeout) {
		t.Fatalf("Init error %v, want ErrResetTimeout", err)
	}
	if r.dev.statusLog[len(r.dev.statusLog)-1]&(1<<STATUS_FAILED) == 0 {
		t.Errorf("last status write %#x, want FAILED", r.dev.statusLog[len(r.dev.statusLog)-1])
	}
}

func TestQueueErrors(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			r := k.rig(t, bits(VIRTIO_F_VERSION_1), 128, 0)
			_, err := Init(r.t, 0, func(uint64) error {
				check := func(what string, err, want error) {
					t.Helper()
					if !errors.Is(err, want) {
						t.Errorf("%s: error %v, want %v", what, err, want)
					}
				}
				_, err := r.t.QueueSize(1, 64) // QueueNumMax 0
				check("QueueSize of a missing queue", err, ErrNoQueue)
				_, err = r.t.QueueSize(7, 64) // beyond the device's queues
				check("QueueSize beyond the queues", err, ErrNoQueue)
				if !k.fixedSize {
					_, err = r.t.QueueSize(0, 100)
					check("QueueSize(100)", err, ErrQueueSize)
				}
				check("SetupQueue above the maximum", r.t.SetupQueue(0, 256, addrsFor(k.legacy, 0, 256)), ErrQueueSize)
				if k.fixedSize {
					check("SetupQueue below the fixed size", r.t.SetupQueue(0, 64, addrsFor(k.legacy, 0, 64)), ErrQueueSize)
				}
				if k.legacy {
					// Modern placement: three separate areas.
					check("SetupQueue with a modern layout", r.t.SetupQueue(0, 128, addrsFor(false, 0, 128)), ErrQueueLayout)
					a := addrsFor(true, 0, 128)
					a.Desc += 0x10
					a.Driver += 0x10
					check("SetupQueue off a page boundary", r.t.SetupQueue(0, 128, a), ErrQueueLayout)
				} else {
					a := addrsFor(false, 0, 128)
					a.Device += 2
					check("SetupQueue with a misaligned used ring", r.t.SetupQueue(0, 128, a), ErrQueueLayout)
				}
				if err := r.t.SetupQueue(0, 128, addrsFor(k.legacy, 0, 128)); err != nil {
					t.Errorf("SetupQueue: %v", err)
				}
				_, err = r.t.QueueSize(0, 64)
				check("QueueSize of a queue in use", err, ErrQueueInUse)
				check("SetupQueue of a queue in use", r.t.SetupQueue(0, 128, addrsFor(k.legacy, 0, 128)), ErrQueueInUse)
				return nil
			})
			if err != nil {
				t.Fatalf("Init: %v", err)
			}
			checkViolations(t, r.dev)
		})
	}
}

// netConfig is the start of a virtio-net configuration (§5.1.4): the
// mac (six bytes) and the 16-bit status, each read at its own width.
type netConfig struct {
	mac    [6]byte
	status uint16
}

func readNetConfig(r Registers) netConfig {
	var c netConfig
	for i := range c.mac {
		c.mac[i] = r.Read8(uint32(i))
	}
	c.status = r.Read16(6)
	return c
}

func TestReadConfig(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			r := k.rig(t, bits(VIRTIO_F_VERSION_1), 256)
			if _, err := Init(r.t, 0, nil); err != nil {
				t.Fatal(err)
			}
			copy(r.dev.config, []byte{0x52, 0x54, 0, 0x12, 0x34, 0x56, 1, 0})
			// The device changes the MAC while the driver is in the
			// middle of reading it, once.
			changed := false
			r.dev.onConfigRead = func(d *fakeDev) {
				if d.configReads == 3 && !changed {
					changed = true
					copy(d.config, []byte{0x02, 0, 0, 0, 0, 0x99})
					d.generation++
				}
			}
			got, err := ReadConfig(r.t, readNetConfig)
			want := netConfig{mac: [6]byte{0x02, 0, 0, 0, 0, 0x99}, status: 1}
			if err != nil || got != want {
				t.Errorf("ReadConfig = %x, %v; want %x (the torn first read retried)", got, err, want)
			}

			// A device whose configuration never settles.
			r.dev.onConfigRead = func(d *fakeDev) {
				d.config[0]++
				d.generation++
			}
			if _, err := ReadConfig(r.t, readNetConfig); !errors.Is(err, ErrConfigUnstable) {
				t.Errorf("ReadConfig of a changing configuration: error %v, want ErrConfigUnstable", err)
			}
			checkViolations(t, r.dev)
		})
	}
}

func TestNewMMIOChecks(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mutate  func(m *fakeMMIO)
		want    error
		touched int // registers read before giving up
	}{
		{"magic", func(m *fakeMMIO) { m.magic = 0x12345678 }, ErrNotVirtio, 1},
		{"version", func(m *fakeMMIO) { m.version = 3 }, ErrNotVirtio, 2},
		{"placeholder", func(m *fakeMMIO) { m.deviceID = 0 }, ErrNoDevice, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newFakeMMIO(newFakeDev(false, 0), uint32(Block))
			tc.mutate(m)
			_, err := NewMMIO(m)
			if !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
			// §4.2.3.1: a driver that sees DeviceID 0 must not access
			// any other register; nor go on after a bad magic or version.
			if len(m.log) != tc.touched {
				t.Errorf("accessed %v, want only the first %d identification registers", m.log, tc.touched)
			}
		})
	}
	m := newFakeMMIO(newFakeDev(true, 0), uint32(Entropy))
	tr, err := NewMMIO(m)
	if err != nil || tr.Type() != Entropy || !tr.Legacy() {
		t.Errorf("legacy entropy device: %v, %v", tr, err)
	}
}

func TestPCIType(t *testing.T) {
	for _, tc := range []struct {
		vendor, device, subsys uint16
		header                 uint8
		typ                    DeviceType
		transitional, ok       bool
	}{
		{0x1AF4, 0x1000, 1, 0, Net, true, true},
		{0x1AF4, 0x1001, 2, 0, Block, true, true},
		{0x1AF4, 0x1005, 4, 0, Entropy, true, true}, // subsystem ID, not 0x1005-0x1000
		{0x1AF4, 0x1041, 0x1100, 0, Net, false, true},
		{0x1AF4, 0x1044, 0x1100, 0, Entropy, false, true},
		{0x1AF4, 0x107F, 0x1100, 0, 0x3F, false, true},
		{0x1AF4, 0x1080, 0, 0, 0, false, false},
		{0x1AF4, 0x1000, 0, 0, 0, true, false}, // transitional without a type
		{0x8086, 0x1041, 1, 0, 0, false, false},
		{0x1AF4, 0x1041, 0, pci.HEADER_TYPE_BRIDGE, 0, false, false},
	} {
		d := &pci.Device{VendorID: tc.vendor, DeviceID: tc.device, SubsystemID: tc.subsys, HeaderType: tc.header}
		typ, tr, ok := PCIType(d)
		if ok != tc.ok || (ok && (typ != tc.typ || tr != tc.transitional)) {
			t.Errorf("PCIType(%04x:%04x subsys %#x) = %v %v %v, want %v %v %v", tc.vendor, tc.device, tc.subsys, typ, tr, ok, tc.typ, tc.transitional, tc.ok)
		}
	}
}

func TestLegacyPCIConfigWithMSIX(t *testing.T) {
	// With MSI-X enabled the legacy header grows two vector fields and
	// the device configuration moves to 0x18 (§4.1.4.10).
	dev := newFakeDev(true, 0, 64)
	msix := []byte{pci.CAP_ID_MSIX, 0, 0x01, 0x80, 1, 0, 0, 0, 1, 8, 0, 0}
	cs := &fakeCfg{fns: map[[3]uint8]*cfgFn{{0, 3, 0}: virtioFn(0x1000, uint16(Net), 0, map[int]barSpec{
		0: {pci.BARIO, legacyIO, 0x40},
		1: {pci.BARMem32, 0xFEBD_1000, 0x1000},
	}, [][]byte{msix}, []uint8{0x98})}}
	d, _ := pci.Probe(cs, 0, 3, 0)
	res := newFakeResources()
	res.ports[legacyIO] = &fakeLegacyIO{dev: dev, pfn: make([]uint32, 1), msix: true}
	tr, err := NewLegacyPCI(d, res)
	if err != nil {
		t.Fatal(err)
	}
	copy(dev.config, []byte{1, 2, 3, 4, 5, 6, 0, 0})
	if got := readNetConfig(tr.Config()).mac; got != [6]byte{1, 2, 3, 4, 5, 6} {
		t.Errorf("MAC %x read from the wrong offset", got)
	}
	checkViolations(t, dev)
}
