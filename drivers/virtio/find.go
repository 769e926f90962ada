package virtio

import (
	"errors"

	"github.com/coracle-os/coracle/drivers/pci"
)

// Find returns the devices of type want: among the virtio-mmio devices
// the kernel command line cmd names (virtio_mmio.device words: microvm,
// Firecracker), or else among the virtio functions on the PCI bus (q35,
// pc), reached through KernelResources. Finding none is not an error;
// the error reports devices that could not be looked at.
func Find(cmd string, want DeviceType) ([]Device, error) {
	words, err := ParseCmdline(cmd)
	if err != nil {
		return nil, err
	}
	var devs []Device
	if len(words) > 0 {
		devs, err = FindMMIO(words, KernelResources{})
	} else if cs := new(pci.Mechanism1); cs.Present() {
		var found, wanted []*pci.Device
		found, err = pci.Enumerate(cs)
		for _, d := range found {
			if t, _, ok := PCIType(d); ok && t == want {
				wanted = append(wanted, d)
			}
		}
		var ferr error
		devs, ferr = FindPCI(wanted, KernelResources{})
		err = errors.Join(err, ferr)
	}
	var out []Device
	for _, d := range devs {
		if d.Type == want {
			out = append(out, d)
		}
	}
	return out, err
}
