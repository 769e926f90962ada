package amd64

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// gateBytes is g as the CPU reads it from the IDT.
func gateBytes(g *Gate) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(g)), unsafe.Sizeof(*g))
}

func TestGateSize(t *testing.T) {
	if size := unsafe.Sizeof(Gate{}); size != 16 {
		t.Errorf("sizeof(Gate) = %d, want 16", size)
	}
	if size := unsafe.Sizeof(idt); size != 256*16 {
		t.Errorf("sizeof(idt) = %d, want %d", size, 256*16)
	}
}

func TestInterruptGate(t *testing.T) {
	tests := []struct {
		handler   uintptr
		ist, dpl  int
		wantAttrs byte
	}{
		{0x0000000000401000, 0, 0, 0x8E},
		{0xffffffff80123456, 1, 0, 0x8E},
		{0x123456789abcdef0, 7, 3, 0xEE},
		{0, 0, 3, 0xEE},
		{^uintptr(0), 2, 0, 0x8E},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%#x ist %d dpl %d", tt.handler, tt.ist, tt.dpl), func(t *testing.T) {
			g := InterruptGate(tt.handler, tt.ist, tt.dpl)
			if got := g.Handler(); got != tt.handler {
				t.Errorf("Handler() = %#x, want %#x", got, tt.handler)
			}
			// SDM Vol. 3A Figure 6-8, byte by byte.
			b := gateBytes(&g)
			le := binary.LittleEndian
			h := uint64(tt.handler)
			checks := []struct {
				name      string
				got, want uint64
			}{
				{"offset 15:0 (bytes 0-1)", uint64(le.Uint16(b[0:])), h & 0xFFFF},
				{"segment selector (bytes 2-3)", uint64(le.Uint16(b[2:])), KernelCS},
				{"IST (byte 4, bits 2:0)", uint64(b[4] & 7), uint64(tt.ist)},
				{"reserved (byte 4, bits 7:3)", uint64(b[4] >> 3), 0},
				{"type/DPL/P (byte 5)", uint64(b[5]), uint64(tt.wantAttrs)},
				{"type: 64-bit interrupt gate", uint64(b[5] & 0xF), 0xE},
				{"bit 12 zero", uint64(b[5] >> 4 & 1), 0},
				{"DPL", uint64(b[5] >> 5 & 3), uint64(tt.dpl)},
				{"P", uint64(b[5] >> 7), 1},
				{"offset 31:16 (bytes 6-7)", uint64(le.Uint16(b[6:])), h >> 16 & 0xFFFF},
				{"offset 63:32 (bytes 8-11)", uint64(le.Uint32(b[8:])), h >> 32},
				{"reserved (bytes 12-15)", uint64(le.Uint32(b[12:])), 0},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %#x, want %#x", c.name, c.got, c.want)
				}
			}
		})
	}
}

func TestGateHandlerRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		h := uintptr(r.Uint64())
		if got := InterruptGate(h, 0, 0).Handler(); got != h {
			t.Fatalf("InterruptGate(%#x).Handler() = %#x", h, got)
		}
	}
	for bit := range 64 {
		h := uintptr(1) << bit
		if got := InterruptGate(h, 0, 0).Handler(); got != h {
			t.Errorf("InterruptGate(1<<%d).Handler() = %#x", bit, got)
		}
	}
}

func TestInterruptGateIST(t *testing.T) {
	for ist := range 8 {
		g := InterruptGate(0x1000, ist, 0)
		if got := int(gateBytes(&g)[4]); got != ist {
			t.Errorf("IST byte for ist %d = %#x, want %#x", ist, got, ist)
		}
	}
}
