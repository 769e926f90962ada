package amd64

import (
	"runtime"
	"testing"
	"unsafe"
)

// fakeAPIC is a 4 KiB register page in Go memory, so that the MMIO
// sequences run on the host. Go heap objects do not move.
type fakeAPIC struct {
	page [1024]uint32
}

func (f *fakeAPIC) lapic() *LAPIC { return &LAPIC{Base: uintptr(unsafe.Pointer(&f.page[0]))} }

func (f *fakeAPIC) reg(off uintptr) uint32 { return f.page[off/4] }

func (f *fakeAPIC) set(off uintptr, v uint32) { f.page[off/4] = v }

func TestAPICBase(t *testing.T) {
	tests := []struct {
		msr                  APICBase
		phys                 uint64
		bsp, enabled, x2apic bool
	}{
		// After reset on the BSP (SDM Vol. 3A §11.4.4): FEE00900.
		{0xFEE00900, 0xFEE00000, true, true, false},
		{0xFEE00800, 0xFEE00000, false, true, false},
		{0xFEE00D00, 0xFEE00000, true, true, true},
		{0xFEE00100, 0xFEE00000, true, false, false},
		// Relocated above 4 GiB; bits 52 and up are reserved and ignored.
		{0xFFF0_0012_3450_0800, 0x0_0012_3450_0000, false, true, false},
		{0x0000_000F_FFFF_F500, 0x000F_FFFF_F000, true, false, true},
	}
	for _, tt := range tests {
		if got := tt.msr.Phys(); got != tt.phys {
			t.Errorf("APICBase(%#x).Phys() = %#x, want %#x", uint64(tt.msr), got, tt.phys)
		}
		if got := tt.msr.BSP(); got != tt.bsp {
			t.Errorf("APICBase(%#x).BSP() = %v, want %v", uint64(tt.msr), got, tt.bsp)
		}
		if got := tt.msr.Enabled(); got != tt.enabled {
			t.Errorf("APICBase(%#x).Enabled() = %v, want %v", uint64(tt.msr), got, tt.enabled)
		}
		if got := tt.msr.X2APIC(); got != tt.x2apic {
			t.Errorf("APICBase(%#x).X2APIC() = %v, want %v", uint64(tt.msr), got, tt.x2apic)
		}
	}
}

func TestTimerDivisor(t *testing.T) {
	// SDM Vol. 3A Figure 11-10.
	tests := []struct {
		dcr  uint32
		want uint32
	}{
		{TIMER_DCR_DIV1, 1},
		{TIMER_DCR_DIV2, 2},
		{TIMER_DCR_DIV4, 4},
		{TIMER_DCR_DIV8, 8},
		{TIMER_DCR_DIV16, 16},
		{TIMER_DCR_DIV32, 32},
		{TIMER_DCR_DIV64, 64},
		{TIMER_DCR_DIV128, 128},
		{0b0100 | TIMER_DCR_DIV8, 8}, // bit 2 is reserved
		{0xFFFFFFF0 | TIMER_DCR_DIV2, 2},
	}
	seen := map[uint32]bool{}
	for _, tt := range tests {
		if got := TimerDivisor(tt.dcr); got != tt.want {
			t.Errorf("TimerDivisor(%#b) = %d, want %d", tt.dcr, got, tt.want)
		}
		seen[TimerDivisor(tt.dcr)] = true
	}
	if len(seen) != 8 {
		t.Errorf("the eight encodings give %d distinct divisors, want 8", len(seen))
	}
}

func TestLVTTimer(t *testing.T) {
	tests := []struct {
		vector uint8
		mode   uint32
		masked bool
		want   uint32
	}{
		{0x20, TIMER_MODE_ONESHOT, false, 0x00020},
		{0xEF, TIMER_MODE_PERIODIC, false, 0x200EF},
		{0xEF, TIMER_MODE_DEADLINE, false, 0x400EF},
		{0x30, TIMER_MODE_DEADLINE, true, 0x50030},
		{0x00, TIMER_MODE_ONESHOT, true, 0x10000}, // the reset value
		{0xFF, 0xFF, false, 0x600FF},              // mode is two bits
	}
	for _, tt := range tests {
		if got := LVTTimer(tt.vector, tt.mode, tt.masked); got != tt.want {
			t.Errorf("LVTTimer(%#x, %#b, %v) = %#x, want %#x", tt.vector, tt.mode, tt.masked, got, tt.want)
		}
	}
}

func TestRegisterOffsets(t *testing.T) {
	// Table 11-1: every register is 16-byte aligned inside the page.
	for _, off := range []uintptr{LAPIC_ID, LAPIC_VERSION, LAPIC_TPR, LAPIC_PPR, LAPIC_EOI, LAPIC_SVR,
		LAPIC_ESR, LAPIC_ICR_LOW, LAPIC_ICR_HIGH, LAPIC_LVT_CMCI, LAPIC_LVT_TIMER, LAPIC_LVT_THERMAL,
		LAPIC_LVT_PERF, LAPIC_LVT_LINT0, LAPIC_LVT_LINT1, LAPIC_LVT_ERROR, LAPIC_TIMER_ICR,
		LAPIC_TIMER_CCR, LAPIC_TIMER_DCR} {
		if off%16 != 0 || off >= 4096 {
			t.Errorf("register offset %#x is not a 16-byte-aligned offset in the page", off)
		}
	}
}

func TestLAPICEnable(t *testing.T) {
	f := new(fakeAPIC)
	l := f.lapic()
	f.set(LAPIC_TPR, 0x20)
	f.set(LAPIC_SVR, 0x1000|0x0F) // EOI suppression set by someone; reset vector 0xFF-ish
	l.Enable(0xFF)
	runtime.KeepAlive(f)
	if got := f.reg(LAPIC_TPR); got != 0 {
		t.Errorf("TPR = %#x, want 0", got)
	}
	if got, want := f.reg(LAPIC_SVR), uint32(0x1000|0x100|0xFF); got != want {
		t.Errorf("SVR = %#x, want %#x (enable bit, vector, other bits kept)", got, want)
	}
}

func TestLAPICRegisters(t *testing.T) {
	f := new(fakeAPIC)
	l := f.lapic()
	f.set(LAPIC_ID, 3<<24)
	f.set(LAPIC_VERSION, 0x00050014) // what QEMU reports: version 0x14, 6 LVT entries
	f.set(LAPIC_TIMER_CCR, 12345)
	if got := l.ID(); got != 3 {
		t.Errorf("ID() = %d, want 3", got)
	}
	if v, n := l.Version(); v != 0x14 || n != 6 {
		t.Errorf("Version() = %#x, %d, want 0x14, 6", v, n)
	}
	if got := l.TimerCount(); got != 12345 {
		t.Errorf("TimerCount() = %d, want 12345", got)
	}
	f.set(LAPIC_EOI, 0xdead)
	l.EOI()
	if got := f.reg(LAPIC_EOI); got != 0 {
		t.Errorf("EOI register = %#x after EOI, want 0", got)
	}
	f.set(LAPIC_LVT_LINT0, 0x700) // ExtINT, as QEMU leaves LINT0 on the BSP
	l.Mask(LAPIC_LVT_LINT0)
	if got := f.reg(LAPIC_LVT_LINT0); got != 0x10700 {
		t.Errorf("LINT0 = %#x after Mask, want 0x10700", got)
	}
	runtime.KeepAlive(f)
}

func TestLAPICTimer(t *testing.T) {
	f := new(fakeAPIC)
	l := f.lapic()
	f.set(LAPIC_TIMER_ICR, 99)
	l.SetOneShot(0x40, TIMER_DCR_DIV16|0xF0)
	if got := f.reg(LAPIC_TIMER_DCR); got != TIMER_DCR_DIV16 {
		t.Errorf("DCR = %#b, want %#b", got, TIMER_DCR_DIV16)
	}
	if got := f.reg(LAPIC_LVT_TIMER); got != 0x40 {
		t.Errorf("LVT timer = %#x after SetOneShot, want 0x40 (one-shot, unmasked)", got)
	}
	if got := f.reg(LAPIC_TIMER_ICR); got != 0 {
		t.Errorf("initial count = %d after SetOneShot, want 0 (stopped)", got)
	}
	l.ArmOneShot(1000000)
	if got := f.reg(LAPIC_TIMER_ICR); got != 1000000 {
		t.Errorf("initial count = %d after ArmOneShot, want 1000000", got)
	}
	l.StopTimer()
	if got := f.reg(LAPIC_LVT_TIMER); got != 0x10040 {
		t.Errorf("LVT timer = %#x after StopTimer, want 0x10040", got)
	}
	if got := f.reg(LAPIC_TIMER_ICR); got != 0 {
		t.Errorf("initial count = %d after StopTimer, want 0", got)
	}
	l.SetTSCDeadline(0x41)
	if got := f.reg(LAPIC_LVT_TIMER); got != 0x40041 {
		t.Errorf("LVT timer = %#x after SetTSCDeadline, want 0x40041", got)
	}
	l.StopTimer()
	if got := f.reg(LAPIC_LVT_TIMER); got != 0x10041 {
		t.Errorf("LVT timer = %#x after StopTimer in deadline mode, want 0x10041 (one-shot: disarms)", got)
	}
	runtime.KeepAlive(f)
}

func TestLAPICHotPathsDoNotAllocate(t *testing.T) {
	f := new(fakeAPIC)
	l := f.lapic()
	if n := testing.AllocsPerRun(100, func() {
		l.EOI()
		l.ArmOneShot(5)
		_ = l.TimerCount()
		l.StopTimer()
		l.Mask(LAPIC_LVT_LINT1)
	}); n != 0 {
		t.Errorf("interrupt-context LAPIC methods allocate %v times per run, want 0", n)
	}
	runtime.KeepAlive(f)
}
