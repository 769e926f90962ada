package pagecache

import "testing"

func TestCounts(t *testing.T) {
	h := newHarness(t, 64, make([]byte, 5*PageSize))
	c, id := h.c, h.id
	if c.Busy(id) != 0 || c.DirtyPages() != 0 || c.Evictable() != 0 || c.NextDirty() != 0 || !c.Live(id) || c.Mapped(id) {
		t.Fatalf("fresh file: busy %d dirty %d evictable %d next %d live %v mapped %v",
			c.Busy(id), c.DirtyPages(), c.Evictable(), c.NextDirty(), c.Live(id), c.Mapped(id))
	}
	var frames [2]uint64
	n, e := c.StartFill(id, 0, frames[:])
	if e != 0 || n != 2 || c.Busy(id) != 2 || c.Evictable() != 0 {
		t.Fatalf("StartFill: n %d e %v busy %d evictable %d", n, e, c.Busy(id), c.Evictable())
	}
	h.endFill(0, frames[:n], true)
	if c.Busy(id) != 0 || c.Evictable() != 2 {
		t.Fatalf("after the fill: busy %d evictable %d", c.Busy(id), c.Evictable())
	}
	if n, _, e := c.Write(id, 0, []byte("x")); n != 1 || e != 0 {
		t.Fatalf("Write: %d %v", n, e)
	}
	if c.DirtyPages() != 1 || c.Evictable() != 1 || c.NextDirty() != id {
		t.Fatalf("after a write: dirty %d evictable %d next %d", c.DirtyPages(), c.Evictable(), c.NextDirty())
	}
	c.Map(id)
	if c.Evictable() != 0 || !c.Mapped(id) {
		t.Fatalf("mapped: evictable %d", c.Evictable())
	}
	c.Unmap(id)
	c.Close(id)
	if c.Live(id) {
		t.Fatal("closed file is live")
	}
}
