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
// the entry stores MXCSR and the vector registers into the thread's area
// with ordinary moves and leaves the x87 registers in the CPU
// (PerCPU.EntryArea names the area). With SSE the XMM registers go where
// XSAVE's standard layout keeps them; with AVX the YMM registers go whole
// (one 32-byte move each, cheaper than splitting them) to a block of
// their own past the XSAVE part of the area, at ymmBlockOffset.
//
// ResumeUser loads the registers and MXCSR back with moves when it
// returns to the same thread. Otherwise it first completes the area of
// the thread that entered: the YMM block split into XSAVE's layout, and
// the x87 state stored with XSAVE of that component alone; then it
// restores the next thread's whole state with XRSTOR. Kernel code that
// reads or writes a thread's area calls PerCPU.VectorStateToMemory first,
// which completes the area the same way. With AVX-512 (whose upper ZMM
// halves VZEROUPPER also clears) or without XSAVE, every trap saves and
// restores the whole state with XSAVE/XRSTOR (or FXSAVE/FXRSTOR).
const (
	VectorSaveFull = 0
	VectorSaveSSE  = 1
	VectorSaveAVX  = 2

	// xsaveAVXOffset is where XSAVE's standard format keeps the upper
	// halves of YMM0-YMM15, as CPUID.(EAX=0DH,ECX=2):EBX reports it
	// (SDM Vol. 1 §13.4); storeEntryState has it built in.
	xsaveAVXOffset = 576
	// XSTATE_BV, the first word of the XSAVE header at byte 512.
	xsaveHeaderOffset = 512
	// ymmBlockOffset is where VectorSaveAVX stores YMM0-YMM15 whole,
	// past the XSAVE part of the area (at most ymmBlockOffset bytes).
	ymmBlockOffset = 1024
	// FastAreaSize is the least size of a save area (PerCPU.XSaveArea)
	// when FastVector is VectorSaveAVX.
	FastAreaSize = ymmBlockOffset + 16*32
)

// FastVectorMode chooses PerCPU.FastVector from what EnableVectorState
// enabled (the XSAVE area's size and XCR0) and where the CPU's XSAVE
// layout keeps the AVX state.
func FastVectorMode(useXSAVE bool, size int, xcr0 uint64, avxOffset uint32) uint8 {
	switch {
	case !useXSAVE:
		return VectorSaveFull
	case xcr0 == XCR0_X87|XCR0_SSE:
		return VectorSaveSSE
	case xcr0 == XCR0_X87|XCR0_SSE|XCR0_AVX && avxOffset == xsaveAVXOffset && size <= ymmBlockOffset:
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
		storeEntryVector(c)
	}
}

// storeEntryVector completes c.EntryArea and clears EntryArea
// (trap_common_amd64.s).
//
//go:noescape
func storeEntryVector(c *PerCPU)
