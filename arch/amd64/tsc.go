package amd64

// TSC frequency discovery from CPUID, without calibration.
//
// The time-stamp counter (SDM Vol. 3B §18.17 "Time-Stamp Counter") is the
// clock every other kernel clock is derived from. Its rate can often be
// read instead of measured:
//
//   - Hypervisors that follow the VMware timing convention (QEMU/KVM with
//     vmware-cpuid-freq=on and a known, stable TSC rate; VMware; Cloud
//     Hypervisor) report it in kHz in CPUID 0x40000010 EAX. It is exactly
//     the rate the hypervisor programmed, so it is preferred.
//   - Intel CPUs since Skylake report TSC/crystal ratio and the crystal
//     frequency in CPUID 0x15 (SDM Vol. 2A, CPUID, "Time Stamp Counter and
//     Nominal Core Crystal Clock Information Leaf"). When the crystal
//     frequency reads 0, the crystal is derived from the processor base
//     frequency in CPUID 0x16 as Linux does (arch/x86/kernel/tsc.c
//     native_calibrate_tsc).
//   - CPUID 0x16 EAX alone (SDM Vol. 2A, "Processor Frequency Information
//     Leaf") is the processor base frequency. The SDM does not promise that
//     it is the TSC rate; on Intel parts with an invariant TSC it is in
//     practice. Callers that can calibrate should prefer calibration to it
//     (see TSCFromBaseFrequency).
//
// Whether the TSC keeps a constant rate across P-, C- and T-states is
// CPUID 0x80000007 EDX bit 8 (SDM Vol. 3B §18.17.1 "Invariant TSC").

// CPUID leaves and bits read here (SDM Vol. 2A, CPUID instruction).
const (
	CPUID_BASIC_MAX         = 0x0        // EAX: highest basic leaf
	CPUID_FEATURES          = 0x1        // ECX/EDX: feature flags
	CPUID_TSC_CRYSTAL       = 0x15       // EAX: ratio denominator, EBX: numerator, ECX: crystal Hz
	CPUID_FREQUENCY         = 0x16       // EAX[15:0]: base MHz, EBX: max MHz, ECX: bus MHz
	CPUID_HYPERVISOR_BASE   = 0x40000000 // EAX: highest hypervisor leaf, EBX:ECX:EDX signature
	CPUID_HYPERVISOR_TIMING = 0x40000010 // EAX: TSC kHz, EBX: LAPIC bus kHz (VMware convention)
	CPUID_EXTENDED_MAX      = 0x80000000 // EAX: highest extended leaf
	CPUID_ADVANCED_POWER    = 0x80000007 // EDX: advanced power management

	// CPUID.1:ECX bit positions.
	FEATURES_ECX_X2APIC       = 21 // x2APIC mode supported
	FEATURES_ECX_TSC_DEADLINE = 24 // LAPIC timer TSC-deadline mode supported
	FEATURES_ECX_HYPERVISOR   = 31 // running under a hypervisor (reserved 0 on bare metal)

	// CPUID.0x80000007:EDX bit positions.
	ADVANCED_POWER_EDX_INVARIANT_TSC = 8

	// CPUID.0x16:EAX field: bits 15:0.
	FREQUENCY_BASE_MHZ_MASK = 0xFFFF
)

// TSCSource says where a TSC frequency came from, from most to least
// trustworthy.
type TSCSource uint8

const (
	TSCUnknown           TSCSource = iota // no CPUID leaf gives it: calibrate
	TSCFromHypervisor                     // CPUID 0x40000010 EAX (kHz)
	TSCFromCrystal                        // CPUID 0x15: crystal Hz * EBX / EAX
	TSCFromCrystalBase                    // CPUID 0x15 ratio, crystal derived from CPUID 0x16
	TSCFromBaseFrequency                  // CPUID 0x16 base MHz: an estimate, not architectural
)

// String names the source for boot messages.
func (s TSCSource) String() string {
	switch s {
	case TSCFromHypervisor:
		return "CPUID 0x40000010 (hypervisor)"
	case TSCFromCrystal:
		return "CPUID 0x15 (crystal)"
	case TSCFromCrystalBase:
		return "CPUID 0x15 ratio and 0x16 base frequency"
	case TSCFromBaseFrequency:
		return "CPUID 0x16 base frequency (estimate)"
	}
	return "unknown"
}

// TSCLeaves holds the CPUID outputs that TSC discovery decodes. ReadTSCLeaves
// fills it from the CPU; tests fill it by hand. Leaves beyond a maximum are
// left zero.
type TSCLeaves struct {
	MaxBasic      uint32    // CPUID.0:EAX
	FeaturesECX   uint32    // CPUID.1:ECX
	Crystal       [3]uint32 // CPUID.15h: EAX, EBX, ECX
	FrequencyEAX  uint32    // CPUID.16h:EAX
	MaxHypervisor uint32    // CPUID.40000000h:EAX, when FeaturesECX says hypervisor
	TimingEAX     uint32    // CPUID.40000010h:EAX (TSC kHz)
	MaxExtended   uint32    // CPUID.80000000h:EAX
	PowerEDX      uint32    // CPUID.80000007h:EDX
}

// ReadTSCLeaves executes the CPUID leaves TSC discovery needs, skipping any
// above the CPU's reported maxima (SDM Vol. 2A: a leaf above the maximum
// returns the data of the highest basic leaf, not zeros).
//
// Trap context: safe (CPUID only), though it is meant for boot.
func ReadTSCLeaves() TSCLeaves {
	var l TSCLeaves
	l.MaxBasic, _, _, _ = CPUID(CPUID_BASIC_MAX, 0)
	if l.MaxBasic >= CPUID_FEATURES {
		_, _, l.FeaturesECX, _ = CPUID(CPUID_FEATURES, 0)
	}
	if l.MaxBasic >= CPUID_TSC_CRYSTAL {
		l.Crystal[0], l.Crystal[1], l.Crystal[2], _ = CPUID(CPUID_TSC_CRYSTAL, 0)
	}
	if l.MaxBasic >= CPUID_FREQUENCY {
		l.FrequencyEAX, _, _, _ = CPUID(CPUID_FREQUENCY, 0)
	}
	if l.FeaturesECX&(1<<FEATURES_ECX_HYPERVISOR) != 0 {
		l.MaxHypervisor, _, _, _ = CPUID(CPUID_HYPERVISOR_BASE, 0)
		if HypervisorLeafPresent(l.MaxHypervisor, CPUID_HYPERVISOR_TIMING) {
			l.TimingEAX, _, _, _ = CPUID(CPUID_HYPERVISOR_TIMING, 0)
		}
	}
	l.MaxExtended, _, _, _ = CPUID(CPUID_EXTENDED_MAX, 0)
	if l.MaxExtended >= CPUID_ADVANCED_POWER && l.MaxExtended < CPUID_EXTENDED_MAX+0x10000 {
		_, _, _, l.PowerEDX = CPUID(CPUID_ADVANCED_POWER, 0)
	}
	return l
}

// HypervisorLeafPresent reports whether leaf is within the hypervisor range
// whose maximum CPUID 0x40000000 EAX reported. Older KVM reports 0 there,
// meaning 0x40000001; a maximum outside 0x4000xxxx is not a hypervisor
// range at all (QEMU TCG reports 0x40000001 and, for 0x40000010, returns
// the highest basic leaf's data: it must not be read as a frequency).
func HypervisorLeafPresent(max, leaf uint32) bool {
	if max == 0 {
		max = CPUID_HYPERVISOR_BASE + 1
	}
	return max>>16 == CPUID_HYPERVISOR_BASE>>16 && leaf <= max
}

// Frequency returns the TSC rate in Hz and where it came from, choosing the
// most trustworthy source present (the order of TSCSource). hz is 0 with
// TSCUnknown.
func (l *TSCLeaves) Frequency() (hz uint64, src TSCSource) {
	if hz := HypervisorTSCHz(l.TimingEAX); hz != 0 {
		return hz, TSCFromHypervisor
	}
	if hz := CrystalTSCHz(l.Crystal[0], l.Crystal[1], l.Crystal[2]); hz != 0 {
		return hz, TSCFromCrystal
	}
	if hz := CrystalBaseTSCHz(l.Crystal[0], l.Crystal[1], l.FrequencyEAX); hz != 0 {
		return hz, TSCFromCrystalBase
	}
	if hz := BaseFrequencyHz(l.FrequencyEAX); hz != 0 {
		return hz, TSCFromBaseFrequency
	}
	return 0, TSCUnknown
}

// InvariantTSC reports CPUID.80000007h:EDX[8]: the TSC runs at a constant
// rate in every ACPI P-, C- and T-state (SDM Vol. 3B §18.17.1).
func (l *TSCLeaves) InvariantTSC() bool {
	return l.PowerEDX&(1<<ADVANCED_POWER_EDX_INVARIANT_TSC) != 0
}

// HypervisorTSCHz decodes CPUID 0x40000010 EAX, the TSC frequency in kHz.
// The caller must have checked that the leaf exists (HypervisorLeafPresent).
func HypervisorTSCHz(eax uint32) uint64 {
	return uint64(eax) * 1000
}

// CrystalTSCHz decodes CPUID 0x15: TSC Hz = crystal Hz (ECX) * EBX / EAX.
// It returns 0 when the ratio (EBX or EAX zero: "not enumerated") or the
// crystal frequency (ECX zero) is missing.
func CrystalTSCHz(eax, ebx, ecx uint32) uint64 {
	if eax == 0 || ebx == 0 || ecx == 0 {
		return 0
	}
	// ecx*ebx < 2^64: no overflow.
	return uint64(ecx) * uint64(ebx) / uint64(eax)
}

// CrystalBaseTSCHz handles CPUID 0x15 with the crystal frequency (ECX)
// not enumerated: the crystal is base frequency (CPUID 0x16 EAX, MHz) *
// EAX / EBX, so TSC Hz = crystal * EBX / EAX, which is the base frequency
// rounded down to a multiple of the crystal the ratio implies. It returns
// 0 if either leaf is missing.
func CrystalBaseTSCHz(eax, ebx, frequencyEAX uint32) uint64 {
	base := BaseFrequencyHz(frequencyEAX)
	if eax == 0 || ebx == 0 || base == 0 {
		return 0
	}
	crystal := base * uint64(eax) / uint64(ebx)
	return crystal * uint64(ebx) / uint64(eax)
}

// BaseFrequencyHz decodes CPUID 0x16 EAX[15:0], the processor base
// frequency in MHz. 0 means not enumerated.
func BaseFrequencyHz(eax uint32) uint64 {
	return uint64(eax&FREQUENCY_BASE_MHZ_MASK) * 1000000
}

// defined in tsc_amd64.s

// RdtscOrdered reads the TSC after every earlier instruction has executed
// (LFENCE; RDTSC), so that it is not read before the loads that a clock
// reading pairs it with. On Intel LFENCE always does that. On AMD it does
// where LFENCE is dispatch-serializing: always if CPUID 0x80000021 EAX bit
// 2 is set, otherwise only once the OS sets DE_CFG (MSR 0xC0011029) bit 1,
// as Linux does at boot and coracle does not yet.
//
// Trap context: safe.
func RdtscOrdered() uint64
