package sysgo

// Goroutines that call deep into netstack (a segment sent goes through
// TCP, IP, the link and the driver) start on the runtime's smallest
// stack and outgrow it several times in their first call: each time the
// runtime copies the whole stack, adjusting every frame, which it finds
// through the pc tables. Grown here first, while the goroutine has
// hardly a frame, the stack is copied once and cheaply.

// GoDeep is Go for a goroutine that will call deep into netstack: its
// stack is grown before f runs (see GrowStack).
func GoDeep(f func()) {
	Go(func() {
		GrowStack()
		f()
	})
}

// GrowStack grows the calling goroutine's stack in one step to the size
// that netstack's deepest paths need (16 KiB), so that they do not grow
// it a step at a time later. Under emulation the one copy costs some tens
// of microseconds: worth it only for a goroutine that surely goes deep.
//
// It is in assembly because only there can a function reserve a frame
// without clearing it: its 12 KiB frame makes the runtime's stack check
// in its prologue grow the stack (which doubles the stack until the
// frame fits), and it returns at once. Implemented in sysgo_amd64.s.
func GrowStack()
