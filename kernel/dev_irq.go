package kernel

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// Device interrupts: IOAPIC pin n arrives at vector vectorIRQBase+n. The
// handler acknowledges the local APIC and makes the pin's descriptor
// readable. A level-triggered line it also masks, as the line stays
// asserted until the driver acknowledges its device: the driver goroutine
// reads the count, which leaves the pin masked, acknowledges the device
// and does the work, then reads again, and that read, which finds
// nothing, unmasks the pin (devcall.OpenIRQ). Unmasking on the first
// read, before the acknowledgement, let the still-asserted line
// interrupt again at once: two interrupts and two passes of the driver
// for every one. An edge-triggered line is never masked: it fires again
// only on its next edge, which a mask would lose.
//
// Message-signalled interrupts (MSI, MSI-X) have vectors of their own
// from vectorMSIBase: irqs entry maxIRQs+k is vector vectorMSIBase+k.
// They are edge-triggered messages, so nothing is masked: each one
// counts and makes the descriptor readable (devcall.OpenMSI).

const (
	vectorIRQBase = 0x30
	maxIRQs       = 24 // pins of one 82093AA-compatible IOAPIC
	vectorMSIBase = 0x50
	maxMSIs       = 32

	// The MSI message (SDM Vol. 3A §11.11.1, §11.11.2): the address
	// names the destination local APIC (physical mode); the data is
	// the vector, fixed delivery, edge-triggered.
	msiAddressBase = 0xFEE0_0000
	msiDestShift   = 12
)

// irqAPICID is the local APIC every device interrupt is sent to: the
// boot CPU's, whichever CPU opens the descriptor. The handler only
// counts and wakes the driver's thread, which runs wherever the
// scheduler puts it, and it takes the one kernel lock on any CPU, so
// spreading the interrupts would buy no parallelism (docs/smp.md,
// "Device interrupts").
func irqAPICID() uint32 { return bootCPUs.apicIDs[bootCPUs.boot] }

// irqAPICIDFits reports whether irqAPICID fits the 8-bit physical
// destination of an IOAPIC redirection entry and of an MSI address. An
// APIC ID above 255 (x2APIC mode) needs interrupt remapping, which
// coracle does not set up.
func irqAPICIDFits() bool { return irqAPICID() <= 0xFF }

// isDeviceVector reports whether interrupt vector v is a device's: an
// IOAPIC pin's or a message-signalled one.
//
// Trap context: comparisons only.
func isDeviceVector(v uint64) bool {
	return v >= vectorIRQBase && v < vectorIRQBase+maxIRQs || v >= vectorMSIBase && v < vectorMSIBase+maxMSIs
}

// isMSI reports whether irqs entry irq is a message-signalled vector.
func isMSI(irq int) bool { return irq >= maxIRQs }

// deviceInterrupt handles the vector of irqs entry irq.
func deviceInterrupt(irq int) {
	if irqs[irq].level {
		ioAPIC.SetMasked(irq, true)
	}
	lapic.EOI()
	irqs[irq].count++
	kindEvent(fdIRQ, irq, linux.EPOLLIN)
}

// irqRead returns the interrupts counted since the last read; with none
// (the driver has acknowledged its device since it took the count), it
// unmasks the pin and fails with EAGAIN.
func irqRead(d *openFile, b []byte) uint64 {
	if len(b) < 8 {
		return linux.EINVAL.Ret()
	}
	s := &irqs[d.Obj]
	if s.count == 0 {
		if s.level {
			ioAPIC.SetMasked(int(d.Obj), false)
		}
		return linux.EAGAIN.Ret()
	}
	binary.LittleEndian.PutUint64(b, s.count)
	s.count = 0
	return 8
}

// irqClose masks the pin again (a device may still send a message: it
// is counted for no one until the vector is opened again).
func irqClose(d *openFile) {
	if !isMSI(int(d.Obj)) {
		ioAPIC.SetMasked(int(d.Obj), true)
	}
	irqs[d.Obj].open = false
}
