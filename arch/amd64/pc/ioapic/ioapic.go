// Package ioapic programs the I/O APIC (Intel 82093AA datasheet), the
// platform chip that routes device interrupt lines (pins) to local-APIC
// vectors. The kernel masks every pin at boot and routes one when a driver
// opens it (kernel/abi/devcall.OpenIRQ).
//
// Spec: Intel 82093AA I/O Advanced Programmable Interrupt Controller
// datasheet (§3.1 register map, §3.2.4 redirection table).
//
// Trap context: SetMasked runs in interrupt handlers (interrupts off, no
// allocation); the rest runs at boot or in system-call handlers.
package ioapic

import (
	"sync/atomic"
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
)

// IOAPIC is one I/O APIC (Intel 82093AA datasheet): it routes device
// interrupt lines (pins) to local-APIC vectors. Registers are reached
// indirectly: write the register index to IOREGSEL, then read or write
// IOWIN.
//
// The caller maps the 4 KiB register page uncached at Base, and makes
// every access to the chip through one IOAPIC, one at a time: it keeps
// what it wrote.
type IOAPIC struct {
	// Base is the virtual address of the register page (physical
	// 0xFEC00000 on PCs and QEMU's machines).
	Base uintptr
	// low is each entry's low word as Route and SetMasked last wrote
	// it, so that SetMasked need not read it back: under a hypervisor
	// every register access is an exit, and a read goes through
	// IOREGSEL like a write.
	low [maxEntries]uint32
}

// maxEntries is the most redirection entries an I/O APIC can have: the
// maximum redirection entry field is 8 bits (§3.2.2).
const maxEntries = 256

// Register page offsets and register indices (82093AA §3.1, §3.2).
const (
	IOAPIC_PHYS = 0xFEC00000

	IOREGSEL = 0x00
	IOWIN    = 0x10

	IOAPICID  = 0x00
	IOAPICVER = 0x01
	IOREDTBL  = 0x10 // entry n: low word at IOREDTBL+2n, high at +2n+1

	IOAPICVER_MRE = 16 // bits 23:16: maximum redirection entry

	// Redirection entry fields (§3.2.4).
	REDIR_VECTOR    = 0  // bits 7:0
	REDIR_ACTIVELOW = 13 // interrupt input pin polarity
	REDIR_LEVEL     = 15 // trigger mode: 1 level, 0 edge
	REDIR_MASK      = 16
	REDIR_DEST      = 56 // bits 63:56: destination APIC ID (physical mode)
)

// Pins returns the number of redirection entries.
func (a *IOAPIC) Pins() int { return int(a.read(IOAPICVER)>>IOAPICVER_MRE&0xFF) + 1 }

// Route sends pin to vector on the CPU with local APIC ID dest, fixed
// delivery, physical destination mode, masked or not.
func (a *IOAPIC) Route(pin int, vector uint8, level, activeLow, masked bool, dest uint8) {
	v := uint64(vector) << REDIR_VECTOR
	if activeLow {
		v |= 1 << REDIR_ACTIVELOW
	}
	if level {
		v |= 1 << REDIR_LEVEL
	}
	if masked {
		v |= 1 << REDIR_MASK
	}
	v |= uint64(dest) << REDIR_DEST
	// Mask first, so that no half-written entry is ever live.
	a.write(IOREDTBL+2*uint32(pin), 1<<REDIR_MASK)
	a.write(IOREDTBL+2*uint32(pin)+1, uint32(v>>32))
	a.write(IOREDTBL+2*uint32(pin), uint32(v))
	a.low[pin] = uint32(v)
}

// SetMasked masks or unmasks pin, leaving the rest of its entry, which
// Route set. A pin already in that state is left alone: no register
// access at all.
//
// Called from interrupt handlers with interrupts off.
func (a *IOAPIC) SetMasked(pin int, masked bool) {
	v := a.low[pin]
	if masked {
		v |= 1 << REDIR_MASK
	} else {
		v &^= 1 << REDIR_MASK
	}
	if v == a.low[pin] {
		return
	}
	a.write(IOREDTBL+2*uint32(pin), v)
	a.low[pin] = v
}

func (a *IOAPIC) read(reg uint32) uint32 {
	amd64.MMIOWrite32(a.Base+IOREGSEL, reg)
	return atomic.LoadUint32(a.reg(IOWIN))
}

func (a *IOAPIC) write(reg, v uint32) {
	amd64.MMIOWrite32(a.Base+IOREGSEL, reg)
	amd64.MMIOWrite32(a.Base+IOWIN, v)
}

func (a *IOAPIC) reg(off uintptr) *uint32 {
	p := a.Base + off
	return (*uint32)(*(*unsafe.Pointer)(unsafe.Pointer(&p)))
}
