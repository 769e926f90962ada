package virtq

import "testing"

// TestNeedEvent: vring_need_event's edge cases, around the event, at the
// 16-bit wrap, and for empty and huge moves.
func TestNeedEvent(t *testing.T) {
	for _, c := range []struct {
		event, newIdx, old uint16
		want               bool
	}{
		{0, 0, 0, false},                // nothing moved
		{0, 1, 0, true},                 // the first entry: the spec's example, used_event 0
		{1, 1, 0, false},                // entry 1 not written yet
		{1, 2, 0, true},                 // a batch over it
		{0, 2, 1, false},                // the batch started after it
		{5, 6, 5, true},                 // event == old
		{5, 5, 4, false},                // event == new
		{4, 5, 4, true},                 // event == new-1
		{3, 6, 4, false},                // just behind the batch
		{7, 6, 4, false},                // ahead of it
		{65535, 0, 65535, true},         // the entry before the wrap
		{65535, 1, 65534, true},         // a batch across the wrap, event before it
		{0, 1, 65535, true},             // event just after the wrap
		{1, 1, 65535, false},            // one short, across the wrap
		{65534, 2, 65535, false},        // behind a batch that wraps
		{65535, 1, 0, false},            // event long past (DisableInterrupts' value)
		{65535, 32768, 0, false},        // ...still, half the index space later
		{65535, 65535, 0, false},        // ...up to the last entry before it
		{0x7fff, 0x8000, 0, true},       // a batch of 32768, event last
		{0x8000, 0x8000, 0, false},      // one past it
		{0x1234, 0x1234, 0x1235, false}, // a move of 65535 covers all but new
		{0x1235, 0x1234, 0x1235, true},
		{0x1233, 0x1234, 0x1235, true},
		{0x1234, 0x1235, 0x1235, false}, // no move, event at new
	} {
		if got := needEvent(c.event, c.newIdx, c.old); got != c.want {
			t.Errorf("needEvent(event %d, new %d, old %d) = %v, want %v", c.event, c.newIdx, c.old, got, c.want)
		}
	}
}

// TestNeedEventExhaustive checks needEvent against its definition, event
// in [old, new) counted mod 2^16, for every event over a set of moves.
func TestNeedEventExhaustive(t *testing.T) {
	for _, old := range []uint16{0, 1, 2, 100, 32767, 32768, 65000, 65534, 65535} {
		for _, n := range []int{0, 1, 2, 3, 7, 256, 32767, 32768, 32769, 65535} {
			newIdx := old + uint16(n)
			for e := 0; e <= 0xFFFF; e++ {
				event := uint16(e)
				want := int(event-old) < n // distance from old, within the move
				if got := needEvent(event, newIdx, old); got != want {
					t.Fatalf("needEvent(event %d, new %d, old %d) = %v, want %v", event, newIdx, old, got, want)
				}
			}
		}
	}
}

// TestNeedsNotifyFlags: without VIRTIO_F_EVENT_IDX the driver notifies
// unless the device set VIRTQ_USED_F_NO_NOTIFY, and only after adding.
func TestNeedsNotifyFlags(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		g := newRig(t, 8, legacy, false)
		add := func() { g.q.Add([]Buffer{{Phys: 1, Len: 1}}) }
		if g.q.NeedsNotify() {
			t.Errorf("NeedsNotify before any Add")
		}
		add()
		if !g.q.NeedsNotify() {
			t.Errorf("no notification with used flags 0")
		}
		if g.q.NeedsNotify() {
			t.Errorf("a second NeedsNotify without Add")
		}
		g.d.setNoNotify(true)
		add()
		add()
		if g.q.NeedsNotify() {
			t.Errorf("notification despite VIRTQ_USED_F_NO_NOTIFY")
		}
		g.d.setNoNotify(false)
		add()
		add()
		add()
		if !g.q.NeedsNotify() {
			t.Errorf("no notification for a batch after NO_NOTIFY was cleared")
		}
		// avail_event is ignored (§2.7.10.1).
		g.d.setAvailEvent(0x4000)
		for g.d.available() > 0 {
			g.mustPop(t)
		}
		for _, h := range []uint16{0, 1, 2, 3, 4} {
			g.d.complete(used{h, 0})
		}
		for range 5 {
			g.q.Used()
		}
		add()
		if !g.q.NeedsNotify() {
			t.Errorf("avail_event was not ignored")
		}
	}
}

// TestNeedsNotifyEventIdx: with VIRTIO_F_EVENT_IDX the driver notifies
// when avail idx moves past avail_event, whatever used flags say, and
// decides per batch.
func TestNeedsNotifyEventIdx(t *testing.T) {
	g := newRig(t, 8, false, true)
	add := func(n int) {
		for range n {
			if _, ok := g.q.Add([]Buffer{{Phys: 1, Len: 1}}); !ok {
				t.Fatalf("Add failed")
			}
		}
	}
	drain := func() { // the device takes and returns everything
		for g.d.available() > 0 {
			h, _ := g.mustPop(t)
			g.d.complete(used{h, 0})
		}
		for {
			if _, _, ok := g.q.Used(); !ok {
				break
			}
		}
	}
	// avail_event starts at 0: the first entry notifies.
	add(1)
	if !g.q.NeedsNotify() {
		t.Errorf("first Add: no notification with avail_event 0")
	}
	g.d.setAvailEvent(3) // idx is 1
	add(1)               // 1 -> 2: entry 1
	if g.q.NeedsNotify() {
		t.Errorf("entry 1 notified, avail_event 3")
	}
	add(1) // entry 2
	if g.q.NeedsNotify() {
		t.Errorf("entry 2 notified, avail_event 3")
	}
	add(1) // entry 3
	if !g.q.NeedsNotify() {
		t.Errorf("entry 3 did not notify, avail_event 3")
	}
	drain()
	g.d.setAvailEvent(5) // idx is 4: a batch of 3 covers entries 4-6
	add(3)
	if !g.q.NeedsNotify() {
		t.Errorf("batch over avail_event did not notify")
	}
	drain()
	g.d.setAvailEvent(12) // idx 7: a batch of 3 stops short of it
	add(3)
	if g.q.NeedsNotify() {
		t.Errorf("batch short of avail_event notified")
	}
	// Used flags are ignored (§2.7.10.1).
	drain()
	g.d.setNoNotify(true)
	g.d.setAvailEvent(10)
	add(1)
	if !g.q.NeedsNotify() {
		t.Errorf("VIRTQ_USED_F_NO_NOTIFY was not ignored with VIRTIO_F_EVENT_IDX")
	}
	// 65536 chains without a NeedsNotify: the 16-bit test cannot tell,
	// so it notifies.
	drain()
	g.d.setAvailEvent(0xFFFF) // far behind after the loop
	for range 1 << 16 {
		add(1)
		drain()
	}
	if !g.q.NeedsNotify() {
		t.Errorf("no notification after 65536 unnotified chains")
	}
}

// TestInterruptsFlags: without VIRTIO_F_EVENT_IDX interrupts are turned
// off and on with VIRTQ_AVAIL_F_NO_INTERRUPT, and avail idx is kept.
func TestInterruptsFlags(t *testing.T) {
	g := newRig(t, 8, true, false)
	g.q.Add([]Buffer{{}})
	g.q.Add([]Buffer{{}})
	h0, _ := g.mustPop(t)
	h1, _ := g.mustPop(t)
	g.q.DisableInterrupts()
	if flags, idx := g.d.availHeader(); flags != VIRTQ_AVAIL_F_NO_INTERRUPT || idx != 2 {
		t.Errorf("after DisableInterrupts: avail flags %d idx %d", flags, idx)
	}
	if g.d.complete(used{h0, 0}) {
		t.Errorf("device interrupts with VIRTQ_AVAIL_F_NO_INTERRUPT")
	}
	// The classic race: an entry arrived while interrupts were off.
	if !g.q.EnableInterrupts() {
		t.Errorf("EnableInterrupts did not report the pending entry")
	}
	if flags, idx := g.d.availHeader(); flags != 0 || idx != 2 {
		t.Errorf("after EnableInterrupts: avail flags %d idx %d", flags, idx)
	}
	g.q.Used()
	if g.q.EnableInterrupts() {
		t.Errorf("EnableInterrupts reports entries on an empty ring")
	}
	if !g.d.complete(used{h1, 0}) {
		t.Errorf("device does not interrupt with interrupts enabled")
	}
	if used := g.r.u16(uint64(g.d.availOff) + 4 + 2*8); used != 0 {
		t.Errorf("used_event written without VIRTIO_F_EVENT_IDX: %d", used)
	}
}

// TestInterruptsEventIdx: with VIRTIO_F_EVENT_IDX, avail flags stay 0
// (§2.7.7.1), used_event arms the next entry, Used keeps it armed while
// interrupts are on, and DisableInterrupts moves it out of reach.
func TestInterruptsEventIdx(t *testing.T) {
	for _, size := range []uint16{1, 2, 8} {
		g := newRig(t, size, false, true)
		flagsZero := func(when string) {
			if flags, _ := g.d.availHeader(); flags != 0 {
				t.Errorf("size %d %s: avail flags %d with VIRTIO_F_EVENT_IDX", size, when, flags)
			}
		}
		round := func(n int) []uint16 { // add n single chains; the device takes them
			var hs []uint16
			for range n {
				g.q.Add([]Buffer{{}})
				h, _ := g.mustPop(t)
				hs = append(hs, h)
			}
			return hs
		}
		n := int(size)
		// Enabled from Init: used_event 0, the first entry interrupts.
		hs := round(n)
		if g.d.usedEvent() != 0 {
			t.Errorf("size %d: used_event %d after Init", size, g.d.usedEvent())
		}
		if !g.d.complete(used{hs[0], 0}) {
			t.Errorf("size %d: first completion does not interrupt", size)
		}
		for _, h := range hs[1:] {
			if g.d.complete(used{h, 0}) {
				t.Errorf("size %d: completion before the driver looked interrupts", size)
			}
		}
		// Draining moves used_event along; the next entry interrupts.
		for range n {
			g.q.Used()
		}
		if got := g.d.usedEvent(); got != uint16(n) {
			t.Errorf("size %d: used_event %d after %d Used, want %d", size, got, n, n)
		}
		hs = round(n)
		if !g.d.complete(used{hs[0], 0}) {
			t.Errorf("size %d: entry after a drain does not interrupt", size)
		}
		// Disabled: nothing interrupts, however many complete.
		g.q.DisableInterrupts()
		flagsZero("after DisableInterrupts")
		for _, h := range hs[1:] {
			if g.d.complete(used{h, 0}) {
				t.Errorf("size %d: interrupt while disabled", size)
			}
		}
		for range 20 {
			for range n {
				g.q.Used()
			}
			for _, h := range round(n) {
				if g.d.complete(used{h, 0}) {
					t.Errorf("size %d: interrupt while disabled", size)
				}
			}
		}
		// The classic race: entries are pending when interrupts come back.
		if !g.q.EnableInterrupts() {
			t.Errorf("size %d: EnableInterrupts did not report pending entries", size)
		}
		flagsZero("after EnableInterrupts")
		for range n {
			g.q.Used()
		}
		if g.q.EnableInterrupts() {
			t.Errorf("size %d: EnableInterrupts reports entries on an empty ring", size)
		}
		hs = round(1)
		if !g.d.complete(used{hs[0], 0}) {
			t.Errorf("size %d: no interrupt after EnableInterrupts", size)
		}
		if h, _, ok := g.q.Used(); !ok || h != hs[0] {
			t.Errorf("size %d: Used = %d %v", size, h, ok)
		}
		// In a size-1 queue the ring entry shares used_event's word:
		// storing one must keep the other.
		if size == 1 {
			g.q.Add([]Buffer{{}})
			if got := g.d.usedEvent(); got != g.q.lastUsed {
				t.Errorf("size 1: Add clobbered used_event: %d, want %d", got, g.q.lastUsed)
			}
			g.q.DisableInterrupts()
			if h := g.d.availEntry(g.d.lastAvail); h != 0 {
				t.Errorf("size 1: DisableInterrupts clobbered ring[0]: %d", h)
			}
		}
	}
}
