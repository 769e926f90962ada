package vecarea

import "testing"

// pool hands out frames and checks that every frame given back was
// handed out and is given back once.
type pool struct {
	t    *testing.T
	next uint64
	left int
	out  map[uint64]bool
}

func newPool(t *testing.T, n int) *pool {
	return &pool{t: t, next: 0x100000, left: n, out: map[uint64]bool{}}
}

// acquire does what the kernel does: a frame only when one is needed.
func (p *pool) acquire(a *Areas, slot int) (uint64, bool) {
	var frame uint64
	if a.NeedsFrame(slot) {
		if p.left == 0 {
			return 0, false
		}
		p.left--
		frame = p.next
		p.next += PageSize
		p.out[frame] = true
	}
	pa, ok := a.Acquire(slot, frame)
	if !ok && frame != 0 {
		delete(p.out, frame)
		p.left++
	}
	return pa, ok
}

func (p *pool) release(a *Areas, slot int) bool {
	free, ok := a.Release(slot)
	if free != 0 {
		if !p.out[free] {
			p.t.Fatalf("Release(%d) gave back %#x, not handed out", slot, free)
		}
		delete(p.out, free)
		p.left++
	}
	return ok
}

func TestLayoutFor(t *testing.T) {
	for _, c := range []struct {
		size     uint64
		stride   uint64
		perFrame int
		ok       bool
	}{
		{512, 512, 8, true},   // FXSAVE
		{576, 576, 7, true},   // XSAVE of x87 and SSE
		{832, 832, 4, true},   // x87, SSE, AVX
		{1536, 1536, 2, true}, // the stubs' AVX layout (amd64.FastAreaSize)
		{2696, 2752, 1, true}, // with AVX-512, rounded up to 64
		{4096, 4096, 1, true},
		{1000, 1024, 4, true},
		{2048, 2048, 2, true},
		{2049, 2112, 1, true},
		{4097, 0, 0, false},
		{0, 0, 0, false},
	} {
		l, ok := LayoutFor(c.size)
		if ok != c.ok || l.Stride != c.stride || l.PerFrame != c.perFrame {
			t.Errorf("LayoutFor(%d) = %+v, %v; want stride %d, %d a frame, %v", c.size, l, ok, c.stride, c.perFrame, c.ok)
		}
	}
}

// TestAcquireRelease: slots of one group share a frame, at distinct
// 64-byte aligned offsets that do not overlap; the frame comes back when
// the group's last slot is released, and not before.
func TestAcquireRelease(t *testing.T) {
	var a Areas
	if !a.SetLayout(1536) {
		t.Fatal("SetLayout(1536) failed")
	}
	p := newPool(t, 16)
	pa0, ok0 := p.acquire(&a, 0)
	pa1, ok1 := p.acquire(&a, 1)
	pa2, ok2 := p.acquire(&a, 2)
	if !ok0 || !ok1 || !ok2 {
		t.Fatal("Acquire failed with frames to spare")
	}
	if pa0&^(PageSize-1) != pa1&^(PageSize-1) || pa1-pa0 != 1536 {
		t.Errorf("slots 0 and 1: %#x and %#x, want one frame, 1536 apart", pa0, pa1)
	}
	if pa2&^(PageSize-1) == pa0&^(PageSize-1) {
		t.Errorf("slot 2 shares slot 0's frame (%#x, %#x)", pa2, pa0)
	}
	for _, pa := range []uint64{pa0, pa1, pa2} {
		if pa%Align != 0 || pa%PageSize+1536 > PageSize {
			t.Errorf("area %#x misaligned or past its frame", pa)
		}
	}
	if a.Frames() != 2 || len(p.out) != 2 {
		t.Fatalf("frames held %d (pool: %d out), want 2", a.Frames(), len(p.out))
	}
	if _, ok := a.Acquire(1, 0); ok {
		t.Error("Acquire of a slot that holds an area succeeded")
	}
	if !p.release(&a, 0) || a.Frames() != 2 {
		t.Errorf("after releasing slot 0 of 0-1: %d frames, want 2", a.Frames())
	}
	if p.release(&a, 0) {
		t.Error("second Release of slot 0 succeeded")
	}
	if !p.release(&a, 1) || a.Frames() != 1 || p.out[pa0&^(PageSize-1)] {
		t.Errorf("after releasing slots 0 and 1: %d frames, slot 0's frame still out: %v", a.Frames(), p.out[pa0&^(PageSize-1)])
	}
	if pa, ok := p.acquire(&a, 0); !ok || pa%PageSize != 0 {
		t.Errorf("Acquire(0) again = %#x, %v", pa, ok)
	}
	if a.SetLayout(512) {
		t.Error("SetLayout while areas are held succeeded")
	}
}

// TestAcquireWithoutFrame: a group without a frame refuses an Acquire
// given none, or a misaligned one, and holds nothing afterwards; a slot
// whose group has its frame needs none.
func TestAcquireWithoutFrame(t *testing.T) {
	var a Areas
	if _, ok := a.Acquire(0, 0x1000); ok {
		t.Error("Acquire without a layout succeeded")
	}
	a.SetLayout(1536)
	p := newPool(t, 1)
	if _, ok := p.acquire(&a, 0); !ok {
		t.Fatal("first Acquire failed")
	}
	if !a.NeedsFrame(2) || a.NeedsFrame(1) {
		t.Errorf("NeedsFrame(2) = %v, NeedsFrame(1) = %v; want true, false", a.NeedsFrame(2), a.NeedsFrame(1))
	}
	if _, ok := p.acquire(&a, 2); ok {
		t.Fatal("Acquire with no frame left succeeded")
	}
	if _, ok := a.Acquire(2, 0x2010); ok {
		t.Fatal("Acquire with a misaligned frame succeeded")
	}
	if p.release(&a, 2) {
		t.Error("Release of a slot whose Acquire failed succeeded")
	}
	if _, ok := p.acquire(&a, 1); !ok {
		t.Error("Acquire in a group that has its frame failed")
	}
	if a.Frames() != 1 {
		t.Errorf("frames held %d, want 1", a.Frames())
	}
	if _, ok := a.Acquire(MaxSlots, 0x1000); ok || a.NeedsFrame(-1) {
		t.Error("a slot out of range was accepted")
	}
}

// TestEveryLayout: for each layout, every slot acquired at once gets a
// distinct area inside a frame it was given, and releasing them all, in
// any order, gives every frame back.
func TestEveryLayout(t *testing.T) {
	for _, size := range []uint64{512, 576, 832, 1536, 2696, 4096} {
		var a Areas
		a.SetLayout(size)
		p := newPool(t, MaxSlots)
		seen := map[uint64]bool{}
		for s := range MaxSlots {
			pa, ok := p.acquire(&a, s)
			if !ok {
				t.Fatalf("size %d: Acquire(%d) failed", size, s)
			}
			if !p.out[pa&^(PageSize-1)] || seen[pa] || pa%PageSize+a.Layout().Stride > PageSize {
				t.Fatalf("size %d: slot %d's area %#x is bad", size, s, pa)
			}
			seen[pa] = true
		}
		want := (MaxSlots + a.Layout().PerFrame - 1) / a.Layout().PerFrame
		if a.Frames() != want {
			t.Errorf("size %d: %d frames for %d slots, want %d", size, a.Frames(), MaxSlots, want)
		}
		for s := 0; s < MaxSlots; s += 2 {
			p.release(&a, s)
		}
		for s := MaxSlots - 1; s >= 0; s -= 2 {
			p.release(&a, s)
		}
		if a.Frames() != 0 || len(p.out) != 0 {
			t.Errorf("size %d: %d frames still out after releasing all", size, len(p.out))
		}
	}
}
