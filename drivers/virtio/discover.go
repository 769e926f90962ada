package virtio

import (
	"errors"
	"fmt"

	"github.com/coracle-os/coracle/drivers/pci"
)

// Resources lends the transports device registers. The kernel implements
// it over its device mappings; the tests over models of the devices.
type Resources interface {
	// Memory returns the registers of size bytes of device memory at
	// physical address pa, mapped uncached: MMIO(va) for the virtual
	// address the caller mapped it at.
	Memory(pa, size uint64) (Registers, error)

	// IOPorts returns the size I/O ports from base: Ports(base).
	IOPorts(base uint16, size uint32) (Registers, error)
}

// Device is a virtio device found on a bus.
type Device struct {
	Type      DeviceType
	Transport Transport

	// IRQ is the interrupt to wait on: the GSI of a virtio-mmio device,
	// or a PCI function's Interrupt Line as firmware routed its INTx
	// pin (-1 when it has no pin or firmware routed none).
	IRQ int

	PCI  *pci.Device // nil for virtio-mmio
	MMIO MMIODevice  // zero for PCI
}

func (d Device) String() string {
	if d.PCI != nil {
		return fmt.Sprintf("virtio-%v at PCI %v", d.Type, d.PCI)
	}
	return fmt.Sprintf("virtio-%v at MMIO %#x irq %d", d.Type, d.MMIO.Base, d.MMIO.IRQ)
}

// FindPCI returns the virtio devices among devs, each with its transport
// (NewPCI: modern if it can, legacy otherwise), in the order of devs.
// Setting a transport up enables the function's decoding and bus
// mastering. A virtio function whose transport cannot be set up is left
// out and reported in err; the others are returned regardless.
func FindPCI(devs []*pci.Device, res Resources) ([]Device, error) {
	var found []Device
	var errs []error
	for _, pd := range devs {
		typ, _, ok := PCIType(pd)
		if !ok {
			continue
		}
		t, err := NewPCI(pd, res)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		irq := -1
		if pd.InterruptPin != 0 && pd.InterruptLine != 0xFF {
			irq = int(pd.InterruptLine)
		}
		found = append(found, Device{Type: typ, Transport: t, IRQ: irq, PCI: pd})
	}
	return found, errors.Join(errs...)
}

// FindMMIO maps each virtio-mmio device the command line described
// (ParseCmdline) and returns those that hold a device, in order.
// Placeholder transports (DeviceID 0) are skipped without an error
// (§4.2.2.2); anything else that is not a virtio device is reported in
// err and skipped.
func FindMMIO(words []MMIODevice, res Resources) ([]Device, error) {
	var found []Device
	var errs []error
	for _, w := range words {
		if w.Size < mmioMinSize {
			errs = append(errs, fmt.Errorf("virtio: MMIO %#x: %d bytes cannot hold the registers", w.Base, w.Size))
			continue
		}
		regs, err := res.Memory(w.Base, w.Size)
		if err != nil {
			errs = append(errs, fmt.Errorf("virtio: MMIO %#x: %w", w.Base, err))
			continue
		}
		t, err := NewMMIO(regs)
		if errors.Is(err, ErrNoDevice) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("virtio: MMIO %#x: %w", w.Base, err))
			continue
		}
		found = append(found, Device{Type: t.Type(), Transport: t, IRQ: int(w.IRQ), MMIO: w})
	}
	return found, errors.Join(errs...)
}
