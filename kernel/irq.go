package kernel

import (
	"encoding/binary"

	"github.com/coracle-os/coracle/arch/amd64"
	"github.com/coracle-os/coracle/arch/amd64/pc/ioapic"
	"github.com/coracle-os/coracle/kernel/abi/devcall"
	"github.com/coracle-os/coracle/kernel/abi/linux"
)

// Device interrupts: IOAPIC pin n arrives at vector vectorIRQBase+n. The
// handler masks the pin, acknowledges the local APIC and makes the pin's
// descriptor readable; the driver goroutine acknowledges its device,
// then reads the descriptor, which unmasks the pin (devcall.OpenIRQ).
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

var (
	ioAPIC ioapic.IOAPIC
	irqs   [maxIRQs + maxMSIs]struct {
		open  bool
		count uint64
	}
)

// isMSI reports whether irqs entry irq is a message-signalled vector.
func isMSI(irq int) bool { return irq >= maxIRQs }

// setupIOAPIC masks every pin until a driver asks for one.
func setupIOAPIC() {
	ioAPIC.Base = directMapBase + ioapic.IOAPIC_PHYS
	for pin := range min(ioAPIC.Pins(), maxIRQs) {
		ioAPIC.Route(pin, uint8(vectorIRQBase+pin), false, false, true, 0)
	}
}

// deviceInterrupt handles the vector of irqs entry irq.
func deviceInterrupt(irq int) {
	if !isMSI(irq) {
		ioAPIC.SetMasked(irq, true)
	}
	lapic.EOI()
	irqs[irq].count++
	for i := range usedFDs() {
		if d := &fds[i]; d.kind == fdIRQ && d.obj == irq {
			fdEvent(int32(i), linux.EPOLLIN)
		}
	}
}

// sysOpenIRQ routes pin f.RDI to its vector with the trigger mode and
// polarity in f.RSI (devcall.IRQLevel, devcall.IRQActiveLow) and returns a
// non-blocking descriptor for it.
func sysOpenIRQ(t *Thread, f *amd64.TrapFrame) uint64 {
	irq := int(f.RDI)
	if f.RDI >= uint64(min(ioAPIC.Pins(), maxIRQs)) {
		return linux.EINVAL.Ret()
	}
	if irqs[irq].open {
		return linux.EEXIST.Ret()
	}
	fd := allocFD(fdIRQ, irq, linux.O_RDWR|linux.O_NONBLOCK, true)
	if fd < 0 {
		return linux.EMFILE.Ret()
	}
	irqs[irq].open, irqs[irq].count = true, 0
	ioAPIC.Route(irq, uint8(vectorIRQBase+irq), f.RSI&devcall.IRQLevel != 0, f.RSI&devcall.IRQActiveLow != 0, false, uint8(lapic.ID()))
	return uint64(fd)
}

// sysOpenMSI allocates a vector for message-signalled interrupts and
// returns a descriptor for it, with the message to program into the
// device in RDX: the data (the vector) in the high half, the address in
// the low half.
func sysOpenMSI(t *Thread, f *amd64.TrapFrame) uint64 {
	for k := range maxMSIs {
		irq := maxIRQs + k
		if irqs[irq].open {
			continue
		}
		fd := allocFD(fdIRQ, irq, linux.O_RDWR|linux.O_NONBLOCK, true)
		if fd < 0 {
			return linux.EMFILE.Ret()
		}
		irqs[irq].open, irqs[irq].count = true, 0
		addr := uint64(msiAddressBase | lapic.ID()<<msiDestShift)
		f.RDX = uint64(vectorMSIBase+k)<<32 | addr
		return uint64(fd)
	}
	return linux.ENOSPC.Ret()
}

// irqRead returns the interrupts counted since the last read and
// unmasks the pin.
func irqRead(d *fileDesc, b []byte) uint64 {
	if len(b) < 8 {
		return linux.EINVAL.Ret()
	}
	s := &irqs[d.obj]
	if !isMSI(d.obj) {
		ioAPIC.SetMasked(d.obj, false)
	}
	if s.count == 0 {
		return linux.EAGAIN.Ret()
	}
	binary.LittleEndian.PutUint64(b, s.count)
	s.count = 0
	return 8
}

// irqClose masks the pin again (a device may still send a message: it
// is counted for no one until the vector is opened again).
func irqClose(d *fileDesc) {
	if !isMSI(d.obj) {
		ioAPIC.SetMasked(d.obj, true)
	}
	irqs[d.obj].open = false
}
