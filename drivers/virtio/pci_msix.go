package virtio

import (
	"fmt"

	"github.com/coracle-os/coracle/drivers/pci"
)

// VIRTIO_MSI_NO_VECTOR in a vector field means no MSI-X vector (§4.1.4.3).
const VIRTIO_MSI_NO_VECTOR = 0xFFFF

// HasMSIX reports whether the function can signal with MSI-X.
func (t *PCITransport) HasMSIX() bool {
	_, _, n, ok := t.pdev.MSIXTable()
	return ok && n > 0
}

// UseMSIX makes the device signal every queue with one MSI-X message,
// data written to address (as devcall.OpenMSI returns them), instead of
// INTx. Call it before Init: SetupQueue maps each queue to the message
// (§4.1.5.1.2). Configuration changes are not signalled.
func (t *PCITransport) UseMSIX(address uint64, data uint32) error {
	bir, off, n, ok := t.pdev.MSIXTable()
	if !ok || n == 0 {
		return fmt.Errorf("virtio: PCI %v has no MSI-X table", t.pdev)
	}
	table, err := t.bars.bar(bir, uint64(off), uint64(n)*pci.MSIX_ENTRY_SIZE)
	if err != nil {
		return fmt.Errorf("virtio: PCI %v: MSI-X table: %w", t.pdev, err)
	}
	t.pdev.Enable(t.bars.cmd)
	// Mask the entry while it changes (PCI 3.0 §6.8.3.5), then unmask.
	table.Write32(pci.MSIX_ENTRY_CTRL, pci.MSIX_ENTRY_CTRL_MASK)
	table.Write32(pci.MSIX_ENTRY_ADDR, uint32(address))
	table.Write32(pci.MSIX_ENTRY_ADDR_HI, uint32(address>>32))
	table.Write32(pci.MSIX_ENTRY_DATA, data)
	table.Write32(pci.MSIX_ENTRY_CTRL, 0)
	t.pdev.SetMSIX(true)
	t.common.Write16(COMMON_CONFIG_MSIX_VECTOR, VIRTIO_MSI_NO_VECTOR)
	t.msix = true
	return nil
}
