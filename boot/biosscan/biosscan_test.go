package biosscan

import (
	"slices"
	"testing"
)

// lowMem is guest memory from physical address 0.
type lowMem []byte

func (m lowMem) Bytes(pa, n uint64) []byte {
	if pa > uint64(len(m)) || n > uint64(len(m))-pa {
		return nil
	}
	return m[pa : pa+n]
}

func TestChecksum(t *testing.T) {
	for _, c := range []struct {
		b    []byte
		want byte
	}{
		{nil, 0},
		{[]byte{1, 2, 3}, 6},
		{[]byte{0xff, 0x01}, 0},
		{[]byte{0x80, 0x80, 0x05}, 5},
	} {
		if got := Checksum(c.b); got != c.want {
			t.Errorf("Checksum(% x) = %d, want %d", c.b, got, c.want)
		}
	}
}

func TestError(t *testing.T) {
	var err error = Error("refused")
	if err.Error() != "refused" {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestScan(t *testing.T) {
	mem := make(lowMem, 0x1000)
	copy(mem[0x105:], "SIG!") // off the 16-byte grid: never a candidate
	copy(mem[0x120:], "SIG!") // valid refuses it
	copy(mem[0x140:], "SIG!") // the one
	copy(mem[0x160:], "SIG!")
	var asked []uint64
	refuse := uint64(0x120)
	valid := func(pa uint64) bool {
		asked = append(asked, pa)
		return pa != refuse
	}
	if pa, ok := Scan(mem, 0x100, 0x100, "SIG!", 16, valid); !ok || pa != 0x140 {
		t.Errorf("Scan = %#x, %v; want 0x140", pa, ok)
	}
	if want := []uint64{0x120, 0x140}; !slices.Equal(asked, want) {
		t.Errorf("valid asked about %#x, want %#x", asked, want)
	}

	// The area's last paragraph is a candidate when size fits in it.
	copy(mem[0x1f0:], "SIG!")
	asked, refuse = nil, 0
	if pa, ok := Scan(mem, 0x1a0, 0x60, "SIG!", 16, valid); !ok || pa != 0x1f0 {
		t.Errorf("Scan near the end = %#x, %v; want 0x1f0", pa, ok)
	}
	if pa, ok := Scan(mem, 0x1a0, 0x60, "SIG!", 17, valid); ok {
		t.Errorf("Scan found %#x, whose 17 bytes leave the area", pa)
	}

	// A size below the signature's length is the signature's.
	copy(mem[0x300:], "LONGSIGNATURE")
	if pa, ok := Scan(mem, 0x300, 0x10, "LONGSIGNATURE", 1, valid); !ok || pa != 0x300 {
		t.Errorf("short size: %#x, %v", pa, ok)
	}
	if _, ok := Scan(mem, 0x300, 0x8, "LONGSIGNATURE", 1, valid); ok {
		t.Error("a signature longer than the area was found")
	}

	// Nothing that valid accepts; an unreadable area.
	refuse = 0x140
	asked = nil
	if _, ok := Scan(mem, 0x130, 0x20, "SIG!", 16, valid); ok {
		t.Error("found a refused structure")
	}
	if _, ok := Scan(mem, 0xf00, 0x200, "SIG!", 16, valid); ok {
		t.Error("scanned an area past the end of memory")
	}
}
