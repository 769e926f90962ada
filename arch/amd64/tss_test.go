package amd64

import (
	"encoding/binary"
	"fmt"
	"testing"
	"unsafe"
)

// tssBytes is t as the CPU reads it.
func tssBytes(t *TSS) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(t)), unsafe.Sizeof(*t))
}

// checkOnly fails unless b is zero everywhere except [off, off+len(want)),
// which holds want.
func checkOnly(t *testing.T, b []byte, off int, want []byte) {
	t.Helper()
	for i, c := range b {
		w := byte(0)
		if i >= off && i < off+len(want) {
			w = want[i-off]
		}
		if c != w {
			t.Errorf("TSS byte %#02x = %#02x, want %#02x", i, c, w)
		}
	}
}

func TestTSSSize(t *testing.T) {
	if size := unsafe.Sizeof(TSS{}); size != 104 {
		t.Errorf("sizeof(TSS) = %d, want 104 (SDM Vol. 3A Figure 7-11)", size)
	}
	if tssSize != 104 {
		t.Errorf("tssSize = %d, want 104", tssSize)
	}
}

func le64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

func TestTSSSetRSP0(t *testing.T) {
	var tss TSS
	tss.SetRSP0(0x1122334455667788)
	checkOnly(t, tssBytes(&tss), 0x04, le64(0x1122334455667788))
}

func TestTSSSetIST(t *testing.T) {
	for n := 1; n <= 7; n++ {
		t.Run(fmt.Sprintf("IST%d", n), func(t *testing.T) {
			var tss TSS
			v := uintptr(0xffff800000000000 | uint64(n)<<12 | 0xff0)
			tss.SetIST(n, v)
			checkOnly(t, tssBytes(&tss), 0x24+8*(n-1), le64(uint64(v)))
		})
	}
}

func TestTSSNoIOMap(t *testing.T) {
	var tss TSS
	tss.NoIOMap()
	// I/O map base address: bytes 0x66-0x67, set to the TSS size.
	checkOnly(t, tssBytes(&tss), 0x66, []byte{104, 0})
}

func TestTSSAllFields(t *testing.T) {
	var tss TSS
	tss.NoIOMap()
	tss.SetRSP0(0xAAAAAAAAAAAAAAA0)
	for n := 1; n <= 7; n++ {
		tss.SetIST(n, uintptr(n)*0x0101010101010101)
	}
	b := tssBytes(&tss)
	le := binary.LittleEndian
	if got := le.Uint64(b[0x04:]); got != 0xAAAAAAAAAAAAAAA0 {
		t.Errorf("RSP0 = %#x, want %#x", got, uint64(0xAAAAAAAAAAAAAAA0))
	}
	for n := 1; n <= 7; n++ {
		if got, want := le.Uint64(b[0x24+8*(n-1):]), uint64(n)*0x0101010101010101; got != want {
			t.Errorf("IST%d = %#x, want %#x", n, got, want)
		}
	}
	if got := le.Uint16(b[0x66:]); got != 104 {
		t.Errorf("I/O map base = %d, want 104", got)
	}
	// Reserved and unused fields stay zero: 0x00-0x03, RSP1/RSP2
	// (0x0C-0x1B), 0x1C-0x23, 0x5C-0x65.
	for _, r := range [][2]int{{0x00, 0x04}, {0x0C, 0x24}, {0x5C, 0x66}} {
		for i := r[0]; i < r[1]; i++ {
			if b[i] != 0 {
				t.Errorf("reserved TSS byte %#02x = %#02x, want 0", i, b[i])
			}
		}
	}
	// Overwriting an IST leaves its neighbours alone.
	tss.SetIST(4, 0)
	if got := le.Uint64(b[0x24+8*2:]); got != 3*0x0101010101010101 {
		t.Errorf("IST3 changed to %#x by SetIST(4)", got)
	}
	if got := le.Uint64(b[0x24+8*4:]); got != 5*0x0101010101010101 {
		t.Errorf("IST5 changed to %#x by SetIST(4)", got)
	}
}
