package amd64

// Extended processor state (SDM Vol. 1 ch. 13).
const (
	CR4_OSXSAVE = 1 << 18

	// XCR0 state components.
	XCR0_X87       = 1 << 0
	XCR0_SSE       = 1 << 1
	XCR0_AVX       = 1 << 2
	XCR0_OPMASK    = 1 << 5
	XCR0_ZMM_HI256 = 1 << 6
	XCR0_HI16_ZMM  = 1 << 7
	xcr0AVX512     = XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM

	cpuidXSAVE     = 1 << 26 // CPUID.1:ECX
	cpuidXSaveLeaf = 0xD

	// FXSaveSize is the legacy FXSAVE area.
	FXSaveSize = 512
)

// EnableVectorState turns on XSAVE with every state component Go may use
// that the CPU supports (x87, SSE, AVX, AVX-512), matching what CPUID
// then tells the Go runtime, and returns the size of a save area. Without
// XSAVE it returns the FXSAVE size (SSE only) and useXSAVE false.
func EnableVectorState() (size int, useXSAVE bool, xcr0 uint64) {
	if _, _, ecx, _ := CPUID(1, 0); ecx&cpuidXSAVE == 0 {
		return FXSaveSize, false, XCR0_X87 | XCR0_SSE
	}
	supported, _, _, edx := CPUID(cpuidXSaveLeaf, 0)
	mask := uint64(supported) | uint64(edx)<<32
	xcr0 = XCR0_X87 | XCR0_SSE
	if mask&XCR0_AVX != 0 {
		xcr0 |= XCR0_AVX
		if mask&xcr0AVX512 == xcr0AVX512 {
			xcr0 |= xcr0AVX512
		}
	}
	WriteCR4(ReadCR4() | CR4_OSXSAVE)
	Xsetbv(0, xcr0)
	// EBX: the size the enabled components need.
	_, ebx, _, _ := CPUID(cpuidXSaveLeaf, 0)
	return int(ebx), true, xcr0
}
