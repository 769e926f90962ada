package amd64

import "testing"

// TestX2APICMSR checks the register map against SDM Vol. 3A Table 11-6,
// register by register, and every offset of the page that has no MSR.
func TestX2APICMSR(t *testing.T) {
	want := map[uintptr]uint32{
		LAPIC_ID: 0x802, LAPIC_VERSION: 0x803, LAPIC_TPR: 0x808, LAPIC_PPR: 0x80A,
		LAPIC_EOI: 0x80B, LAPIC_LDR: 0x80D, LAPIC_SVR: 0x80F,
		LAPIC_ESR: 0x828, LAPIC_LVT_CMCI: 0x82F, LAPIC_ICR_LOW: 0x830,
		LAPIC_LVT_TIMER: 0x832, LAPIC_LVT_THERMAL: 0x833, LAPIC_LVT_PERF: 0x834,
		LAPIC_LVT_LINT0: 0x835, LAPIC_LVT_LINT1: 0x836, LAPIC_LVT_ERROR: 0x837,
		LAPIC_TIMER_ICR: 0x838, LAPIC_TIMER_CCR: 0x839, LAPIC_TIMER_DCR: 0x83E,
		LAPIC_SELF_IPI: 0x83F,
	}
	for i := range uintptr(8) { // ISR, TMR and IRR: 0x810-0x827
		want[LAPIC_ISR+i*16] = 0x810 + uint32(i)
		want[LAPIC_TMR+i*16] = 0x818 + uint32(i)
		want[LAPIC_IRR+i*16] = 0x820 + uint32(i)
	}
	// Not in x2APIC mode: reserved offsets, and the registers the
	// table leaves out.
	absent := []uintptr{0x000, 0x010, 0x040, 0x050, 0x060, 0x070, LAPIC_APR, LAPIC_RRD, LAPIC_DFR,
		0x290, 0x2A0, 0x2B0, 0x2C0, 0x2D0, 0x2E0, LAPIC_ICR_HIGH, 0x3A0, 0x3B0, 0x3C0, 0x3D0}
	for off := uintptr(0); off < 0x400; off += 16 {
		msr, ok := X2APICMSR(off)
		w, listed := want[off]
		if ok != listed || ok && msr != w {
			t.Errorf("X2APICMSR(%#x) = %#x, %v; want %#x, %v", off, msr, ok, w, listed)
		}
	}
	for _, off := range absent {
		if _, listed := want[off]; listed {
			t.Errorf("offset %#x is both listed and absent", off)
		}
		if msr, ok := X2APICMSR(off); ok {
			t.Errorf("X2APICMSR(%#x) = %#x; x2APIC mode has no such register", off, msr)
		}
	}
	if len(want)+len(absent) != 0x40 {
		t.Errorf("the table covers %d of the page's 64 register slots", len(want)+len(absent))
	}
	// Offsets that name no register: misaligned, or past the last.
	for _, off := range []uintptr{0x024, 0x0B4, 0x400, 0x800, 0xFF0} {
		if msr, ok := X2APICMSR(off); ok {
			t.Errorf("X2APICMSR(%#x) = %#x, want none", off, msr)
		}
	}
	// The one MSR lapic_ipi.go names agrees with the map.
	if msr, _ := X2APICMSR(LAPIC_ICR_LOW); msr != MSR_X2APIC_ICR {
		t.Errorf("ICR MSR %#x, MSR_X2APIC_ICR %#x", msr, MSR_X2APIC_ICR)
	}
}

func TestAPICModeSteps(t *testing.T) {
	const base = 0xFEE00000 | 1<<APIC_BASE_BSP
	const en, extd = 1 << APIC_BASE_EN, 1 << APIC_BASE_EXTD
	tests := []struct {
		name  string
		cur   APICBase
		x2    bool
		steps []APICBase
	}{
		{"xAPIC to x2APIC: direct", base | en, true, []APICBase{base | en | extd}},
		{"already x2APIC", base | en | extd, true, nil},
		{"already xAPIC", base | en, false, nil},
		{"disabled to x2APIC: by way of xAPIC", base, true, []APICBase{base | en, base | en | extd}},
		{"disabled to xAPIC", base, false, []APICBase{base | en}},
		{"x2APIC to xAPIC: by way of disabled", base | en | extd, false, []APICBase{base, base | en}},
		// An AP: no BSP bit, kept as it is, like the base address.
		{"AP, xAPIC to x2APIC", 0xFEE00000 | en, true, []APICBase{0xFEE00000 | en | extd}},
	}
	for _, tt := range tests {
		steps, n := APICModeSteps(tt.cur, tt.x2)
		got := steps[:n]
		if len(got) != len(tt.steps) {
			t.Errorf("%s: steps %#x, want %#x", tt.name, got, tt.steps)
			continue
		}
		for i := range got {
			if got[i] != tt.steps[i] {
				t.Errorf("%s: steps %#x, want %#x", tt.name, got, tt.steps)
				break
			}
		}
		// Every step is a transition the SDM allows (§11.12.5).
		prev := tt.cur
		for _, s := range got {
			if !allowedTransition(prev, s) {
				t.Errorf("%s: %#x to %#x is not an allowed transition", tt.name, uint64(prev), uint64(s))
			}
			prev = s
		}
		if n > 0 && (prev.X2APIC() != tt.x2 || !prev.Enabled()) {
			t.Errorf("%s: ends at %#x", tt.name, uint64(prev))
		}
	}
}

// allowedTransition is §11.12.5's table of IA32_APIC_BASE changes: EN=0
// with EXTD=1 is invalid, and neither disabled→x2APIC nor x2APIC→xAPIC
// may be done in one write.
func allowedTransition(from, to APICBase) bool {
	if !to.Enabled() && to.X2APIC() {
		return false
	}
	if !from.Enabled() && to.X2APIC() {
		return false
	}
	return !(from.X2APIC() && to.Enabled() && !to.X2APIC())
}

// In xAPIC mode there is no SELF IPI register: SelfIPI uses the ICR
// with the self shorthand, and leaves ICR high alone.
func TestSelfIPIXAPIC(t *testing.T) {
	var f fakeAPIC
	l := f.lapic()
	f.set(LAPIC_ICR_HIGH, 0x5<<24)
	l.SelfIPI(0xF0)
	if lo, hi := f.reg(LAPIC_ICR_LOW), f.reg(LAPIC_ICR_HIGH); lo != 0x440F0 || hi != 0x5<<24 {
		t.Errorf("ICR = %#x:%#x, want 0x5000000:0x440f0 (fixed, assert, self)", hi, lo)
	}
	if got := f.reg(LAPIC_SELF_IPI); got != 0 {
		t.Errorf("offset 0x3F0 written in xAPIC mode: %#x", got)
	}
}
