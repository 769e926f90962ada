package virtioblk

import (
	"unsafe"

	"github.com/coracle-os/coracle/drivers/virtio"
	"github.com/coracle-os/coracle/kernel/abi/devcall"
)

// platform is what the driver takes from the kernel: DMA memory and
// interrupts. kernelPlatform reaches the kernel through devcall; the
// tests substitute Go memory and channels.
type platform interface {
	// allocDMA returns size bytes of zeroed, physically contiguous
	// memory and its physical address.
	allocDMA(size uint64) (mem []byte, phys uint64, err error)
	// openMSIX routes the device's queue interrupts to a new MSI-X
	// message and returns the waiter and a description, or a nil
	// waiter if the device or irq rule MSI-X out. It runs before
	// virtio.Init, which maps the queue to the message.
	openMSIX(dev virtio.Device, irq Interrupts) (waiter, string, error)
	// openLine opens interrupt line irq.
	openLine(irq, flags int) (waiter, error)
}

// waiter is an interrupt: Wait returns once it has fired since the
// previous Wait (at once if it has).
type waiter interface {
	Wait() error
	Close() error
}

// kernelPlatform is the platform of a program running on coracle.
type kernelPlatform struct{}

func (kernelPlatform) allocDMA(size uint64) ([]byte, uint64, error) { return devcall.AllocDMA(size) }

func (kernelPlatform) openMSIX(dev virtio.Device, irq Interrupts) (waiter, string, error) {
	pt, ok := dev.Transport.(*virtio.PCITransport)
	if !ok || !pt.HasMSIX() || irq.NoMSIX {
		return nil, "", nil
	}
	f, msg, err := devcall.OpenMSI()
	if err != nil {
		return nil, "", err
	}
	if err := pt.UseMSIX(msg.Address, msg.Data); err != nil {
		f.Close()
		return nil, "", err
	}
	return irqFile{f}, "MSI-X", nil
}

func (kernelPlatform) openLine(irq, flags int) (waiter, error) {
	f, err := devcall.OpenIRQ(irq, flags)
	if err != nil {
		return nil, err
	}
	return irqFile{f}, nil
}

// irqFile is an interrupt descriptor (devcall.OpenIRQ, devcall.OpenMSI):
// Wait waits for the next interrupt and, for a line, unmasks it again
// first (the device was acknowledged since the last Wait).
type irqFile struct{ ev *devcall.Events }

func (w irqFile) Wait() error {
	_, err := w.ev.Wait()
	return err
}

func (w irqFile) Close() error { return w.ev.Close() }

// addressOf is the address of DMA memory, which the kernel mapped and the
// garbage collector does not manage.
func addressOf(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }
