package amd64

// How a trap from ring 3 saves the thread's vector state.
//
// XSAVE and XRSTOR of every enabled component cost more than the rest of
// a short system call under TCG, where each is a helper that copies the
// x87, SSE and AVX registers one by one. Kernel code is Go code: it may
// change XMM0-XMM15, the upper halves of YMM0-YMM15 (runtime.memmove's
// AVX loops end in VZEROUPPER) and nothing else: Go never executes x87 or
// MMX instructions, and of MXCSR it may set only the sticky exception
// flags. So when the enabled state is x87 and SSE, or x87, SSE and AVX,
// the entry stores the vector registers and MXCSR into the thread's area
// with ordinary moves, in XSAVE's
// standard layout, marks them valid in XSTATE_BV, and leaves the x87
// registers in the CPU (PerCPU.EntryArea names the area). ResumeUser
// loads the vector registers and MXCSR back with moves when it returns
// to the same
// thread, and otherwise first stores the entry thread's x87 state
// (XSAVE of that component alone) and then restores the next thread's
// whole state with XRSTOR. Kernel code that reads or writes a thread's
// area calls PerCPU.VectorStateToMemory first. With AVX-512 (whose upper
// ZMM halves VZEROUPPER also clears) or without XSAVE, every trap saves
// and restores the whole state with XSAVE/XRSTOR (or FXSAVE/FXRSTOR).
const (
	VectorSaveFull = 0
	VectorSaveSSE  = 1
	VectorSaveAVX  = 2

	// xsaveAVXOffset is where XSAVE's standard format keeps the upper
	// halves of YMM0-YMM15, as CPUID.(EAX=0DH,ECX=2):EBX reports it
	// (SDM Vol. 1 §13.4); the entry stub has it built in.
	xsaveAVXOffset = 576
	// XSTATE_BV, the first word of the XSAVE header at byte 512.
	xsaveHeaderOffset = 512
)

// FastVectorMode chooses PerCPU.FastVector from what EnableVectorState
// enabled and where the CPU's XSAVE layout keeps the AVX state.
func FastVectorMode(useXSAVE bool, xcr0 uint64, avxOffset uint32) uint8 {
	switch {
	case !useXSAVE:
		return VectorSaveFull
	case xcr0 == XCR0_X87|XCR0_SSE:
		return VectorSaveSSE
	case xcr0 == XCR0_X87|XCR0_SSE|XCR0_AVX && avxOffset == xsaveAVXOffset:
		return VectorSaveAVX
	}
	return VectorSaveFull
}

// AVXStateOffset returns the offset of the AVX component in XSAVE's
// standard format.
func AVXStateOffset() uint32 {
	_, ebx, _, _ := CPUID(cpuidXSaveLeaf, 2)
	return ebx
}

// VectorStateToMemory stores the part of the last ring-3 entry's vector
// state that the entry left in the CPU (see FastVector), so that the
// thread's area holds all of it and may be read or rewritten; the next
// ResumeUser then restores the area with XRSTOR.
//
// Trap context: yes.
func (c *PerCPU) VectorStateToMemory() {
	if c.EntryArea != 0 {
		saveX87(c)
	}
}

// saveX87 stores the x87 state into c.EntryArea with XSAVE and clears
// EntryArea (trap_common_amd64.s).
//
//go:noescape
func saveX87(c *PerCPU)
