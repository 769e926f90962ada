package amd64

// Local APIC in xAPIC or x2APIC mode: enable, end of interrupt, and the
// timer in one-shot and TSC-deadline modes.
//
// Spec: Intel SDM Vol. 3A chapter 11 "Advanced Programmable Interrupt
// Controller (APIC)" (chapter 10 in editions before 2023; the section
// numbers below are the same with 10 in front). In xAPIC mode the
// registers are 32 bits wide at 16-byte-aligned offsets in a 4 KiB page
// and must be accessed with aligned 32-bit loads and stores (§11.4.1); in
// x2APIC mode the same registers are MSRs (lapic_x2apic.go, §11.12).

import (
	"sync/atomic"
	"unsafe"
)

// IA32_APIC_BASE (SDM Vol. 3A §11.4.4, Figure 11-5; Vol. 4 Table 2-2).
const (
	IA32_APIC_BASE = 0x1B

	APIC_BASE_BSP  = 8  // this is the bootstrap processor
	APIC_BASE_EXTD = 10 // x2APIC mode enabled (MSR access, no MMIO)
	APIC_BASE_EN   = 11 // APIC globally enabled

	// APIC_BASE_ADDR_MASK selects the page-aligned physical base, bits
	// 12 to MAXPHYADDR-1 (at most 51).
	APIC_BASE_ADDR_MASK = 0x000F_FFFF_FFFF_F000

	// APIC_DEFAULT_BASE is the physical base after reset (§11.4.1).
	APIC_DEFAULT_BASE = 0xFEE00000
)

// IA32_TSC_DEADLINE arms the timer in TSC-deadline mode (SDM Vol. 3A
// §11.5.4.1; Vol. 4 Table 2-2).
const IA32_TSC_DEADLINE = 0x6E0

// Local APIC register offsets from the base (SDM Vol. 3A §11.4.1, Table
// 11-1 "Local APIC Register Address Map"), each followed by its fields as
// bit positions.
const (
	LAPIC_ID       = 0x020 // Local APIC ID (§11.4.6, Figure 11-6)
	ID_SHIFT       = 24    // xAPIC ID in bits 31:24
	LAPIC_VERSION  = 0x030 // Local APIC Version (§11.4.8, Figure 11-7)
	VERSION_MAXLVT = 16    // bits 23:16: number of LVT entries minus 1
	LAPIC_TPR      = 0x080 // Task Priority (§11.8.3.1)
	LAPIC_PPR      = 0x0A0 // Processor Priority (read only)
	LAPIC_EOI      = 0x0B0 // EOI (write only, §11.8.5)

	LAPIC_SVR      = 0x0F0 // Spurious Interrupt Vector (§11.9, Figure 11-23)
	SVR_VECTOR     = 0     // bits 7:0: spurious vector
	SVR_ENABLE     = 8     // APIC software enable
	SVR_FOCUS      = 9     // focus processor checking disabled when set
	SVR_EOI_SUPPR  = 12    // EOI-broadcast suppression
	LAPIC_ESR      = 0x280 // Error Status (§11.5.3)
	LAPIC_ICR_LOW  = 0x300 // Interrupt Command bits 31:0 (§11.6.1)
	LAPIC_ICR_HIGH = 0x310 // Interrupt Command bits 63:32

	// Local vector table (§11.5.1, Figure 11-8).
	LAPIC_LVT_CMCI    = 0x2F0
	LAPIC_LVT_TIMER   = 0x320
	LAPIC_LVT_THERMAL = 0x330
	LAPIC_LVT_PERF    = 0x340
	LAPIC_LVT_LINT0   = 0x350
	LAPIC_LVT_LINT1   = 0x360
	LAPIC_LVT_ERROR   = 0x370

	LVT_VECTOR     = 0  // bits 7:0
	LVT_DELIVERY   = 8  // bits 10:8: delivery mode (not in the timer LVT)
	LVT_STATUS     = 12 // delivery status: send pending (read only)
	LVT_POLARITY   = 13 // LINT0/1: active low when set
	LVT_REMOTE_IRR = 14 // LINT0/1, read only
	LVT_TRIGGER    = 15 // LINT0/1: level when set
	LVT_MASK       = 16 // interrupt masked when set
	LVT_TIMER_MODE = 17 // bits 18:17 of the timer LVT (Table 11-2)

	// Timer modes, LVT_TIMER_MODE field values (Table 11-2).
	TIMER_MODE_ONESHOT  = 0b00
	TIMER_MODE_PERIODIC = 0b01
	TIMER_MODE_DEADLINE = 0b10 // needs CPUID.01H:ECX[24]
	TIMER_MODE_MASK     = 0b11

	// Timer registers (§11.5.4, Figures 11-10 and 11-11).
	LAPIC_TIMER_ICR = 0x380 // Initial Count: a write starts the count
	LAPIC_TIMER_CCR = 0x390 // Current Count (read only)
	LAPIC_TIMER_DCR = 0x3E0 // Divide Configuration: bits 0, 1 and 3

	// Divide Configuration values (Figure 11-10).
	TIMER_DCR_DIV2   = 0b0000
	TIMER_DCR_DIV4   = 0b0001
	TIMER_DCR_DIV8   = 0b0010
	TIMER_DCR_DIV16  = 0b0011
	TIMER_DCR_DIV32  = 0b1000
	TIMER_DCR_DIV64  = 0b1001
	TIMER_DCR_DIV128 = 0b1010
	TIMER_DCR_DIV1   = 0b1011
	TIMER_DCR_MASK   = 0b1011
)

// APICBase is the value of the IA32_APIC_BASE MSR.
type APICBase uint64

// ReadAPICBase reads IA32_APIC_BASE. Ring 0 only.
func ReadAPICBase() APICBase { return APICBase(Rdmsr(IA32_APIC_BASE)) }

// Phys is the physical address of the xAPIC register page. Map it
// uncached (PCD, or a PAT UC entry) before handing its virtual address to
// LAPIC.Base (§11.4.1: "mapped to ... strong uncacheable (UC)").
func (b APICBase) Phys() uint64 { return uint64(b) & APIC_BASE_ADDR_MASK }

// BSP reports whether this CPU is the bootstrap processor.
func (b APICBase) BSP() bool { return b&(1<<APIC_BASE_BSP) != 0 }

// Enabled reports whether the APIC is globally enabled. When it is not,
// the MMIO page does not decode and LAPIC must not be used.
func (b APICBase) Enabled() bool { return b&(1<<APIC_BASE_EN) != 0 }

// X2APIC reports whether the APIC is in x2APIC mode: the MMIO page is not
// decoded then, and LAPIC must have X2APIC set (§11.12.1).
func (b APICBase) X2APIC() bool { return b&(1<<APIC_BASE_EXTD) != 0 }

// TSCDeadlineSupported reports CPUID.01H:ECX.TSC_Deadline[bit 24]: the
// timer has a TSC-deadline mode (§11.5.4.1). Without it, bit 18 of the
// timer LVT is reserved.
func TSCDeadlineSupported() bool {
	_, _, ecx, _ := CPUID(CPUID_FEATURES, 0)
	return ecx&(1<<FEATURES_ECX_TSC_DEADLINE) != 0
}

// TimerDivisor returns the divisor that a Divide Configuration value
// selects (Figure 11-10): bits 0, 1 and 3 encode a power of two, with
// 0b1011 meaning 1.
func TimerDivisor(dcr uint32) uint32 {
	dcr &= TIMER_DCR_MASK
	log := (dcr&0b11 | dcr>>1&0b100) + 1 // bits 3,1,0 as a 3-bit number, plus one
	return 1 << (log & 7)
}

// LAPIC is the calling CPU's local APIC. Every CPU sees its own APIC at
// the same address (xAPIC) or the same MSRs (x2APIC), so one LAPIC value
// serves all of them, as long as every CPU's APIC is in the mode X2APIC
// names (SetAPICMode).
//
// In xAPIC mode the caller must map the page at ReadAPICBase().Phys()
// uncached, at Base, before calling any method; the APIC must be
// globally enabled (APICBase.Enabled).
type LAPIC struct {
	// Base is the virtual address of the 4 KiB register page (xAPIC
	// mode; unused in x2APIC mode).
	Base uintptr
	// X2APIC says the APIC is in x2APIC mode: every register is an MSR
	// (X2APICMSR), the ID is 32 bits, the ICR one 64-bit register.
	X2APIC bool
}

// Enable accepts all interrupt priorities (TPR = 0, §11.8.3.1) and
// software-enables the APIC with the given spurious-interrupt vector
// (§11.9). The vector's handler must not send an EOI. Pick one whose low
// four bits are all ones (0xFF): on P6 and Pentium processors those bits
// are hard-wired to 0.
func (l *LAPIC) Enable(spurious uint8) {
	l.write(LAPIC_TPR, 0)
	svr := l.read(LAPIC_SVR)
	svr &^= 0xFF << SVR_VECTOR
	svr |= uint32(spurious)<<SVR_VECTOR | 1<<SVR_ENABLE
	l.write(LAPIC_SVR, svr)
}

// ID returns this CPU's APIC ID: the 8-bit xAPIC ID (§11.4.6), or in
// x2APIC mode the whole 32-bit x2APIC ID (§11.12.5.1).
func (l *LAPIC) ID() uint32 {
	if l.X2APIC {
		return l.read(LAPIC_ID)
	}
	return l.read(LAPIC_ID) >> ID_SHIFT
}

// Version returns the APIC version (0x1X for an integrated APIC) and the
// number of LVT entries (§11.4.8).
func (l *LAPIC) Version() (version uint8, lvtEntries int) {
	v := l.read(LAPIC_VERSION)
	return uint8(v), int(v>>VERSION_MAXLVT&0xFF) + 1
}

// EOI signals the end of the interrupt being serviced (§11.8.5). Every
// handler of an APIC-delivered interrupt calls it once, except the
// spurious vector's. In x2APIC mode it is a WRMSR of 0 (a non-zero value
// raises #GP, §11.12.1.2).
//
// Called from interrupt handlers.
func (l *LAPIC) EOI() { l.write(LAPIC_EOI, 0) }

// Mask masks the LVT entry at offset lvt (one of the LAPIC_LVT_*
// registers), leaving its other fields as they are.
func (l *LAPIC) Mask(lvt uintptr) { l.write(lvt, l.read(lvt)|1<<LVT_MASK) }

// SetOneShot puts the timer in one-shot mode with the given vector and
// divide configuration (a TIMER_DCR_* value), unmasked and stopped (the
// mode change disarms it, §11.5.4.1). ArmOneShot starts a count.
func (l *LAPIC) SetOneShot(vector uint8, dcr uint32) {
	l.write(LAPIC_TIMER_DCR, dcr&TIMER_DCR_MASK)
	l.write(LAPIC_LVT_TIMER, LVTTimer(vector, TIMER_MODE_ONESHOT, false))
	l.write(LAPIC_TIMER_ICR, 0)
}

// ArmOneShot starts the one-shot timer: it interrupts after count ticks of
// the APIC timer clock divided by the configured divisor (§11.5.4). A
// count of 0 stops it. A new count replaces a pending one.
//
// Called from interrupt handlers and the scheduler with interrupts off.
func (l *LAPIC) ArmOneShot(count uint32) { l.write(LAPIC_TIMER_ICR, count) }

// TimerCount returns the current count of the one-shot or periodic timer
// (0 once it has fired, and always 0 in TSC-deadline mode).
func (l *LAPIC) TimerCount() uint32 { return l.read(LAPIC_TIMER_CCR) }

// SetTSCDeadline puts the timer in TSC-deadline mode with the given
// vector, unmasked and disarmed (§11.5.4.1); ArmTSCDeadline arms it. The
// caller must have checked TSCDeadlineSupported.
func (l *LAPIC) SetTSCDeadline(vector uint8) {
	l.write(LAPIC_LVT_TIMER, LVTTimer(vector, TIMER_MODE_DEADLINE, false))
	// The LVT write (MMIO, or in x2APIC mode a WRMSR that is not
	// serializing, §11.12.3) and a following WRMSR to IA32_TSC_DEADLINE
	// are not ordered: without a fence the WRMSR may reach the timer
	// while it is still in the old mode and be dropped. Intel's advice,
	// as Linux records in apic.c __setup_APIC_LVTT, is MFENCE.
	apicWrmsrFence()
}

// ArmTSCDeadline arms the TSC-deadline timer: it interrupts once the TSC
// reaches tsc, at once if tsc is already past (§11.5.4.1). Zero disarms.
// The timer disarms itself when it fires.
//
// Called from interrupt handlers and the scheduler with interrupts off.
func ArmTSCDeadline(tsc uint64) { Wrmsr(IA32_TSC_DEADLINE, tsc) }

// StopTimer masks the timer and stops it in any mode: the mode it selects
// (one-shot) disarms a TSC deadline (§11.5.4.1), and a zero initial
// count stops a one-shot or periodic count (§11.5.4). SetOneShot or
// SetTSCDeadline start it again.
//
// Called from interrupt handlers and the scheduler with interrupts off.
func (l *LAPIC) StopTimer() {
	lvt := l.read(LAPIC_LVT_TIMER)
	l.write(LAPIC_LVT_TIMER, LVTTimer(uint8(lvt>>LVT_VECTOR), TIMER_MODE_ONESHOT, true))
	l.write(LAPIC_TIMER_ICR, 0)
}

// LVTTimer encodes a timer LVT entry (§11.5.1, Figure 11-8): vector, mode
// (a TIMER_MODE_* value) and mask.
func LVTTimer(vector uint8, mode uint32, masked bool) uint32 {
	v := uint32(vector)<<LVT_VECTOR | (mode&TIMER_MODE_MASK)<<LVT_TIMER_MODE
	if masked {
		v |= 1 << LVT_MASK
	}
	return v
}

// read loads the register at offset reg. In xAPIC mode the atomic load
// is a plain MOV on amd64 that the compiler may neither elide nor merge,
// which is what MMIO needs; in x2APIC mode it is a RDMSR (the upper half
// of a 32-bit register's MSR is reserved), and 0 for an offset with no
// MSR.
func (l *LAPIC) read(reg uintptr) uint32 {
	if l.X2APIC {
		msr, ok := X2APICMSR(reg)
		if !ok {
			return 0
		}
		return uint32(Rdmsr(msr))
	}
	return atomic.LoadUint32(l.reg(reg))
}

// write stores v to the register at offset reg: in xAPIC mode one MOV
// (MMIOWrite32); in x2APIC mode a WRMSR, which is dropped for an offset
// with no MSR (a WRMSR there would raise #GP).
func (l *LAPIC) write(reg uintptr, v uint32) {
	if l.X2APIC {
		if msr, ok := X2APICMSR(reg); ok {
			Wrmsr(msr, uint64(v))
		}
		return
	}
	MMIOWrite32(l.Base+reg, v)
}

// reg turns Base+off into a pointer. The page is not Go memory, so the
// garbage collector never needs to know; converting through memory
// rather than unsafe.Pointer(uintptr) keeps go vet's unsafeptr check
// quiet about what is deliberate here.
func (l *LAPIC) reg(off uintptr) *uint32 {
	addr := l.Base + off
	return *(**uint32)(unsafe.Pointer(&addr))
}

// defined in lapic_amd64.s

// MMIOWrite32 stores v to the device register at addr with one MOV.
//
// Not an XCHG (what sync/atomic's store is): a locked access to
// uncached memory locks the bus on hardware (SDM Vol. 3A, "Bus
// Locking"), which a hypervisor may trap or throttle, and QEMU's TCG
// runs it by stopping every other vCPU. A plain store suffices for
// ordering: x86 makes stores visible in program order, and stores to
// uncached memory are not buffered (SDM Vol. 3A, "Memory Ordering in P6
// and More Recent Processor Families", "Methods of Caching Available"),
// so memory written before it (a ring, a flag an IPI's target reads) is
// visible before the device acts. The call is opaque to the compiler,
// which therefore neither elides it nor moves memory accesses across it.
func MMIOWrite32(addr uintptr, v uint32)

// apicWrmsrFence orders earlier memory and APIC writes before a
// following WRMSR to IA32_TSC_DEADLINE or an x2APIC register (MFENCE;
// LFENCE).
func apicWrmsrFence()
