package smp

import "testing"

func TestChooseAPICMode(t *testing.T) {
	tests := []struct {
		name    string
		f       APICFacts
		x2, bad bool
	}{
		{"QEMU TCG, 4 CPUs", APICFacts{MaxAPICID: 3}, false, false},
		{"KVM, 4 CPUs, x2APIC offered but not needed", APICFacts{Supported: true, MaxAPICID: 3}, false, false},
		{"firmware left x2APIC on", APICFacts{FirmwareX2APIC: true, Supported: true, MaxAPICID: 3}, true, false},
		// Firmware in x2APIC mode wins over everything else.
		{"firmware x2APIC, not asked", APICFacts{FirmwareX2APIC: true, Supported: true}, true, false},
		{"asked, supported", APICFacts{Asked: true, Supported: true}, true, false},
		{"asked, not supported", APICFacts{Asked: true, MaxAPICID: 1}, false, true},
		{"APIC ID 256, supported", APICFacts{Supported: true, MaxAPICID: 256}, true, false},
		{"APIC ID 255, supported: xAPIC reaches it", APICFacts{Supported: true, MaxAPICID: 255}, false, false},
		// Without support the big IDs are left out, but the boot goes on.
		{"APIC ID 300, not supported", APICFacts{MaxAPICID: 300}, false, false},
	}
	for _, tt := range tests {
		x2, why, failure := ChooseAPICMode(tt.f)
		if x2 != tt.x2 || (failure != "") != tt.bad {
			t.Errorf("%s: x2 %v, failure %q; want x2 %v, failure %v", tt.name, x2, failure, tt.x2, tt.bad)
		}
		if x2 && why == "" {
			t.Errorf("%s: x2APIC mode without a reason", tt.name)
		}
	}
}
