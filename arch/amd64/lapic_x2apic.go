package amd64

// x2APIC mode: the local APIC's registers as MSRs, and the switch
// between modes through IA32_APIC_BASE (Intel SDM Vol. 3A §11.12,
// "Extended XAPIC (x2APIC)").
//
// In x2APIC mode the MMIO page is not decoded. Each 32-bit register at
// MMIO offset off is the MSR 0x800 + off>>4 (§11.12.1.2, Table 11-6),
// with three exceptions: the two ICR halves are one 64-bit MSR (0x830;
// there is no 0x831), the Destination Format Register does not exist,
// and the SELF IPI register exists only there (0x83F). The Arbitration
// Priority and Remote Read registers are not carried over either. A
// RDMSR or WRMSR of an address in 0x800-0xBFF that Table 11-6 does not
// list raises #GP.

// Register offsets beyond those lapic.go uses, for the x2APIC map.
const (
	LAPIC_APR      = 0x090 // Arbitration Priority (xAPIC only)
	LAPIC_RRD      = 0x0C0 // Remote Read (xAPIC only)
	LAPIC_LDR      = 0x0D0 // Logical Destination (read only in x2APIC mode)
	LAPIC_DFR      = 0x0E0 // Destination Format (xAPIC only)
	LAPIC_ISR      = 0x100 // In-Service, eight registers to 0x170
	LAPIC_TMR      = 0x180 // Trigger Mode, eight registers to 0x1F0
	LAPIC_IRR      = 0x200 // Interrupt Request, eight registers to 0x270
	LAPIC_SELF_IPI = 0x3F0 // SELF IPI (x2APIC only, write only, §11.12.11)

	// MSR_X2APIC_BASE is the MSR of MMIO offset 0.
	MSR_X2APIC_BASE = 0x800
)

// X2APICMSR returns the MSR that holds, in x2APIC mode, the register at
// xAPIC MMIO offset off, and false when x2APIC mode has no such register
// (reserved offsets, ICR high, DFR, APR, RRD, or an offset that is not a
// register's).
func X2APICMSR(off uintptr) (msr uint32, ok bool) {
	if off%16 != 0 || off > LAPIC_SELF_IPI {
		return 0, false
	}
	switch {
	case off == LAPIC_ID, off == LAPIC_VERSION, off == LAPIC_TPR, off == LAPIC_PPR,
		off == LAPIC_EOI, off == LAPIC_LDR, off == LAPIC_SVR,
		off >= LAPIC_ISR && off < LAPIC_IRR+0x80, // ISR, TMR, IRR
		off == LAPIC_ESR, off == LAPIC_LVT_CMCI, off == LAPIC_ICR_LOW,
		off >= LAPIC_LVT_TIMER && off <= LAPIC_TIMER_CCR, // the other LVTs and the timer counts
		off == LAPIC_TIMER_DCR, off == LAPIC_SELF_IPI:
		return MSR_X2APIC_BASE + uint32(off>>4), true
	}
	return 0, false
}

// X2APICSupported reports CPUID.01H:ECX.x2APIC[bit 21]: the APIC can be
// put in x2APIC mode (§11.12.1).
func X2APICSupported() bool {
	_, _, ecx, _ := CPUID(CPUID_FEATURES, 0)
	return ecx&(1<<FEATURES_ECX_X2APIC) != 0
}

// APICModeSteps returns the IA32_APIC_BASE values to write, in order, to
// move an APIC from cur to x2APIC mode (x2) or xAPIC mode (!x2), both
// globally enabled, keeping the base address and the BSP bit. The
// transitions §11.12.5 allows are disabled→xAPIC, xAPIC→x2APIC and any
// mode→disabled; disabled→x2APIC and x2APIC→xAPIC are not, so those go
// by way of xAPIC and disabled. n is 0 when cur is already in the mode
// asked for.
func APICModeSteps(cur APICBase, x2 bool) (steps [2]APICBase, n int) {
	const en, extd = APICBase(1 << APIC_BASE_EN), APICBase(1 << APIC_BASE_EXTD)
	keep := cur &^ (en | extd)
	switch {
	case x2 && cur.Enabled() && cur.X2APIC(), !x2 && cur.Enabled() && !cur.X2APIC():
		return steps, 0
	case x2 && !cur.Enabled():
		return [2]APICBase{keep | en, keep | en | extd}, 2
	case x2:
		return [2]APICBase{keep | en | extd}, 1
	case cur.X2APIC():
		return [2]APICBase{keep, keep | en}, 2
	}
	return [2]APICBase{keep | en}, 1
}

// SetAPICMode puts the calling CPU's APIC in x2APIC mode (x2) or xAPIC
// mode, globally enabled. The caller must have checked X2APICSupported
// for x2APIC mode. Leaving x2APIC mode passes through the disabled
// state, which resets the APIC's registers (§11.4.7.2): set the mode
// before programming it. Ring 0 only.
func SetAPICMode(x2 bool) {
	steps, n := APICModeSteps(ReadAPICBase(), x2)
	for _, v := range steps[:n] {
		Wrmsr(IA32_APIC_BASE, uint64(v))
	}
}

// SelfIPI sends the calling CPU a fixed interrupt with the given vector:
// in x2APIC mode through the SELF IPI register (§11.12.11), in xAPIC
// mode through the ICR with the self shorthand.
func (l *LAPIC) SelfIPI(vector uint8) {
	if l.X2APIC {
		apicWrmsrFence()
		l.write(LAPIC_SELF_IPI, uint32(vector))
		return
	}
	if l.waitIdle() {
		l.write(LAPIC_ICR_LOW, ICRFixed(vector)|SHORTHAND_SELF<<ICR_SHORTHAND)
	}
}
