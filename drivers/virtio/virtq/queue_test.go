package virtq

import (
	"bytes"
	"math/rand"
	"testing"
)

// TestChain: the device sees a chain's buffers in order, with NEXT on all
// but the last, WRITE on the device-writable ones, and their addresses
// and lengths; Used hands the head back with the length the device
// wrote, and the descriptors are free again.
func TestChain(t *testing.T) {
	for _, c := range configs {
		for _, size := range []uint16{4, 8, 256} {
			g := newRig(t, size, c.legacy, c.eventIdx)
			bufs := []Buffer{
				{Phys: 0x1000_0000, Len: 12},
				{Phys: 0x2000_0000, Len: 1514},
				{Phys: 0x3000_0000, Len: 64, DeviceWrites: true},
				{Phys: 0x4000_0000, Len: 1, DeviceWrites: true},
			}
			head, ok := g.q.Add(bufs)
			if !ok {
				t.Fatalf("%s size %d: Add failed", c.name, size)
			}
			if g.q.FreeCount() != int(size)-4 {
				t.Errorf("%s size %d: FreeCount %d after a chain of 4", c.name, size, g.q.FreeCount())
			}
			gotHead, chain := g.mustPop(t)
			if gotHead != head {
				t.Errorf("%s size %d: device sees head %d, Add returned %d", c.name, size, gotHead, head)
			}
			checkChain(t, chain, bufs)
			if g.d.complete(used{head, 65}) != true {
				t.Errorf("%s size %d: device would not interrupt with interrupts enabled", c.name, size)
			}
			h, n, ok := g.q.Used()
			if !ok || h != head || n != 65 {
				t.Errorf("%s size %d: Used = %d %d %v, want %d 65 true", c.name, size, h, n, ok, head)
			}
			if _, _, ok := g.q.Used(); ok {
				t.Errorf("%s size %d: a second Used succeeded", c.name, size)
			}
			if g.q.FreeCount() != int(size) {
				t.Errorf("%s size %d: FreeCount %d after Used", c.name, size, g.q.FreeCount())
			}
		}
	}
}

// checkChain compares the descriptors the device read with the buffers
// added.
func checkChain(t *testing.T, chain []elem, bufs []Buffer) {
	t.Helper()
	if len(chain) != len(bufs) {
		t.Fatalf("device sees %d descriptors, %d were added", len(chain), len(bufs))
	}
	seen := map[uint16]bool{}
	for i, e := range chain {
		var flags uint16
		if bufs[i].DeviceWrites {
			flags |= VIRTQ_DESC_F_WRITE
		}
		if i < len(bufs)-1 {
			flags |= VIRTQ_DESC_F_NEXT
		}
		if e.addr != bufs[i].Phys || e.len != bufs[i].Len || e.flags != flags {
			t.Errorf("descriptor %d (#%d): addr %#x len %d flags %#x; want %#x %d %#x",
				i, e.index, e.addr, e.len, e.flags, bufs[i].Phys, bufs[i].Len, flags)
		}
		if seen[e.index] {
			t.Errorf("descriptor #%d twice in one chain", e.index)
		}
		seen[e.index] = true
	}
}

// TestAddRejects: chains the spec forbids, and empty ones, are refused
// without a trace.
func TestAddRejects(t *testing.T) {
	g := newRig(t, 8, false, true)
	before := bytes.Clone(g.r.buf)
	for _, bufs := range [][]Buffer{
		nil,
		{},
		{{Phys: 1, Len: 1, DeviceWrites: true}, {Phys: 2, Len: 1}},   // readable after writable
		{{Phys: 1, Len: 1 << 31}, {Phys: 2, Len: 1 << 31}, {Len: 1}}, // 2^32 + 1 bytes
		{{Phys: 1, Len: 0xFFFF_FFFF}, {Phys: 2, Len: 0xFFFF_FFFF}},   // 2^33 - 2 bytes
		make([]Buffer, 9), // longer than the table
		{{}, {}, {}, {}, {}, {}, {}, {}, {DeviceWrites: true}},           // likewise
		{{Phys: 1}, {Phys: 2, DeviceWrites: true}, {Phys: 3}, {Phys: 4}}, // readable after writable, later
	} {
		if head, ok := g.q.Add(bufs); ok {
			t.Errorf("Add(%v) = %d, true", bufs, head)
		}
	}
	if i := firstDiff(g.r.buf, before); i >= 0 || g.q.FreeCount() != 8 || g.q.NeedsNotify() {
		t.Errorf("a refused Add changed something: byte %d, FreeCount %d", i, g.q.FreeCount())
	}
	// Exactly 2^32 bytes is allowed.
	if _, ok := g.q.Add([]Buffer{{Phys: 1, Len: 1 << 31}, {Phys: 2, Len: 1 << 31, DeviceWrites: true}}); !ok {
		t.Errorf("Add of 2^32 bytes refused")
	}
}

// TestFullRing: when the descriptors run out, Add fails and changes
// nothing, in memory or in the queue; after Used it succeeds again.
func TestFullRing(t *testing.T) {
	for _, c := range configs {
		g := newRig(t, 8, c.legacy, c.eventIdx)
		var heads []uint16
		for _, n := range []int{3, 3, 2} {
			h, ok := g.q.Add(make([]Buffer, n))
			if !ok {
				t.Fatalf("%s: Add of %d failed with %d free", c.name, n, g.q.FreeCount())
			}
			heads = append(heads, h)
		}
		g.q.NeedsNotify()
		if g.q.FreeCount() != 0 {
			t.Fatalf("%s: FreeCount %d, want 0", c.name, g.q.FreeCount())
		}
		before := bytes.Clone(g.r.buf)
		for _, n := range []int{1, 2, 8} {
			if h, ok := g.q.Add(make([]Buffer, n)); ok {
				t.Errorf("%s: Add of %d on a full ring = %d, true", c.name, n, h)
			}
		}
		if i := firstDiff(g.r.buf, before); i >= 0 {
			t.Errorf("%s: failed Add changed byte %d", c.name, i)
		}
		if g.q.FreeCount() != 0 || g.q.NeedsNotify() {
			t.Errorf("%s: failed Add changed the queue", c.name)
		}
		if n := g.d.available(); n != 3 {
			t.Errorf("%s: device sees %d chains, want 3", c.name, n)
		}
		// One chain of 2 back: a chain of 3 still does not fit, 2 does.
		for range heads {
			g.mustPop(t)
		}
		g.d.complete(used{heads[2], 0})
		if h, _, ok := g.q.Used(); !ok || h != heads[2] {
			t.Fatalf("%s: Used = %d %v", c.name, h, ok)
		}
		if _, ok := g.q.Add(make([]Buffer, 3)); ok {
			t.Errorf("%s: Add of 3 with 2 free succeeded", c.name)
		}
		if _, ok := g.q.Add(make([]Buffer, 2)); !ok {
			t.Errorf("%s: Add of 2 with 2 free failed", c.name)
		}
	}
}

// model is what the test expects of a queue: the chains the device
// holds, keyed by head.
type model struct {
	held map[uint16][]Buffer
	free int
}

// TestFreeListAccounting: over many cycles of chains of random length,
// completed in random order, FreeCount is always the table minus the
// descriptors in held chains, no descriptor is in two chains, and all
// come back at the end.
func TestFreeListAccounting(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, c := range configs {
		for _, size := range []uint16{1, 2, 8, 64} {
			g := newRig(t, size, c.legacy, c.eventIdx)
			owner := make([]int, size) // descriptor -> head+1 of the chain holding it
			var held []uint16          // heads the device holds, in pop order
			lens := map[uint16]int{}
			free := int(size)
			for cycle := 0; cycle < 5000; cycle++ {
				n := 1 + rng.Intn(int(size))
				if n > 4 {
					n = 1 + rng.Intn(4)
				}
				bufs := make([]Buffer, n)
				for i := range bufs {
					bufs[i] = Buffer{Phys: uint64(cycle)<<16 | uint64(i), Len: uint32(i + 1), DeviceWrites: i == n-1}
				}
				head, ok := g.q.Add(bufs)
				if ok != (n <= free) {
					t.Fatalf("%s size %d cycle %d: Add of %d with %d free: ok %v", c.name, size, cycle, n, free, ok)
				}
				if ok {
					h, chain := g.mustPop(t)
					if h != head {
						t.Fatalf("head %d, device sees %d", head, h)
					}
					checkChain(t, chain, bufs)
					for _, e := range chain {
						if owner[e.index] != 0 {
							t.Fatalf("%s size %d: descriptor %d in chains %d and %d", c.name, size, e.index, owner[e.index]-1, head)
						}
						owner[e.index] = int(head) + 1
					}
					held = append(held, head)
					lens[head] = n
					free -= n
				}
				// Complete a random number of held chains in random order.
				rng.Shuffle(len(held), func(i, j int) { held[i], held[j] = held[j], held[i] })
				k := rng.Intn(len(held) + 1)
				for _, h := range held[:k] {
					g.d.complete(used{h, uint32(h)})
				}
				for _, h := range held[:k] {
					got, n, ok := g.q.Used()
					if !ok || got != h || n != uint32(h) {
						t.Fatalf("%s size %d: Used = %d %d %v, want %d", c.name, size, got, n, ok, h)
					}
					for i := range owner {
						if owner[i] == int(h)+1 {
							owner[i] = 0
						}
					}
					free += lens[h]
				}
				held = held[k:]
				if g.q.FreeCount() != free {
					t.Fatalf("%s size %d cycle %d: FreeCount %d, want %d", c.name, size, cycle, g.q.FreeCount(), free)
				}
			}
			for _, h := range held {
				g.d.complete(used{h, 0})
				g.q.Used()
			}
			if g.q.FreeCount() != int(size) || g.q.Broken() {
				t.Errorf("%s size %d: FreeCount %d at the end, broken %v", c.name, size, g.q.FreeCount(), g.q.Broken())
			}
		}
	}
}

// TestWrapAround runs both 16-bit indices past 65535 more than once with
// small queues, checking the ring positions, the indices in memory, and
// notifications in both directions at every step.
func TestWrapAround(t *testing.T) {
	const cycles = 140_000
	for _, c := range configs {
		for _, size := range []uint16{1, 2, 4} {
			g := newRig(t, size, c.legacy, c.eventIdx)
			_, availOff, usedOff, _ := Layout(size, c.legacy)
			for i := 0; i < cycles; i++ {
				// The device asks for a notification for the next chain
				// every other time.
				wantKick := i%2 == 0
				if wantKick {
					g.d.enableKicks()
				} else {
					g.d.disableKicks()
					if c.eventIdx {
						g.d.setAvailEvent(uint16(i) - 1) // passed long ago
					}
				}
				n := 1 + i%int(size)
				head, ok := g.q.Add(make([]Buffer, n))
				if !ok {
					t.Fatalf("%s size %d cycle %d: Add failed", c.name, size, i)
				}
				if got := g.q.NeedsNotify(); got != wantKick {
					t.Fatalf("%s size %d cycle %d: NeedsNotify %v, want %v", c.name, size, i, got, wantKick)
				}
				if idx := g.r.u16(availOff + AVAIL_IDX); idx != uint16(i+1) {
					t.Fatalf("%s size %d cycle %d: avail idx %d", c.name, size, i, idx)
				}
				if e := g.r.u16(availOff + AVAIL_RING + 2*uint64(uint16(i)%size)); e != head {
					t.Fatalf("%s size %d cycle %d: ring entry %d, want head %d", c.name, size, i, e, head)
				}
				h, chain := g.mustPop(t)
				if h != head || len(chain) != n {
					t.Fatalf("%s size %d cycle %d: device got head %d with %d descriptors", c.name, size, i, h, len(chain))
				}
				// Interrupts enabled every third cycle.
				enabled := i%3 == 0
				if enabled {
					if g.q.EnableInterrupts() {
						t.Fatalf("%s size %d cycle %d: EnableInterrupts reports pending entries", c.name, size, i)
					}
				} else {
					g.q.DisableInterrupts()
				}
				if irq := g.d.complete(used{head, uint32(i)}); irq != enabled {
					t.Fatalf("%s size %d cycle %d: device interrupt %v with interrupts enabled %v", c.name, size, i, irq, enabled)
				}
				if idx := g.r.u16(usedOff + USED_IDX); idx != uint16(i+1) {
					t.Fatalf("%s size %d cycle %d: used idx %d", c.name, size, i, idx)
				}
				if got, l, ok := g.q.Used(); !ok || got != head || l != uint32(i) {
					t.Fatalf("%s size %d cycle %d: Used = %d %d %v", c.name, size, i, got, l, ok)
				}
				if g.q.FreeCount() != int(size) {
					t.Fatalf("%s size %d cycle %d: FreeCount %d", c.name, size, i, g.q.FreeCount())
				}
			}
		}
	}
}

// u16 reads a little-endian field of the queue's memory.
func (r *region) u16(off uint64) uint16 { return uint16(r.buf[off]) | uint16(r.buf[off+1])<<8 }

// TestOutOfOrder: the device finishes chains in another order than they
// were added, some of them while others are still out; Used returns them
// in the device's order, and the freed descriptors are reused without
// disturbing the chains still held.
func TestOutOfOrder(t *testing.T) {
	for _, c := range configs {
		g := newRig(t, 16, c.legacy, c.eventIdx)
		type out struct {
			head uint16
			bufs []Buffer
		}
		var chains []out
		add := func(n int, tag uint64) {
			bufs := make([]Buffer, n)
			for i := range bufs {
				bufs[i] = Buffer{Phys: tag<<8 | uint64(i), Len: uint32(n), DeviceWrites: i > 0}
			}
			h, ok := g.q.Add(bufs)
			if !ok {
				t.Fatalf("%s: Add(%d) failed, %d free", c.name, n, g.q.FreeCount())
			}
			hh, chain := g.mustPop(t)
			if hh != h {
				t.Fatalf("%s: head %d, device sees %d", c.name, h, hh)
			}
			checkChain(t, chain, bufs)
			chains = append(chains, out{h, bufs})
		}
		for i, n := range []int{1, 3, 2, 4, 1, 2, 3} {
			add(n, uint64(i))
		}
		if g.q.FreeCount() != 0 {
			t.Fatalf("%s: FreeCount %d, want 0", c.name, g.q.FreeCount())
		}
		// Complete 5, 2, 6, 0 in one batch: the rest stay out.
		order := []int{5, 2, 6, 0}
		var batch []used
		for _, i := range order {
			batch = append(batch, used{chains[i].head, uint32(100 + i)})
		}
		g.d.complete(batch...)
		for _, i := range order {
			h, n, ok := g.q.Used()
			if !ok || h != chains[i].head || n != uint32(100+i) {
				t.Fatalf("%s: Used = %d %d %v, want chain %d (head %d)", c.name, h, n, ok, i, chains[i].head)
			}
		}
		if want := 2 + 2 + 3 + 1; g.q.FreeCount() != want {
			t.Fatalf("%s: FreeCount %d, want %d", c.name, g.q.FreeCount(), want)
		}
		// Reuse the freed descriptors; the device checks each new chain,
		// and the chains still out must be intact.
		add(4, 10)
		add(4, 11)
		for _, i := range []int{1, 3, 4} {
			checkHeld(t, g, chains[i].head, chains[i].bufs)
		}
		for _, i := range []int{8, 3, 1, 7, 4} {
			g.d.complete(used{chains[i].head, 7})
			if h, _, ok := g.q.Used(); !ok || h != chains[i].head {
				t.Fatalf("%s: Used = %d %v, want %d", c.name, h, ok, chains[i].head)
			}
		}
		if g.q.FreeCount() != 16 || g.q.Broken() {
			t.Errorf("%s: FreeCount %d at the end, broken %v", c.name, g.q.FreeCount(), g.q.Broken())
		}
	}
}

// checkHeld re-reads the chain at head from the descriptor table, as the
// device could at any time while it holds it.
func checkHeld(t *testing.T, g *rig, head uint16, bufs []Buffer) {
	t.Helper()
	d := *g.d
	// Walk the chain by pretending the head is the next available entry.
	var chain []elem
	i := head
	for {
		off := d.descOff + DESC_SIZE*int(i)
		e := elem{index: i, addr: le64(d.buf[off:]), len: uint32(le64(d.buf[off+DESC_LEN:])), flags: d.u16(off + DESC_FLAGS)}
		chain = append(chain, e)
		if e.flags&VIRTQ_DESC_F_NEXT == 0 || len(chain) > int(d.size) {
			break
		}
		i = d.u16(off + DESC_NEXT)
	}
	checkChain(t, chain, bufs)
}

func le64(b []byte) uint64 {
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// TestBrokenDevice: used entries that name no chain the device holds, or
// a used idx ahead of the available one, mark the queue broken instead of
// corrupting the free list.
func TestBrokenDevice(t *testing.T) {
	for _, c := range []struct {
		name string
		do   func(g *rig, heads []uint16)
	}{
		{"id out of range", func(g *rig, heads []uint16) { g.d.completeRaw(8, 0) }},
		{"id huge", func(g *rig, heads []uint16) { g.d.completeRaw(0x1_0000+uint32(heads[0]), 0) }},
		{"id in the middle of a chain", func(g *rig, heads []uint16) { g.d.completeRaw(uint32(heads[0])+1, 0) }},
		{"id of a free descriptor", func(g *rig, heads []uint16) { g.d.completeRaw(7, 0) }},
		{"same head twice", func(g *rig, heads []uint16) {
			g.d.complete(used{heads[1], 0})
			if h, _, ok := g.q.Used(); !ok || h != heads[1] {
				panic("first completion refused")
			}
			g.d.complete(used{heads[1], 0})
		}},
		{"used idx ahead of avail idx", func(g *rig, heads []uint16) {
			// A valid first entry, but idx claims three more chains
			// than were ever made available.
			g.d.complete(used{heads[0], 0})
			g.d.usedIdx += 3
			g.d.storeUsedHeader()
		}},
	} {
		g := newRig(t, 8, false, false)
		var heads []uint16
		for _, n := range []int{3, 2} { // descriptors 0-2 and 3-4
			h, _ := g.q.Add(make([]Buffer, n))
			heads = append(heads, h)
			g.mustPop(t)
		}
		c.do(g, heads)
		free := g.q.FreeCount()
		if h, n, ok := g.q.Used(); ok {
			t.Errorf("%s: Used = %d %d true", c.name, h, n)
		}
		if !g.q.Broken() {
			t.Errorf("%s: queue not broken", c.name)
		}
		if _, ok := g.q.Add(make([]Buffer, 1)); ok || g.q.FreeCount() != free {
			t.Errorf("%s: Add on a broken queue succeeded or freed descriptors", c.name)
		}
	}
}
