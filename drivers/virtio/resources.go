package virtio

import (
	"fmt"

	"github.com/coracle-os/coracle/kernel/abi/devcall"
)

// KernelResources lends the transports registers through the kernel's
// device mappings (kernel/abi/devcall): MMIO mapped uncached on request, I/O
// ports used directly (ring 3 may: IOPL is 3).
type KernelResources struct{}

var _ Resources = KernelResources{}

// Memory maps device memory [pa, pa+size).
func (KernelResources) Memory(pa, size uint64) (Registers, error) {
	p, err := devcall.MapMMIO(pa, size)
	if err != nil {
		return nil, fmt.Errorf("virtio: registers at %#x: %w", pa, err)
	}
	return MMIO(uintptr(p)), nil
}

// IOPorts returns the ports from base.
func (KernelResources) IOPorts(base uint16, size uint32) (Registers, error) {
	return Ports(base), nil
}
