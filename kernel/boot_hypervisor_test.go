package kernel

import (
	"fmt"
	"strings"
	"testing"
)

func sig12(t *testing.T, s string) *[12]byte {
	t.Helper()
	var b [12]byte
	if len(s) != 12 {
		t.Fatalf("test signature %q is %d bytes, want 12", s, len(s))
	}
	copy(b[:], s)
	return &b
}

func TestNameForSignature(t *testing.T) {
	tests := []struct {
		name string
		sig  string
		want string
	}{
		{"KVM", "KVMKVMKVM\x00\x00\x00", "KVM"},
		{"QEMU TCG", "TCGTCGTCGTCG", "QEMU TCG"},
		{"Hyper-V", "Microsoft Hv", "Hyper-V"},
		{"VMware", "VMwareVMware", "VMware"},
		{"Xen", "XenVMMXenVMM", "Xen"},
		{"bhyve", "bhyve bhyve ", "bhyve"},
		{"ACRN", "ACRNACRNACRN", "ACRN"},
		{"Parallels", " lrpepyh  vr", "Parallels"},
		{"VirtualBox", "VBoxVBoxVBox", "VirtualBox"},
		{"unknown, printable", "MyHypervisor", "MyHypervisor"},
		{"unknown, trailing NULs trimmed", "Firecrckr\x00\x00\x00", "Firecrckr"},
		{"unknown, one trailing NUL", "Jailhouse01\x00", "Jailhouse01"},
		{"unknown, trailing spaces kept", "KVMKVMKVM   ", "KVMKVMKVM   "},
		{"unknown, inner NUL becomes ?", "AB\x00CD\x00\x00\x00\x00\x00\x00\x00", "AB?CD"},
		{"unknown, control and high bytes become ?", "a\x01b\x1fc\x7fd\x80e\xff\x00\x00", "a?b?c?d?e?"},
		{"unknown, printable edges kept", " ~!/09AZaz{}", " ~!/09AZaz{}"},
		{"leading NULs", "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00X", "???????????X"},
		{"all zero", "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", "an unnamed hypervisor"},
		{"KVM prefix with garbage tail is not KVM", "KVMKVMKVM\x00\x00\x01", "KVMKVMKVM???"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig := sig12(t, tt.sig)
			// The result may point into sig; copy it before looking.
			got := strings.Clone(nameForSignature(sig))
			if got != tt.want {
				t.Errorf("nameForSignature(%q) = %q, want %q", tt.sig, got, tt.want)
			}
		})
	}
}

func TestKnownHypervisorSignatures(t *testing.T) {
	seen := map[string]bool{}
	for _, h := range knownHypervisors {
		if len(h.signature) != 12 {
			t.Errorf("signature %q of %s is %d bytes, want 12 (EBX, ECX, EDX)", h.signature, h.name, len(h.signature))
			continue
		}
		if seen[h.signature] {
			t.Errorf("signature %q listed twice", h.signature)
		}
		seen[h.signature] = true
		if got := strings.Clone(nameForSignature(sig12(t, h.signature))); got != h.name {
			t.Errorf("nameForSignature(%q) = %q, want %q", h.signature, got, h.name)
		}
	}
}

func TestNameForSignatureDoesNotAllocate(t *testing.T) {
	// Called from the boot path, before the Go runtime has a heap.
	known := sig12(t, "KVMKVMKVM\x00\x00\x00")
	unknown := sig12(t, "Unknown\x01\x00\x00\x00\x00")
	if n := testing.AllocsPerRun(100, func() {
		nameForSignature(known)
		nameForSignature(unknown)
	}); n != 0 {
		t.Errorf("nameForSignature allocates %v times per run, want 0", n)
	}
}

func TestPageFaultCause(t *testing.T) {
	tests := []struct {
		code uint64
		want string
	}{
		// P (bit 0), W/R (bit 1), U/S (bit 2): all eight combinations.
		{0b000, "read of a not-present page in ring 0"},
		{0b001, "read of a protected page in ring 0"},
		{0b010, "write to a not-present page in ring 0"},
		{0b011, "write to a protected page in ring 0"},
		{0b100, "read of a not-present page in ring 3"},
		{0b101, "read of a protected page in ring 3"},
		{0b110, "write to a not-present page in ring 3"},
		{0b111, "write to a protected page in ring 3"},
		// I/D (bit 4): instruction fetch.
		{0x10, "instruction fetch from a not-present page"},
		{0x11, "instruction fetch from a non-executable page"},
		{0x14, "instruction fetch from a not-present page"},
		{0x15, "instruction fetch from a non-executable page"},
		// Bits the description does not use: RSVD (3), PK (5), SS (6),
		// SGX (15) and above.
		{0x08 | 0b011, "write to a protected page in ring 0"},
		{0x20 | 0b101, "read of a protected page in ring 3"},
		{0x8000 | 0b111, "write to a protected page in ring 3"},
		{1<<63 | 0b100, "read of a not-present page in ring 3"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("code %#x", tt.code), func(t *testing.T) {
			if got := pageFaultCause(tt.code); got != tt.want {
				t.Errorf("pageFaultCause(%#x) = %q, want %q", tt.code, got, tt.want)
			}
		})
	}
}

func TestPageFaultBits(t *testing.T) {
	// SDM Vol. 3A §4.7, Figure 4-12.
	for _, tt := range []struct {
		name      string
		got, want int
	}{
		{"pfPresent", pfPresent, 1 << 0},
		{"pfWrite", pfWrite, 1 << 1},
		{"pfUser", pfUser, 1 << 2},
		{"pfFetch", pfFetch, 1 << 4},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %#x, want %#x", tt.name, tt.got, tt.want)
		}
	}
}
