package fwcfg

import (
	"encoding/binary"
	"testing"
)

// fake is a fw_cfg device: items by key, read from the start after each
// selection, and 0 past an item's end (as QEMU reads).
type fake struct {
	items    map[uint16][]byte
	sel      uint16
	off      int
	selected int
}

func (f *fake) Outw(port, v uint16) {
	if port != FW_CFG_PORT_SEL {
		panic("write to a port other than the selector")
	}
	f.sel, f.off = v, 0
	f.selected++
}

func (f *fake) Inb(port uint16) uint8 {
	if port != FW_CFG_PORT_DATA {
		panic("read from a port other than data")
	}
	item := f.items[f.sel]
	if f.off >= len(item) {
		return 0
	}
	f.off++
	return item[f.off-1]
}

func qemu(cpus uint16) *fake {
	n := make([]byte, 2)
	binary.LittleEndian.PutUint16(n, cpus)
	return &fake{items: map[uint16][]byte{
		FW_CFG_SIGNATURE: []byte("QEMU"),
		FW_CFG_ID:        {FW_CFG_VERSION, 0, 0, 0},
		FW_CFG_NB_CPUS:   n,
		FW_CFG_MAX_CPUS:  {0xff, 0},
	}}
}

// absent reads as an unassigned port: all ones.
type absent struct{}

func (absent) Outw(port, v uint16)   {}
func (absent) Inb(port uint16) uint8 { return 0xff }

func TestCPUs(t *testing.T) {
	for _, want := range []int{1, 4, 255, 288} {
		if n, ok := CPUs(qemu(uint16(want))); n != want || !ok {
			t.Errorf("CPUs = %d, %v; want %d, true", n, ok, want)
		}
	}
	if n, ok := CPUs(qemu(0)); ok {
		t.Errorf("a count of 0 was accepted: %d", n)
	}
	if n, ok := CPUs(absent{}); ok {
		t.Errorf("no device, yet CPUs = %d", n)
	}
	other := qemu(4)
	other.items[FW_CFG_SIGNATURE] = []byte("QEMV")
	if _, ok := CPUs(other); ok {
		t.Error("a wrong signature was accepted")
	}
}

func TestReadSelectsEachTime(t *testing.T) {
	f := qemu(2)
	var b [4]byte
	Read(f, FW_CFG_SIGNATURE, b[:2])
	Read(f, FW_CFG_SIGNATURE, b[:])
	if string(b[:]) != "QEMU" || f.selected != 2 {
		t.Errorf("read %q after %d selections; want \"QEMU\" after 2", b[:], f.selected)
	}
}
