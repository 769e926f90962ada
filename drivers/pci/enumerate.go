package pci

import (
	"errors"
	"fmt"
)

// Probe reads the function at bus/dev/fn. ok is false when no function
// answers there (Vendor ID all ones, or zero as some bridges return).
//
// Probe sizes the BARs, which briefly turns off the function's memory and
// I/O decoding (see sizeBARs): do not probe a function another goroutine
// is driving.
func Probe(cs ConfigSpace, bus, dev, fn uint8) (d *Device, ok bool) {
	id := cs.Read32(bus, dev, fn, VENDOR_ID)
	if vendor := uint16(id); vendor == 0xFFFF || vendor == 0 {
		return nil, false
	}
	d = &Device{Bus: bus, Dev: dev, Func: fn, cs: cs}
	d.VendorID, d.DeviceID = uint16(id), uint16(id>>16)

	class := d.Read32(REVISION_ID)
	d.RevisionID = uint8(class)
	d.ProgIF = uint8(class >> CLASS_PROG)
	d.Subclass = uint8(class >> CLASS_SUB)
	d.Class = uint8(class >> CLASS_BASE)

	ht := d.Read8(HEADER_TYPE)
	d.HeaderType = ht & HEADER_TYPE_LAYOUT
	d.MultiFunction = ht&(1<<HEADER_TYPE_MF) != 0

	nBARs := 0
	switch d.HeaderType {
	case HEADER_TYPE_NORMAL:
		nBARs = 6
		ss := d.Read32(SUBSYSTEM_VENDOR_ID)
		d.SubsystemVendorID, d.SubsystemID = uint16(ss), uint16(ss>>16)
	case HEADER_TYPE_BRIDGE:
		nBARs = 2
		d.SecondaryBus = d.Read8(SECONDARY_BUS)
		d.SubordinateBus = d.Read8(SUBORDINATE_BUS)
	}
	d.BARs = d.sizeBARs(nBARs)

	intr := d.Read32(INTERRUPT_LINE)
	d.InterruptLine, d.InterruptPin = uint8(intr), uint8(intr>>8)

	if d.HeaderType <= HEADER_TYPE_BRIDGE && d.Read16(STATUS)&(1<<STATUS_CAP_LIST) != 0 {
		d.Capabilities = d.readCapabilities()
	}
	return d, true
}

// sizeBARs reads n Base Address registers and sizes them as PCI 3.0
// §6.2.5.1 describes: save the register, write all ones, read back which
// address bits stick, restore. The lowest address bit that sticks is the
// size. A 64-bit memory BAR is sized as a pair: all ones in both halves.
//
// While a BAR holds all ones the function would decode that address, so
// memory and I/O decoding are turned off around the sizing and the
// Command register is restored afterwards.
func (d *Device) sizeBARs(n int) []BAR {
	if n == 0 {
		return nil
	}
	bars := make([]BAR, n)
	cmd := d.Command()
	decode := uint16(1<<COMMAND_IO | 1<<COMMAND_MEMORY)
	if cmd&decode != 0 {
		d.setCommand(cmd &^ decode)
	}
	for i := 0; i < n; i++ {
		off := uint16(BAR0 + 4*i)
		orig, mask := d.sizeBAR(off)
		if orig&(1<<BAR_SPACE) != 0 {
			m := uint64(mask & BAR_IO_ADDR_MASK)
			if m != 0 {
				bars[i] = BAR{Kind: BARIO, Addr: uint64(orig & BAR_IO_ADDR_MASK), Size: m & -m}
			}
			continue
		}
		b := BAR{Kind: BARMem32, Prefetchable: orig&(1<<BAR_MEM_PREFETCH) != 0, Addr: uint64(orig & BAR_MEM_ADDR_MASK)}
		m := uint64(mask & BAR_MEM_ADDR_MASK)
		slot := i
		if (orig>>BAR_MEM_TYPE)&BAR_MEM_TYPE_WIDTH == BAR_MEM_TYPE_64 && i+1 < n {
			origHi, maskHi := d.sizeBAR(off + 4)
			b.Kind = BARMem64
			b.Addr |= uint64(origHi) << 32
			m |= uint64(maskHi) << 32
			i++ // the upper half stays BARNone
		}
		if m != 0 {
			b.Size = m & -m
			bars[slot] = b
		}
	}
	if cmd&decode != 0 {
		d.setCommand(cmd)
	}
	return bars
}

// sizeBAR writes all ones to the BAR at off, reads back the mask and
// restores the original value.
func (d *Device) sizeBAR(off uint16) (orig, mask uint32) {
	orig = d.Read32(off)
	d.Write32(off, 0xFFFF_FFFF)
	mask = d.Read32(off)
	d.Write32(off, orig)
	return orig, mask
}

// readCapabilities walks the capability list (PCI 3.0 §6.7). Pointers
// are dword aligned, with bits 1:0 reserved, and point past the 64-byte
// header; a list longer than the space can hold has a loop.
func (d *Device) readCapabilities() []Capability {
	var caps []Capability
	ptr := d.Read8(CAPABILITIES_PTR) &^ 3
	for n := 0; ptr >= 0x40 && n < maxCapabilities; n++ {
		hdr := d.Read32(uint16(ptr))
		caps = append(caps, Capability{ID: uint8(hdr >> (8 * CAP_ID)), Offset: ptr})
		ptr = uint8(hdr>>(8*CAP_NEXT)) &^ 3
	}
	return caps
}

// Enumerate finds every function on bus 0 and, depth first, on the buses
// behind PCI-to-PCI bridges, in bus/device/function order within each
// bus. Functions 1-7 are probed only when function 0 has the
// multi-function bit (single-function devices may answer on every
// function number).
//
// Bus numbers are not assigned: a bridge whose secondary bus the firmware
// left at 0, or one that points back at a bus already walked, is reported
// in err and not followed. The devices found are returned even when err
// is not nil.
func Enumerate(cs ConfigSpace) ([]*Device, error) {
	e := enumerator{cs: cs}
	e.scan(0)
	return e.devs, errors.Join(e.errs...)
}

type enumerator struct {
	cs   ConfigSpace
	seen [256]bool
	devs []*Device
	errs []error
}

func (e *enumerator) scan(bus uint8) {
	e.seen[bus] = true
	for dev := uint8(0); dev < MaxDevice; dev++ {
		d0, ok := Probe(e.cs, bus, dev, 0)
		if !ok {
			continue
		}
		e.add(d0)
		if !d0.MultiFunction {
			continue
		}
		for fn := uint8(1); fn < MaxFunction; fn++ {
			if d, ok := Probe(e.cs, bus, dev, fn); ok {
				e.add(d)
			}
		}
	}
}

func (e *enumerator) add(d *Device) {
	e.devs = append(e.devs, d)
	if !d.IsBridge() {
		return
	}
	switch sec := d.SecondaryBus; {
	case sec == 0:
		e.errs = append(e.errs, fmt.Errorf("pci: bridge %v has no secondary bus number (firmware did not configure it); not walked", d))
	case sec <= d.Bus || e.seen[sec]:
		e.errs = append(e.errs, fmt.Errorf("pci: bridge %v points back at bus %#x; not walked", d, sec))
	default:
		e.scan(sec)
	}
}
