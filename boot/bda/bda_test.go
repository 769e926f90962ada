package bda

import (
	"encoding/binary"
	"testing"
)

type testMem struct{ b []byte }

func (m *testMem) Bytes(pa, n uint64) []byte {
	if pa == 0 || pa > uint64(len(m.b)) || n > uint64(len(m.b))-pa {
		return nil
	}
	return m.b[pa : pa+n]
}

func TestEBDA(t *testing.T) {
	for _, c := range []struct {
		seg  uint16
		want uint64
		ok   bool
	}{
		{0x9FC0, 0x9FC00, true},
		{0x8000, 0x80000, true},
		{0, 0, false},
		{0x7FFF, 0, false}, // below 512 KiB
		{0xA000, 0, false}, // the VGA hole
		{0xF000, 0, false}, // the ROM
	} {
		m := &testMem{b: make([]byte, 4096)}
		binary.LittleEndian.PutUint16(m.b[EBDASegmentAddr:], c.seg)
		if pa, ok := EBDA(m); pa != c.want || ok != c.ok {
			t.Errorf("segment %#x: EBDA = %#x, %v; want %#x, %v", c.seg, pa, ok, c.want, c.ok)
		}
	}
	if _, ok := EBDA(&testMem{b: make([]byte, 0x40F)}); ok {
		t.Error("EBDA found in memory that ends inside the pointer")
	}
}

func TestBaseMemoryEnd(t *testing.T) {
	for _, c := range []struct {
		kib  uint16
		want uint64
	}{
		{639, 639 << 10},
		{640, 640 << 10},
		{512, 512 << 10},
		{0, DefaultBaseMemoryEnd},
		{511, DefaultBaseMemoryEnd},
		{641, DefaultBaseMemoryEnd},
	} {
		m := &testMem{b: make([]byte, 4096)}
		binary.LittleEndian.PutUint16(m.b[BaseMemoryKiBAddr:], c.kib)
		if got := BaseMemoryEnd(m); got != c.want {
			t.Errorf("%d KiB: BaseMemoryEnd = %#x, want %#x", c.kib, got, c.want)
		}
	}
}
