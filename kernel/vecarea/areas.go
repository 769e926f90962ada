package vecarea

// PageSize is the size of a frame.
const PageSize = 4096

// Align is the alignment XSAVE, XRSTOR, FXSAVE and FXRSTOR require of
// their memory operand (SDM Vol. 1 §13.4; FXSAVE needs 16, XSAVE 64).
const Align = 64

// MaxSlots bounds the thread slots an Areas serves.
const MaxSlots = 256

// Layout is how areas of one size sit in frames.
type Layout struct {
	// Stride is the size of an area, rounded up to Align: area k of a
	// frame starts at k*Stride.
	Stride uint64
	// PerFrame is how many areas a frame holds.
	PerFrame int
}

// LayoutFor returns the layout of areas of size bytes, or ok false if
// an area would not fit in a frame (or size is 0).
func LayoutFor(size uint64) (l Layout, ok bool) {
	if size == 0 || size > PageSize {
		return Layout{}, false
	}
	stride := (size + Align - 1) &^ (Align - 1)
	return Layout{Stride: stride, PerFrame: int(PageSize / stride)}, true
}

// Areas is the frames holding the areas of MaxSlots thread slots.
// The zero value has no layout; SetLayout must come first.
type Areas struct {
	layout Layout
	// frame is each group's frame; users, how many of its slots hold
	// an area.
	frame [MaxSlots]uint64
	users [MaxSlots]uint16
	// held says which slots hold an area, so that Release of a slot
	// that holds none changes nothing.
	held [MaxSlots]bool
	// frames counts the frames held, for reports.
	frames int
}

// SetLayout sets the areas' size. It reports false, and changes
// nothing, if size does not fit in a frame or areas are held.
func (a *Areas) SetLayout(size uint64) bool {
	l, ok := LayoutFor(size)
	if !ok || a.frames != 0 {
		return false
	}
	a.layout = l
	return true
}

// Layout returns the layout SetLayout chose.
func (a *Areas) Layout() Layout { return a.layout }

// Frames is how many frames the areas hold now.
func (a *Areas) Frames() int { return a.frames }

// NeedsFrame reports whether Acquire of slot needs a frame: whether
// the slot's group holds none yet.
func (a *Areas) NeedsFrame(slot int) bool {
	return a.layout.PerFrame != 0 && slot >= 0 && slot < MaxSlots && a.users[slot/a.layout.PerFrame] == 0
}

// Acquire gives slot its area and returns the area's physical address.
// frame is a free frame for the slot's group when NeedsFrame says it
// needs one, and is ignored otherwise. ok is false, and nothing changes
// (frame stays the caller's), if the slot is out of range or already
// holds an area, the group needs a frame and frame is 0, or no layout
// is set.
func (a *Areas) Acquire(slot int, frame uint64) (pa uint64, ok bool) {
	if a.layout.PerFrame == 0 || slot < 0 || slot >= MaxSlots || a.held[slot] {
		return 0, false
	}
	g := slot / a.layout.PerFrame
	if a.users[g] == 0 {
		if frame == 0 || frame%PageSize != 0 {
			return 0, false
		}
		a.frame[g] = frame
		a.frames++
	}
	a.users[g]++
	a.held[slot] = true
	return a.frame[g] + uint64(slot%a.layout.PerFrame)*a.layout.Stride, true
}

// Release takes slot's area back. Once no slot of its group holds an
// area it returns the group's frame, which the caller frees; otherwise
// free is 0. ok is false, and nothing changes, if the slot held none.
func (a *Areas) Release(slot int) (free uint64, ok bool) {
	if slot < 0 || slot >= MaxSlots || !a.held[slot] {
		return 0, false
	}
	a.held[slot] = false
	g := slot / a.layout.PerFrame
	a.users[g]--
	if a.users[g] == 0 {
		free = a.frame[g]
		a.frame[g] = 0
		a.frames--
	}
	return free, true
}
