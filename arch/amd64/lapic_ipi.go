package amd64

// Inter-processor interrupts through the local APIC's Interrupt Command
// Register (SDM Vol. 3A §11.6.1, Figure 11-12 "Interrupt Command
// Register (ICR)"; §11.12.9 for x2APIC mode). The kernel starts the
// application processors with INIT and STARTUP IPIs (§9.4.4, "MP
// Initialization Example") and will wake them with fixed-vector IPIs.

// ICR fields, as bit positions in the low doubleword (Figure 11-12).
const (
	ICR_VECTOR     = 0  // bits 7:0
	ICR_DELIVERY   = 8  // bits 10:8: delivery mode
	ICR_DEST_MODE  = 11 // 0 physical, 1 logical
	ICR_STATUS     = 12 // delivery status: send pending (xAPIC, read only)
	ICR_LEVEL      = 14 // 1 assert; 0 only for INIT level de-assert
	ICR_TRIGGER    = 15 // 0 edge, 1 level
	ICR_SHORTHAND  = 18 // bits 19:18: destination shorthand
	ICR_DEST_XAPIC = 24 // bits 31:24 of ICR high (bits 63:56 of the ICR)
	ICR_DEST_X2    = 32 // bits 63:32 of the x2APIC ICR: the x2APIC ID

	// Delivery modes, ICR_DELIVERY field values.
	DELIVERY_FIXED   = 0b000
	DELIVERY_LOWEST  = 0b001
	DELIVERY_SMI     = 0b010
	DELIVERY_NMI     = 0b100
	DELIVERY_INIT    = 0b101
	DELIVERY_STARTUP = 0b110

	// Destination shorthands, ICR_SHORTHAND field values.
	SHORTHAND_NONE      = 0b00
	SHORTHAND_SELF      = 0b01
	SHORTHAND_ALL       = 0b10
	SHORTHAND_ALL_OTHER = 0b11

	// MSR_X2APIC_ICR is the whole 64-bit ICR in x2APIC mode (SDM Vol. 3A
	// §11.12.1.2, Table 11-6: MMIO offset 0x300 maps to MSR 0x830).
	MSR_X2APIC_ICR = 0x830

	// xAPICMaxID is the largest APIC ID the 8-bit xAPIC destination
	// field can name.
	xAPICMaxID = 0xFF
)

// ICRInit is the low ICR doubleword of an INIT IPI to the named
// destination: delivery mode INIT, level assert, edge triggered. The
// target resets to the wait-for-SIPI state (§9.4.4; the de-assert IPI
// that P6-era processors also needed is ignored by later ones, §11.6.1).
func ICRInit() uint32 {
	return DELIVERY_INIT<<ICR_DELIVERY | 1<<ICR_LEVEL
}

// ICRStartup is the low ICR doubleword of a STARTUP IPI: the target, in
// the wait-for-SIPI state, starts in real mode at CS:IP = page<<8:0,
// that is at physical address page<<12 (§9.4.4, §11.6.1). page is the
// number of a 4 KiB page below 1 MiB; vectors 0xA0-0xBF are reserved.
func ICRStartup(page uint8) uint32 {
	return DELIVERY_STARTUP<<ICR_DELIVERY | 1<<ICR_LEVEL | uint32(page)<<ICR_VECTOR
}

// ICRFixed is the low ICR doubleword of a fixed-vector IPI: the target
// takes an interrupt with the given vector (at least 16, §11.5.2).
func ICRFixed(vector uint8) uint32 {
	return DELIVERY_FIXED<<ICR_DELIVERY | 1<<ICR_LEVEL | uint32(vector)<<ICR_VECTOR
}

// ICRHighXAPIC is the high ICR doubleword naming physical destination
// apicID in xAPIC mode (bits 63:56 of the ICR).
func ICRHighXAPIC(apicID uint8) uint32 { return uint32(apicID) << ICR_DEST_XAPIC }

// ICRX2APIC is the 64-bit value an x2APIC-mode WRMSR to MSR_X2APIC_ICR
// sends: the 32-bit x2APIC ID in bits 63:32, low the command (§11.12.9).
func ICRX2APIC(apicID uint32, low uint32) uint64 {
	return uint64(apicID)<<ICR_DEST_X2 | uint64(low)
}

// icrPollLimit bounds the wait for the delivery-status bit: an APIC
// accepts an IPI within a few hundred bus cycles, and under a hypervisor
// at once, so a bit still set after this many reads means the APIC is
// stuck.
const icrPollLimit = 1 << 20

// SendIPI sends the command low (ICRInit, ICRStartup, ICRFixed) to the
// local APIC with ID apicID. In xAPIC mode it waits for any earlier IPI
// to leave, writes the destination to ICR high and then the command to
// ICR low, which sends it (§11.6.1), and waits until it has been
// accepted; it reports false if apicID does not fit the 8-bit
// destination or the delivery-status bit never clears. In x2APIC mode it
// is one WRMSR (SendIPIX2APIC) and always reports true.
//
// Called with interrupts off (the ICR is one register for the whole CPU).
func (l *LAPIC) SendIPI(apicID uint32, low uint32) bool {
	if l.X2APIC {
		SendIPIX2APIC(apicID, low)
		return true
	}
	if apicID > xAPICMaxID || !l.waitIdle() {
		return false
	}
	l.write(LAPIC_ICR_HIGH, ICRHighXAPIC(uint8(apicID)))
	l.write(LAPIC_ICR_LOW, low)
	return l.waitIdle()
}

// waitIdle polls the delivery-status bit until no IPI is pending.
func (l *LAPIC) waitIdle() bool {
	for range icrPollLimit {
		if l.read(LAPIC_ICR_LOW)&(1<<ICR_STATUS) == 0 {
			return true
		}
		Pause()
	}
	return false
}

// SendIPIX2APIC sends the command low to the local APIC with x2APIC ID
// apicID in x2APIC mode: one WRMSR of the whole ICR, which has no
// delivery-status bit to poll (§11.12.9). A WRMSR to an x2APIC register
// is not serializing and may send the IPI before earlier stores are
// visible (§11.12.3), so a fence comes first: the target of a kick or a
// TLB shootdown must see what the sender wrote before it.
func SendIPIX2APIC(apicID uint32, low uint32) {
	apicWrmsrFence()
	Wrmsr(MSR_X2APIC_ICR, ICRX2APIC(apicID, low))
}
