package clock

import (
	"encoding/binary"
	"testing"
)

func TestIsKVMSignature(t *testing.T) {
	sig := func(s string) (uint32, uint32, uint32) {
		b := []byte(s)
		return binary.LittleEndian.Uint32(b[0:]), binary.LittleEndian.Uint32(b[4:]), binary.LittleEndian.Uint32(b[8:])
	}
	tests := []struct {
		sig  string
		want bool
	}{
		{"KVMKVMKVM\x00\x00\x00", true},
		{"TCGTCGTCGTCG", false},
		{"Microsoft Hv", false},
		{"KVMKVMKVM\x00\x00\x01", false},
		{"KVMKVMKVMKVM", false},
		{"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", false},
	}
	for _, tt := range tests {
		if got := IsKVMSignature(sig(tt.sig)); got != tt.want {
			t.Errorf("IsKVMSignature(%q) = %v, want %v", tt.sig, got, tt.want)
		}
	}
}

func TestDecodeKVMFeatures(t *testing.T) {
	tests := []struct {
		eax  uint32
		want KVMClock
	}{
		{0, KVMClock{Base: 0x40000000}},
		{1 << 0, KVMClock{Base: 0x40000000}}, // old clocksource only
		{1 << 3, KVMClock{Base: 0x40000000, OK: true}},
		{1<<3 | 1<<24, KVMClock{Base: 0x40000000, OK: true, Stable: true}},
		// Many features at once, other bits ignored.
		{0x01007AFB, KVMClock{Base: 0x40000000, OK: true, Stable: true}},
	}
	for _, tt := range tests {
		if got := DecodeKVMFeatures(0x40000000, tt.eax); got != tt.want {
			t.Errorf("DecodeKVMFeatures(%#x) = %+v, want %+v", tt.eax, got, tt.want)
		}
	}
}

// TestDetectKVMClockOnHost runs the CPUID probe where the tests run (CPUID
// works in ring 3); it only logs, since the host may or may not be KVM.
func TestDetectKVMClockOnHost(t *testing.T) {
	t.Logf("host: %+v", DetectKVMClock())
}
