package virtq

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"testing"
	"unsafe"
)

// validSizes are every queue size the spec allows.
func validSizes() []uint16 {
	var s []uint16
	for n := 1; n <= MaxSize; n *= 2 {
		s = append(s, uint16(n))
	}
	return s
}

// TestLayoutModern checks the modern layout against §2.7's table: each
// part's size and minimum alignment, packed in order.
func TestLayoutModern(t *testing.T) {
	for _, size := range validSizes() {
		n := uint64(size)
		descOff, availOff, usedOff, total := Layout(size, false)
		availLen := 6 + 2*n // §2.7: Available Ring 6 + 2 * Queue Size
		usedLen := 6 + 8*n  // §2.7: Used Ring 6 + 8 * Queue Size
		if descOff != 0 || availOff != 16*n {
			t.Errorf("size %d: desc at %d, avail at %d; want 0, %d", size, descOff, availOff, 16*n)
		}
		if want := (availOff + availLen + 3) &^ 3; usedOff != want {
			t.Errorf("size %d: used at %d, want %d", size, usedOff, want)
		}
		if want := (usedOff + usedLen + 3) &^ 3; total != want {
			t.Errorf("size %d: total %d, want %d", size, total, want)
		}
		if descOff%DescAlign != 0 || availOff%AvailAlign != 0 || usedOff%UsedAlign != 0 || total%4 != 0 {
			t.Errorf("size %d: misaligned: %d %d %d %d", size, descOff, availOff, usedOff, total)
		}
		if usedOff-(availOff+availLen) > 2 {
			t.Errorf("size %d: %d bytes of padding before the used ring", size, usedOff-(availOff+availLen))
		}
	}
	// Worked examples.
	for _, c := range []struct {
		size               uint16
		avail, used, total uint64
	}{
		{1, 16, 24, 40},
		{2, 32, 44, 68},
		{256, 4096, 4616, 6672},
		{32768, 524288, 589832, 851984},
	} {
		_, a, u, total := Layout(c.size, false)
		if a != c.avail || u != c.used || total != c.total {
			t.Errorf("Layout(%d, false) = avail %d used %d total %d; want %d %d %d", c.size, a, u, total, c.avail, c.used, c.total)
		}
	}
}

// TestLayoutLegacy checks the legacy layout against §2.7.2's virtq_size
// and struct virtq, computed the spec's way with Queue Align 4096.
func TestLayoutLegacy(t *testing.T) {
	const qalign = LegacyQueueAlign - 1 // the spec's ALIGN adds and masks with qalign
	align := func(x uint64) uint64 { return (x + qalign) &^ qalign }
	const descSize, usedElemSize, u16 = 16, 8, 2
	for _, size := range validSizes() {
		qsz := uint64(size)
		descOff, availOff, usedOff, total := Layout(size, true)
		virtqSize := align(descSize*qsz+u16*(3+qsz)) + align(u16*3+usedElemSize*qsz)
		if total != virtqSize {
			t.Errorf("size %d: total %d, want virtq_size %d", size, total, virtqSize)
		}
		if descOff != 0 || availOff != descSize*qsz {
			t.Errorf("size %d: desc at %d, avail at %d; want 0, %d", size, descOff, availOff, descSize*qsz)
		}
		if want := align(availOff + u16*(3+qsz)); usedOff != want {
			t.Errorf("size %d: used at %d, want %d (the next Queue Align boundary)", size, usedOff, want)
		}
		if usedOff%LegacyQueueAlign != 0 || total%LegacyQueueAlign != 0 {
			t.Errorf("size %d: used at %d, total %d: not page-aligned", size, usedOff, total)
		}
	}
	// Worked examples: QEMU's legacy virtio-net queues have 256 entries
	// and take three pages.
	for _, c := range []struct {
		size        uint16
		used, total uint64
	}{
		{1, 4096, 8192},
		{128, 4096, 8192},
		{256, 8192, 12288},
		{1024, 20480, 32768},
	} {
		_, _, u, total := Layout(c.size, true)
		if u != c.used || total != c.total {
			t.Errorf("Layout(%d, true) = used %d total %d; want %d %d", c.size, u, total, c.used, c.total)
		}
	}
}

// TestInvalidSizes: every size that is not a power of two up to 32768 is
// refused by Layout and Init.
func TestInvalidSizes(t *testing.T) {
	for s := 0; s <= 0xFFFF; s++ {
		size := uint16(s)
		want := bits.OnesCount16(size) == 1
		if validSize(size) != want {
			t.Fatalf("validSize(%d) = %v", size, !want)
		}
		if want {
			continue
		}
		for _, legacy := range []bool{false, true} {
			if d, a, u, total := Layout(size, legacy); d|a|u|total != 0 {
				t.Fatalf("Layout(%d, %v) = %d %d %d %d, want zeros", size, legacy, d, a, u, total)
			}
		}
	}
	r := newRegion(t, 8, true)
	for _, size := range []uint16{0, 3, 6, 7, 100, 1000, 32767, 32769, 49152, 65535} {
		var q Queue
		if err := q.Init(r.mem, size, false, false); !errors.Is(err, ErrSize) {
			t.Errorf("Init(size %d) = %v, want ErrSize", size, err)
		}
	}
}

// TestStructLayout: the driver's view of a descriptor matches §2.7.5.
func TestStructLayout(t *testing.T) {
	var d desc
	if unsafe.Sizeof(d) != DESC_SIZE || unsafe.Offsetof(d.addr) != DESC_ADDR || unsafe.Offsetof(d.len) != DESC_LEN ||
		unsafe.Offsetof(d.flags) != DESC_FLAGS || unsafe.Offsetof(d.next) != DESC_NEXT {
		t.Errorf("desc: size %d, offsets %d %d %d %d", unsafe.Sizeof(d), unsafe.Offsetof(d.addr),
			unsafe.Offsetof(d.len), unsafe.Offsetof(d.flags), unsafe.Offsetof(d.next))
	}
	if unsafe.Sizeof(Queue{}) > 4096+128 {
		t.Errorf("Queue is %d bytes", unsafe.Sizeof(Queue{}))
	}
}

// TestInitErrors: misaligned or short memory is refused and the queue and
// memory are left alone.
func TestInitErrors(t *testing.T) {
	for _, c := range []struct {
		name   string
		legacy bool
		edit   func(m *Memory)
		want   error
	}{
		{"modern phys 8", false, func(m *Memory) { m.Phys += 8 }, ErrAlign},
		{"modern virt 8", false, func(m *Memory) { m.Virt += 8; m.Size -= 8 }, ErrAlign},
		{"legacy phys 16", true, func(m *Memory) { m.Phys += 16 }, ErrAlign},
		{"legacy virt 4", true, func(m *Memory) { m.Virt += 4; m.Size -= 4 }, ErrAlign},
		{"modern short", false, func(m *Memory) { m.Size-- }, ErrMemory},
		{"legacy short", true, func(m *Memory) { m.Size -= LegacyQueueAlign }, ErrMemory},
		{"phys wraps", false, func(m *Memory) { m.Phys = 1<<64 - DescAlign }, ErrMemory},
		{"virt zero", false, func(m *Memory) { m.Virt = 0 }, ErrMemory},
	} {
		r := newRegion(t, 16, c.legacy)
		for i := range r.buf {
			r.buf[i] = 0xAA
		}
		m := r.mem
		c.edit(&m)
		var q Queue
		q.size = 77 // a marker
		if err := q.Init(m, 16, c.legacy, false); err != c.want {
			t.Errorf("%s: Init = %v, want %v", c.name, err, c.want)
		}
		if q.size != 77 {
			t.Errorf("%s: the queue changed", c.name)
		}
		for i, b := range r.buf {
			if b != 0xAA {
				t.Fatalf("%s: memory changed at %d", c.name, i)
			}
		}
	}
}

// TestInit: Init zeroes exactly the queue's bytes, frees every
// descriptor, and reports the areas where Layout puts them.
func TestInit(t *testing.T) {
	for _, c := range configs {
		for _, size := range []uint16{1, 2, 256, MaxSize} {
			_, availOff, usedOff, total := Layout(size, c.legacy)
			// 64 bytes more than the queue needs, which Init must not touch.
			r := newRegionBytes(t, total+64)
			for i := range r.buf {
				r.buf[i] = 0xAA
			}
			m := r.mem
			m.Size = total - 1
			var q Queue
			if err := q.Init(m, size, c.legacy, c.eventIdx); err != ErrMemory {
				t.Fatalf("%s size %d: Init with a byte too few = %v", c.name, size, err)
			}
			if err := q.Init(r.mem, size, c.legacy, c.eventIdx); err != nil {
				t.Fatalf("%s size %d: Init: %v", c.name, size, err)
			}
			// Zeros, but for the free list threaded through next.
			want := make([]byte, len(r.buf))
			for i := total; i < uint64(len(want)); i++ {
				want[i] = 0xAA
			}
			for i := 0; i < int(size)-1; i++ {
				binary.LittleEndian.PutUint16(want[DESC_SIZE*i+DESC_NEXT:], uint16(i+1))
			}
			if i := firstDiff(r.buf, want); i >= 0 {
				t.Fatalf("%s size %d: byte %d is %#x after Init, want %#x (queue is %d bytes)", c.name, size, i, r.buf[i], want[i], total)
			}
			if q.FreeCount() != int(size) || q.Size() != size || q.Broken() {
				t.Errorf("%s size %d: FreeCount %d Size %d Broken %v", c.name, size, q.FreeCount(), q.Size(), q.Broken())
			}
			desc, driver, device := q.Areas()
			if desc != physBase || driver != physBase+availOff || device != physBase+usedOff {
				t.Errorf("%s size %d: Areas = %#x %#x %#x", c.name, size, desc, driver, device)
			}
		}
	}
}

// firstDiff returns the first index where a and b differ, or -1.
func firstDiff(a, b []byte) int {
	for i := range a {
		if i >= len(b) || a[i] != b[i] {
			return i
		}
	}
	if len(b) > len(a) {
		return len(a)
	}
	return -1
}
