package disks

import (
	"bytes"
	"fmt"
	"testing"
)

// memDev is a block device in memory that refuses unaligned accesses,
// as virtio-blk does.
type memDev struct {
	data []byte
	bs   int64
}

func (m *memDev) check(n int, off int64) error {
	if off%m.bs != 0 || int64(n)%m.bs != 0 || off+int64(n) > int64(len(m.data)) {
		return fmt.Errorf("unaligned or out of range: %d bytes at %d", n, off)
	}
	return nil
}

func (m *memDev) ReadAt(p []byte, off int64) (int, error) {
	if err := m.check(len(p), off); err != nil {
		return 0, err
	}
	return copy(p, m.data[off:]), nil
}

func (m *memDev) WriteAt(p []byte, off int64) (int, error) {
	if err := m.check(len(p), off); err != nil {
		return 0, err
	}
	return copy(m.data[off:], p), nil
}

func (m *memDev) Flush() error     { return nil }
func (m *memDev) Capacity() int64  { return int64(len(m.data)) }
func (m *memDev) BlockSize() int64 { return m.bs }

func TestDeviceUnaligned(t *testing.T) {
	for _, bs := range []int64{512, 4096} {
		m := &memDev{data: make([]byte, 4*bs), bs: bs}
		for i := range m.data {
			m.data[i] = byte(i * 7)
		}
		want := bytes.Clone(m.data)
		d := device{m}
		for _, c := range []struct {
			off int64
			n   int
		}{{0, 1}, {1, 1}, {bs - 1, 2}, {3, int(2 * bs)}, {0, int(bs)}, {bs, int(2 * bs)}, {4*bs - 5, 5}} {
			p := make([]byte, c.n)
			if n, err := d.ReadAt(p, c.off); err != nil || n != c.n || !bytes.Equal(p, want[c.off:c.off+int64(c.n)]) {
				t.Errorf("bs %d: ReadAt(%d bytes at %d) = %d, %v; data differs: %v", bs, c.n, c.off, n, err, !bytes.Equal(p, want[c.off:c.off+int64(c.n)]))
			}
			for i := range p {
				p[i] = byte(c.off) + byte(i) + 1
			}
			if n, err := d.WriteAt(p, c.off); err != nil || n != c.n {
				t.Errorf("bs %d: WriteAt(%d bytes at %d) = %d, %v", bs, c.n, c.off, n, err)
			}
			copy(want[c.off:], p)
			if !bytes.Equal(m.data, want) {
				t.Fatalf("bs %d: after WriteAt(%d bytes at %d) the device holds other bytes than written", bs, c.n, c.off)
			}
		}
		if _, err := d.ReadAt(make([]byte, 2), 4*bs-1); err == nil {
			t.Errorf("bs %d: a read past the end succeeded", bs)
		}
	}
}
