package amd64

import "testing"

func TestFastVectorMode(t *testing.T) {
	for _, tt := range []struct {
		name      string
		useXSAVE  bool
		size      int
		xcr0      uint64
		avxOffset uint32
		want      uint8
	}{
		{"FXSAVE only", false, 512, XCR0_X87 | XCR0_SSE, 0, VectorSaveFull},
		{"XSAVE, SSE", true, 576, XCR0_X87 | XCR0_SSE, 0, VectorSaveSSE},
		{"XSAVE, AVX", true, 832, XCR0_X87 | XCR0_SSE | XCR0_AVX, 576, VectorSaveAVX},
		{"AVX elsewhere", true, 1088, XCR0_X87 | XCR0_SSE | XCR0_AVX, 832, VectorSaveFull},
		{"AVX, area past the YMM block", true, ymmBlockOffset + 64, XCR0_X87 | XCR0_SSE | XCR0_AVX, 576, VectorSaveFull},
		{"AVX-512", true, 2688, XCR0_X87 | XCR0_SSE | XCR0_AVX | xcr0AVX512, 576, VectorSaveFull},
	} {
		if got := FastVectorMode(tt.useXSAVE, tt.size, tt.xcr0, tt.avxOffset); got != tt.want {
			t.Errorf("%s: FastVectorMode = %d, want %d", tt.name, got, tt.want)
		}
	}
}
