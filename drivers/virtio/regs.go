package virtio

import (
	"sync/atomic"
	"unsafe"

	"github.com/coracle-os/coracle/arch/amd64"
)

// Registers is a window of device registers: memory-mapped (MMIO) or an
// I/O port range (Ports). Offsets are bytes from the window's start, and
// each access is one bus access of exactly the width asked for: the
// transports use the widths the spec requires, which matters because
// registers such as the PCI ISR status clear on read.
//
// Tests implement it with models of the devices.
type Registers interface {
	Read8(off uint32) uint8
	Read16(off uint32) uint16
	Read32(off uint32) uint32
	Write8(off uint32, v uint8)
	Write16(off uint32, v uint16)
	Write32(off uint32, v uint32)
}

// MMIO is memory-mapped registers at a virtual address, which the caller
// maps uncached before use (the kernel maps device memory user-accessible,
// so these run in ring 3).
//
// 32-bit loads are sync/atomic loads: single MOVs the compiler may
// neither elide nor merge. Stores, and the 8- and 16-bit loads that
// sync/atomic lacks, are single MOVs in regs_amd64.s: a call into
// assembly is opaque to the compiler, so it is not reordered with the
// accesses around it, and x86 does not reorder a store with earlier
// stores, so ring updates in ordinary memory are visible before a
// notification. A 32-bit store is not sync/atomic's XCHG: a locked
// access to device memory is a bus lock on hardware and stops every
// other vCPU under QEMU's TCG (arch/amd64.MMIOWrite32).
type MMIO uintptr

var _ Registers = MMIO(0)

// Read8 implements Registers.
func (m MMIO) Read8(off uint32) uint8 { return mmioRead8(uintptr(m) + uintptr(off)) }

// Read16 implements Registers.
func (m MMIO) Read16(off uint32) uint16 { return mmioRead16(uintptr(m) + uintptr(off)) }

// Read32 implements Registers.
func (m MMIO) Read32(off uint32) uint32 { return atomic.LoadUint32(m.reg32(off)) }

// Write8 implements Registers.
func (m MMIO) Write8(off uint32, v uint8) { mmioWrite8(uintptr(m)+uintptr(off), v) }

// Write16 implements Registers.
func (m MMIO) Write16(off uint32, v uint16) { mmioWrite16(uintptr(m)+uintptr(off), v) }

// Write32 implements Registers.
func (m MMIO) Write32(off uint32, v uint32) { amd64.MMIOWrite32(uintptr(m)+uintptr(off), v) }

// reg32 turns the register's address into a pointer. Device memory is not
// Go memory, so the garbage collector never needs to know; converting
// through memory rather than unsafe.Pointer(uintptr) keeps go vet's
// unsafeptr check quiet about what is deliberate here (as arch/amd64's
// LAPIC does).
func (m MMIO) reg32(off uint32) *uint32 {
	addr := uintptr(m) + uintptr(off)
	return *(**uint32)(unsafe.Pointer(&addr))
}

// Ports is an I/O port range starting at its value (a legacy virtio-pci
// BAR0). The kernel runs the program with IOPL 3, so ring 3 may use IN
// and OUT.
type Ports uint16

var _ Registers = Ports(0)

// Read8 implements Registers.
func (p Ports) Read8(off uint32) uint8 { return amd64.Inb(uint16(p) + uint16(off)) }

// Read16 implements Registers.
func (p Ports) Read16(off uint32) uint16 { return amd64.Inw(uint16(p) + uint16(off)) }

// Read32 implements Registers.
func (p Ports) Read32(off uint32) uint32 { return amd64.Inl(uint16(p) + uint16(off)) }

// Write8 implements Registers.
func (p Ports) Write8(off uint32, v uint8) { amd64.Outb(uint16(p)+uint16(off), v) }

// Write16 implements Registers.
func (p Ports) Write16(off uint32, v uint16) { amd64.Outw(uint16(p)+uint16(off), v) }

// Write32 implements Registers.
func (p Ports) Write32(off uint32, v uint32) { amd64.Outl(uint16(p)+uint16(off), v) }

// defined in regs_amd64.s

// mmioRead8 loads the byte at addr with one MOVB.
func mmioRead8(addr uintptr) uint8

// mmioRead16 loads the word at addr with one MOVW.
func mmioRead16(addr uintptr) uint16

// mmioWrite8 stores v at addr with one MOVB.
func mmioWrite8(addr uintptr, v uint8)

// mmioWrite16 stores v at addr with one MOVW.
func mmioWrite16(addr uintptr, v uint16)

// Sub returns the window of r that starts at off.
func Sub(r Registers, off uint32) Registers {
	switch r := r.(type) {
	case MMIO:
		return r + MMIO(off)
	case Ports:
		return r + Ports(off)
	case window:
		return window{r.r, r.off + off}
	}
	return window{r, off}
}

// window is a sub-range of another Registers.
type window struct {
	r   Registers
	off uint32
}

func (w window) Read8(off uint32) uint8       { return w.r.Read8(w.off + off) }
func (w window) Read16(off uint32) uint16     { return w.r.Read16(w.off + off) }
func (w window) Read32(off uint32) uint32     { return w.r.Read32(w.off + off) }
func (w window) Write8(off uint32, v uint8)   { w.r.Write8(w.off+off, v) }
func (w window) Write16(off uint32, v uint16) { w.r.Write16(w.off+off, v) }
func (w window) Write32(off uint32, v uint32) { w.r.Write32(w.off+off, v) }
