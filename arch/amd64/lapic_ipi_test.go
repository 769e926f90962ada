package amd64

import "testing"

// The ICR encodings of SDM Vol. 3A §11.6.1 (Figure 11-12) and the
// values the MP initialization example (§9.4.4.1) writes, less its "all
// excluding self" shorthand.
func TestICREncodings(t *testing.T) {
	tests := []struct {
		name string
		got  uint32
		want uint32
	}{
		{"INIT", ICRInit(), 0x0000_4500},
		{"STARTUP page 0x9E", ICRStartup(0x9E), 0x0000_469E},
		{"STARTUP page 0x08", ICRStartup(0x08), 0x0000_4608},
		{"fixed vector 0xF0", ICRFixed(0xF0), 0x0000_40F0},
		{"INIT shorthand all-excluding-self", ICRInit() | SHORTHAND_ALL_OTHER<<ICR_SHORTHAND, 0x000C_4500},
		{"ICR high, APIC ID 3", ICRHighXAPIC(3), 0x0300_0000},
		{"ICR high, APIC ID 255", ICRHighXAPIC(255), 0xFF00_0000},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %#08x, want %#08x", tt.name, tt.got, tt.want)
		}
	}
	// x2APIC: the destination in bits 63:32 (§11.12.9), the command below.
	if got := ICRX2APIC(0x1234_5678, ICRStartup(0x9E)); got != 0x1234_5678_0000_469E {
		t.Errorf("ICRX2APIC = %#x", got)
	}
	if MSR_X2APIC_ICR != 0x800+LAPIC_ICR_LOW>>4 {
		t.Errorf("MSR_X2APIC_ICR %#x does not follow the MMIO offset %#x (§11.12.1.2)", MSR_X2APIC_ICR, LAPIC_ICR_LOW)
	}
}

// SendIPI writes ICR high, then ICR low (the write that sends), and
// refuses a destination the 8-bit field cannot name or a delivery that
// never leaves.
func TestSendIPI(t *testing.T) {
	var f fakeAPIC
	l := f.lapic()
	if !l.SendIPI(7, ICRStartup(0x9E)) {
		t.Fatal("SendIPI refused")
	}
	if hi, lo := f.reg(LAPIC_ICR_HIGH), f.reg(LAPIC_ICR_LOW); hi != 7<<24 || lo != 0x469E {
		t.Errorf("ICR = %#x:%#x, want 0x7000000:0x469e", hi, lo)
	}
	if l.SendIPI(256, ICRInit()) {
		t.Error("SendIPI to APIC ID 256 in xAPIC mode accepted")
	}
	f.set(LAPIC_ICR_LOW, 1<<ICR_STATUS) // a send that stays pending
	f.set(LAPIC_ICR_HIGH, 0)
	if l.SendIPI(1, ICRInit()) {
		t.Error("SendIPI with the delivery-status bit stuck reported success")
	}
	if f.reg(LAPIC_ICR_HIGH) != 0 {
		t.Error("SendIPI wrote the ICR while an IPI was pending")
	}
}
