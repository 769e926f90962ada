package sysgo

// Goroutines that call deep into netstack (a segment sent goes through
// TCP, IP, the link and the driver) start on the runtime's smallest
// stack and outgrow it several times in their first call: each time the
// runtime copies the whole stack, adjusting every frame, which it finds
// through the pc tables. Grown here first, while the goroutine has
// hardly a frame, the stack is copied once and cheaply.

// deepStackFrame is the frame GrowStack reserves: the stack then has
// room for this much more than the caller already uses, and the runtime,
// which doubles the stack until the frame fits, makes it 16 KiB.
const deepStackFrame = 12 << 10

// GoDeep is Go for a goroutine that will call deep into netstack: its
// stack is grown before f runs (see GrowStack).
func GoDeep(f func()) {
	Go(func() {
		GrowStack()
		f()
	})
}

// GrowStack grows the calling goroutine's stack in one step to the size
// that netstack's deepest paths need, so that they do not grow it a
// page at a time later. Call it first thing in a goroutine that the
// runtime, not coracle, starts (a time.AfterFunc callback).
//
//go:noinline
func GrowStack() {
	var frame [deepStackFrame]byte
	keep(&frame)
}

// keep makes the frame's array live, so that the compiler reserves it.
//
//go:noinline
func keep(*[deepStackFrame]byte) {}
