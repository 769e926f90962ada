package exitstatus

import (
	"math"
	"strconv"
	"testing"
)

func TestFromQEMU(t *testing.T) {
	tests := []struct {
		code   int
		status int
		ok     bool
	}{
		{1, 0, true},
		{3, 1, true},
		{5, 2, true},
		{2*BootFailure + 1, BootFailure, true},
		{2*KernelFault + 1, KernelFault, true},
		{253, 126, true},
		{255, 127, true},
		// Even codes: QEMU stopped for another reason.
		{0, 0, false},
		{2, 0, false},
		{254, 0, false},
		// Outside a process exit code.
		{256, 0, false},
		{257, 0, false},
		{-1, 0, false},
		{-255, 0, false},
		{math.MaxInt, 0, false},
		{math.MinInt, 0, false},
		{math.MinInt + 1, 0, false},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.code), func(t *testing.T) {
			status, ok := FromQEMU(tt.code)
			if status != tt.status || ok != tt.ok {
				t.Errorf("FromQEMU(%d) = %d, %v; want %d, %v", tt.code, status, ok, tt.status, tt.ok)
			}
		})
	}
}

func TestFromQEMUInvertsDebugExit(t *testing.T) {
	// QEMU exits with (status<<1)|1 for every status the guest can write.
	for s := 0; s <= Max; s++ {
		if got, ok := FromQEMU(s<<1 | 1); !ok || got != s {
			t.Errorf("FromQEMU(%d) = %d, %v; want %d, true", s<<1|1, got, ok, s)
		}
	}
}

func TestConstants(t *testing.T) {
	if DebugExitPort != 0xf4 {
		t.Errorf("DebugExitPort = %#x, want 0xf4", DebugExitPort)
	}
	if Max != 127 {
		t.Errorf("Max = %d, want 127", Max)
	}
	for _, tt := range []struct {
		name string
		v    int
	}{{"BootFailure", BootFailure}, {"KernelFault", KernelFault}} {
		if tt.v <= 1 || tt.v > Max {
			t.Errorf("%s = %d, want 2..%d (0 and 1 are the program's)", tt.name, tt.v, Max)
		}
	}
	if BootFailure == KernelFault {
		t.Errorf("BootFailure and KernelFault are both %d", BootFailure)
	}
}
