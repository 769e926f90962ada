package stackwalk

// callerRegs returns its caller's PC, SP and frame pointer, for the
// tests to walk the real stack of a goroutine (regs_amd64.s). The linker
// drops it from images, which never call it.
func callerRegs() (pc, sp, fp uint64)
