// Package i8259 silences the legacy Intel 8259A programmable interrupt
// controllers. coracle takes its interrupts through the local APIC, but
// firmware (SeaBIOS on q35 and pc) leaves the PICs initialised at vectors
// 8-15 with the PIT's IRQ 0 running: unless they are remapped and masked,
// the first timer tick arrives as vector 8 and looks like a double fault.
//
// Spec: Intel 8259A datasheet (ICW1-4, OCW1).
//
// Trap context: none (boot only).
package i8259

import "github.com/coracle-os/coracle/arch/amd64"

// I/O ports of the two PICs.
const (
	MasterCommand = 0x20
	MasterData    = 0x21
	SlaveCommand  = 0xA0
	SlaveData     = 0xA1
)

// Initialisation command words (8259A datasheet, "Initialization
// Command Words").
const (
	ICW1_INIT                 = 1 << 4 // start initialisation
	ICW1_ICW4                 = 1 << 0 // ICW4 follows
	ICW3_MASTER_SLAVE_ON_IRQ2 = 1 << 2
	ICW3_SLAVE_ID             = 2
	ICW4_8086                 = 1 << 0
	OCW1_MASK_ALL             = 0xFF
)

// Disable remaps the PICs to vectors base..base+15, out of the way of
// the CPU's exceptions, and masks every line.
func Disable(base uint8) {
	amd64.Outb(MasterCommand, ICW1_INIT|ICW1_ICW4)
	amd64.Outb(SlaveCommand, ICW1_INIT|ICW1_ICW4)
	amd64.Outb(MasterData, base)
	amd64.Outb(SlaveData, base+8)
	amd64.Outb(MasterData, ICW3_MASTER_SLAVE_ON_IRQ2)
	amd64.Outb(SlaveData, ICW3_SLAVE_ID)
	amd64.Outb(MasterData, ICW4_8086)
	amd64.Outb(SlaveData, ICW4_8086)
	amd64.Outb(MasterData, OCW1_MASK_ALL)
	amd64.Outb(SlaveData, OCW1_MASK_ALL)
}
