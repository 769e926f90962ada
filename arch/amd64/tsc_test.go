package amd64

import "testing"

func TestCrystalTSCHz(t *testing.T) {
	tests := []struct {
		name          string
		eax, ebx, ecx uint32
		want          uint64
	}{
		// Skylake client: 24 MHz crystal, ratio 2:234 -> 2.808 GHz.
		{"skylake", 2, 234, 24000000, 2808000000},
		// Xeon Scalable: 25 MHz crystal, ratio 2:168 -> 2.1 GHz.
		{"xeon", 2, 168, 25000000, 2100000000},
		// Goldmont: 19.2 MHz crystal.
		{"goldmont", 1, 92, 19200000, 1766400000},
		// Rounds down.
		{"rounding", 3, 1, 10, 3},
		{"no ratio (EBX 0)", 2, 0, 24000000, 0},
		{"no denominator (EAX 0)", 0, 234, 24000000, 0},
		{"no crystal (ECX 0)", 2, 234, 0, 0},
		{"all zero (leaf reserved, AMD)", 0, 0, 0, 0},
		{"largest values", 1, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFE00000001},
	}
	for _, tt := range tests {
		if got := CrystalTSCHz(tt.eax, tt.ebx, tt.ecx); got != tt.want {
			t.Errorf("%s: CrystalTSCHz(%d, %d, %d) = %d, want %d", tt.name, tt.eax, tt.ebx, tt.ecx, got, tt.want)
		}
	}
}

func TestCrystalBaseTSCHz(t *testing.T) {
	tests := []struct {
		name      string
		eax, ebx  uint32
		frequency uint32
		want      uint64
	}{
		// Skylake client without ECX: base 2800 MHz, ratio 2:234 ->
		// crystal 23.931623 MHz -> TSC 2799999891 Hz.
		{"skylake", 2, 234, 2800, 2799999891},
		// An exact crystal: base 2100 MHz, ratio 2:168 -> 25 MHz.
		{"exact", 2, 168, 2100, 2100000000},
		{"reserved high bits ignored", 2, 168, 0xABCD0000 | 2100, 2100000000},
		{"no 0x16", 2, 168, 0, 0},
		{"no ratio", 2, 0, 2100, 0},
		{"no denominator", 0, 168, 2100, 0},
	}
	for _, tt := range tests {
		if got := CrystalBaseTSCHz(tt.eax, tt.ebx, tt.frequency); got != tt.want {
			t.Errorf("%s: CrystalBaseTSCHz(%d, %d, %#x) = %d, want %d", tt.name, tt.eax, tt.ebx, tt.frequency, got, tt.want)
		}
	}
}

func TestBaseAndHypervisorHz(t *testing.T) {
	if got := BaseFrequencyHz(3000); got != 3000000000 {
		t.Errorf("BaseFrequencyHz(3000) = %d, want 3e9", got)
	}
	if got := BaseFrequencyHz(0xFFFF0000); got != 0 {
		t.Errorf("BaseFrequencyHz(0xFFFF0000) = %d, want 0 (bits 31:16 reserved)", got)
	}
	if got := HypervisorTSCHz(2592000); got != 2592000000 {
		t.Errorf("HypervisorTSCHz(2592000) = %d, want 2592000000", got)
	}
	if got := HypervisorTSCHz(0xFFFFFFFF); got != 4294967295000 {
		t.Errorf("HypervisorTSCHz(max) = %d, want 4294967295000", got)
	}
}

func TestHypervisorLeafPresent(t *testing.T) {
	tests := []struct {
		max, leaf uint32
		want      bool
	}{
		{0x40000010, 0x40000010, true},
		{0x40000011, 0x40000010, true},
		{0x40000001, 0x40000010, false}, // KVM without vmware-cpuid-freq
		{0x4000000B, 0x40000010, false}, // Hyper-V
		{0, 0x40000001, true},           // old KVM: 0 means 0x40000001
		{0, 0x40000010, false},
		{0x0000000D, 0x40000010, false}, // garbage: a basic leaf's data
		{0x80000008, 0x40000010, false},
		{0x4FFFFFFF, 0x40000010, false}, // outside the 0x4000xxxx range
	}
	for _, tt := range tests {
		if got := HypervisorLeafPresent(tt.max, tt.leaf); got != tt.want {
			t.Errorf("HypervisorLeafPresent(%#x, %#x) = %v, want %v", tt.max, tt.leaf, got, tt.want)
		}
	}
}

func TestTSCLeavesFrequency(t *testing.T) {
	tests := []struct {
		name   string
		leaves TSCLeaves
		hz     uint64
		src    TSCSource
	}{
		{"nothing (QEMU TCG -cpu max: max basic leaf 0xD)", TSCLeaves{MaxBasic: 0xD}, 0, TSCUnknown},
		{"hypervisor leaf wins", TSCLeaves{
			TimingEAX: 2592000, Crystal: [3]uint32{2, 216, 24000000}, FrequencyEAX: 2600,
		}, 2592000000, TSCFromHypervisor},
		{"crystal", TSCLeaves{Crystal: [3]uint32{2, 216, 24000000}, FrequencyEAX: 2600}, 2592000000, TSCFromCrystal},
		{"crystal from base", TSCLeaves{Crystal: [3]uint32{2, 168, 0}, FrequencyEAX: 2100}, 2100000000, TSCFromCrystalBase},
		{"base only", TSCLeaves{FrequencyEAX: 3400}, 3400000000, TSCFromBaseFrequency},
		{"ratio without crystal or base", TSCLeaves{Crystal: [3]uint32{2, 168, 0}}, 0, TSCUnknown},
	}
	for _, tt := range tests {
		hz, src := tt.leaves.Frequency()
		if hz != tt.hz || src != tt.src {
			t.Errorf("%s: Frequency() = %d, %v; want %d, %v", tt.name, hz, src, tt.hz, tt.src)
		}
	}
}

func TestInvariantTSC(t *testing.T) {
	for _, tt := range []struct {
		edx  uint32
		want bool
	}{{0, false}, {1 << 8, true}, {0xFFFFFEFF, false}, {0xFFFFFFFF, true}} {
		l := TSCLeaves{PowerEDX: tt.edx}
		if got := l.InvariantTSC(); got != tt.want {
			t.Errorf("InvariantTSC with EDX %#x = %v, want %v", tt.edx, got, tt.want)
		}
	}
}

func TestTSCSourceString(t *testing.T) {
	seen := map[string]bool{}
	for s := TSCUnknown; s <= TSCFromBaseFrequency; s++ {
		name := s.String()
		if name == "" || seen[name] {
			t.Errorf("TSCSource(%d).String() = %q: empty or repeated", s, name)
		}
		seen[name] = true
	}
}

// TestReadTSCLeavesOnHost runs the CPUID sequence on the host CPU (CPUID
// is allowed in ring 3) and checks it is self-consistent.
func TestReadTSCLeavesOnHost(t *testing.T) {
	l := ReadTSCLeaves()
	if l.MaxBasic < CPUID_TSC_CRYSTAL && l.Crystal != [3]uint32{} {
		t.Errorf("leaf 0x15 read although the maximum basic leaf is %#x", l.MaxBasic)
	}
	if l.FeaturesECX&(1<<FEATURES_ECX_HYPERVISOR) == 0 && (l.MaxHypervisor != 0 || l.TimingEAX != 0) {
		t.Errorf("hypervisor leaves read without the hypervisor bit")
	}
	hz, src := l.Frequency()
	t.Logf("host: max basic %#x, hypervisor max %#x, TSC %d Hz from %v, invariant %v", l.MaxBasic, l.MaxHypervisor, hz, src, l.InvariantTSC())
	if n := testing.AllocsPerRun(10, func() {
		l := ReadTSCLeaves()
		l.Frequency()
	}); n != 0 {
		t.Errorf("ReadTSCLeaves+Frequency allocate %v times per run, want 0", n)
	}
}
