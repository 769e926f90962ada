package smp

// APICFacts is what decides the local APICs' mode (ChooseAPICMode).
type APICFacts struct {
	// FirmwareX2APIC: the boot CPU's APIC was in x2APIC mode when the
	// kernel started (IA32_APIC_BASE.EXTD). Leaving it needs a pass
	// through the disabled state, and firmware that chose it did so
	// for a reason (APIC IDs above 255, interrupt remapping): keep it.
	FirmwareX2APIC bool
	// Supported: CPUID.01H:ECX[21], the CPU has an x2APIC mode.
	Supported bool
	// Asked: coracle.x2apic=on.
	Asked bool
	// MaxAPICID is the largest APIC ID of the CPU list.
	MaxAPICID uint32
}

// xAPICMaxID is the largest APIC ID xAPIC mode can address: the ICR's
// destination field is 8 bits (Intel SDM Vol. 3A §11.6.1).
const xAPICMaxID = 0xFF

// ChooseAPICMode decides whether every CPU's local APIC runs in x2APIC
// mode (x2), with why (for the boot log), or fails with the reason the
// boot must stop: x2APIC mode where the firmware left it, where a CPU's
// APIC ID does not fit xAPIC's 8-bit destination and the CPU supports
// it, and where coracle.x2apic=on asks for it, which fails on a CPU
// without it. Otherwise xAPIC mode, in which CPUs with IDs above 255
// cannot be started.
func ChooseAPICMode(f APICFacts) (x2 bool, why, failure string) {
	switch {
	case f.FirmwareX2APIC:
		return true, "the firmware enabled it", ""
	case f.Asked && !f.Supported:
		return false, "", "coracle.x2apic=on, but the CPU has no x2APIC mode (CPUID.01H:ECX[21] is clear; QEMU 7.2's TCG has none: use KVM)"
	case f.Asked:
		return true, "coracle.x2apic=on", ""
	case f.MaxAPICID > xAPICMaxID && f.Supported:
		return true, "an APIC ID is above 255", ""
	}
	return false, "", ""
}
