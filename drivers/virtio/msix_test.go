package virtio

import (
	"errors"
	"strings"
	"testing"

	"github.com/coracle-os/coracle/drivers/pci"
)

// msixRig is a modern virtio-pci function with QEMU's MSI-X layout: a
// two-entry table at the start of BAR1.
func msixRig(t *testing.T, entries int) (*PCITransport, *fakeDev, *pci.Device, memRegs) {
	t.Helper()
	dev := newFakeDev(false, bits(VIRTIO_F_VERSION_1), 256, 256)
	dev.msixEntries = entries
	caps, at := modernCaps()
	msix := []byte{pci.CAP_ID_MSIX, 0, 0x01, 0x00, 0x01, 0, 0, 0, 0x01, 0x08, 0, 0} // 2 entries; table BAR1+0, PBA BAR1+0x800
	caps, at = append(caps, msix), append(at, 0x98)
	cs := &fakeCfg{fns: map[[3]uint8]*cfgFn{{0, 2, 0}: virtioFn(0x1041, 0x1100, 1, map[int]barSpec{
		1: {pci.BARMem32, 0xFE80_0000, 0x1000},
		4: {pci.BARMem64, modernBAR4, modernBARSize},
	}, caps, at)}}
	d, ok := pci.Probe(cs, 0, 2, 0)
	if !ok {
		t.Fatal("no function")
	}
	res := newFakeResources()
	res.mem[modernBAR4] = &fakeModernBAR{dev: dev}
	table := make(memRegs, 0x1000)
	res.mem[0xFE80_0000] = table
	tr, err := NewModernPCI(d, res)
	if err != nil {
		t.Fatal(err)
	}
	return tr, dev, d, table
}

func initQueues(tr *PCITransport) error {
	_, err := Init(tr, 0, func(uint64) error {
		for q := range uint16(2) {
			if err := tr.SetupQueue(q, 256, addrsFor(false, q, 256)); err != nil {
				return err
			}
		}
		return nil
	})
	return err
}

func TestUseMSIX(t *testing.T) {
	tr, dev, d, table := msixRig(t, 2)
	if !tr.HasMSIX() || d.MSIXEnabled() {
		t.Fatalf("HasMSIX %v, enabled %v before UseMSIX; want true, false", tr.HasMSIX(), d.MSIXEnabled())
	}
	if err := tr.UseMSIX(0xFEE0_1000, 0x51); err != nil {
		t.Fatal(err)
	}
	if err := initQueues(tr); err != nil {
		t.Fatal(err)
	}
	checkViolations(t, dev)
	if got := [4]uint32{table.Read32(0), table.Read32(4), table.Read32(8), table.Read32(12)}; got != [4]uint32{0xFEE0_1000, 0, 0x51, 0} {
		t.Errorf("table entry 0 = %#x, want address, 0, data, unmasked", got)
	}
	if !d.MSIXEnabled() {
		t.Error("MSI-X Enable is not set")
	}
	if ctl := uint16(d.Read32(0x98) >> 16); ctl&(1<<pci.MSIX_FUNC_MASK) != 0 {
		t.Errorf("Function Mask still set: control %#x", ctl)
	}
	for q, fq := range dev.queues {
		if fq.msixVector != 0 {
			t.Errorf("queue %d: vector %#x, want 0", q, fq.msixVector)
		}
	}
	if dev.configVector != VIRTIO_MSI_NO_VECTOR {
		t.Errorf("configuration vector %#x, want none", dev.configVector)
	}
}

func TestUseMSIXRefused(t *testing.T) {
	tr, _, _, _ := msixRig(t, 0) // the device takes no vector
	if err := tr.UseMSIX(0xFEE0_0000, 0x50); err != nil {
		t.Fatal(err)
	}
	err := initQueues(tr)
	if err == nil || !strings.Contains(err.Error(), "refused MSI-X vector") {
		t.Errorf("Init with a refused vector: %v", err)
	}
}

func TestWithoutMSIXQueuesHaveNoVector(t *testing.T) {
	tr, dev, _, _ := msixRig(t, 2)
	if err := initQueues(tr); err != nil && !errors.Is(err, ErrQueueSize) {
		t.Fatal(err)
	}
	for q, fq := range dev.queues {
		if fq.msixVector != VIRTIO_MSI_NO_VECTOR {
			t.Errorf("queue %d: vector %#x without UseMSIX, want none (INTx)", q, fq.msixVector)
		}
	}
}
