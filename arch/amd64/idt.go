package amd64

import "unsafe"

// Gate is a 64-bit IDT gate descriptor (SDM Vol. 3A §6.14.1, Figure 6-8).
type Gate struct {
	offsetLow  uint16
	selector   uint16
	ist        uint8 // bits 2:0
	attributes uint8 // P, DPL, type
	offsetMid  uint16
	offsetHigh uint32
	reserved   uint32
}

const (
	gateTypeInterrupt = 0xE // clears IF on entry
	gateP             = 1 << 7
	gateDPL           = 5
)

// InterruptGate returns a gate to handler on the kernel code segment,
// using interrupt stack ist (0 for none), callable by INT n from ring dpl.
func InterruptGate(handler uintptr, ist, dpl int) Gate {
	return Gate{
		offsetLow:  uint16(handler),
		selector:   KernelCS,
		ist:        uint8(ist & 7),
		attributes: gateP | uint8(dpl&3)<<gateDPL | gateTypeInterrupt,
		offsetMid:  uint16(handler >> 16),
		offsetHigh: uint32(handler >> 32),
	}
}

// Handler returns the address the gate jumps to.
func (g Gate) Handler() uintptr {
	return uintptr(g.offsetLow) | uintptr(g.offsetMid)<<16 | uintptr(g.offsetHigh)<<32
}

var idt [256]Gate

// LoadIDT installs the IDT.
func LoadIDT() {
	p := pseudoDescriptor{limit: uint16(unsafe.Sizeof(idt) - 1), base: uint64(uintptr(unsafe.Pointer(&idt)))}
	lidt(&p)
}
