package virtq

import "testing"

// TestNoAllocations: the calls that may run in trap context allocate
// nothing, and neither does Init, which may run before the runtime.
func TestNoAllocations(t *testing.T) {
	for _, c := range configs {
		for _, size := range []uint16{1, 8} {
			g := newRig(t, size, c.legacy, c.eventIdx)
			bufs := []Buffer{{Phys: 0x1000, Len: 14}, {Phys: 0x2000, Len: 1500, DeviceWrites: true}}[:min(2, int(size))]
			elems := make([]elem, size)
			var head uint16
			for _, tc := range []struct {
				name string
				f    func()
			}{
				{"Add+NeedsNotify", func() {
					head, _ = g.q.Add(bufs)
					g.q.NeedsNotify()
					g.d.pop(elems)
					g.d.complete(used{head, 1})
					g.q.Used()
				}},
				{"Used", func() {
					head, _ = g.q.Add(bufs)
					g.d.pop(elems)
					g.d.complete(used{head, 1})
					g.q.Used()
					g.q.Used() // empty
				}},
				{"Disable/EnableInterrupts", func() {
					g.q.DisableInterrupts()
					g.q.EnableInterrupts()
					g.q.FreeCount()
					g.q.Areas()
					g.q.Broken()
				}},
				{"Init", func() {
					g.q.Init(g.r.mem, size, c.legacy, c.eventIdx)
					g.q.Init(g.r.mem, 3, c.legacy, c.eventIdx) // ErrSize
					g.d.lastAvail, g.d.usedIdx = 0, 0
				}},
			} {
				if n := testing.AllocsPerRun(1000, tc.f); n != 0 {
					t.Errorf("%s size %d: %s: %v allocations per run", c.name, size, tc.name, n)
				}
			}
		}
	}
}

// BenchmarkAddUsed is one round trip of a two-buffer chain, with the
// fake device's part included.
func BenchmarkAddUsed(b *testing.B) {
	for _, c := range configs {
		b.Run(c.name, func(b *testing.B) {
			g := newRig(b, 256, c.legacy, c.eventIdx)
			bufs := []Buffer{{Phys: 0x1000, Len: 14}, {Phys: 0x2000, Len: 1500, DeviceWrites: true}}
			elems := make([]elem, 256)
			for b.Loop() {
				head, _ := g.q.Add(bufs)
				g.q.NeedsNotify()
				g.d.pop(elems)
				g.d.complete(used{head, 1})
				g.q.Used()
			}
		})
	}
}
