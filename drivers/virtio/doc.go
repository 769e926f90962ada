// Package virtio is the transport layer of VIRTIO devices: how a device
// driver (virtio-net next) finds a device, negotiates features, tells the
// device where its virtqueues are, notifies it and acknowledges its
// interrupts, whatever bus the device sits on. The virtqueues themselves
// are package virtq; device types are their own packages.
//
// Spec: VIRTIO 1.2 (OASIS, virtio-v1.2-cs01): device status (§2.1),
// feature bits (§2.2, §6), device reset (§2.4), configuration space and
// its generation count (§2.5), the legacy queue layout (§2.7.2), device
// initialisation (§3.1.1, legacy §3.1.2), virtio over PCI (§4.1: device
// IDs §4.1.2, capabilities §4.1.4, common configuration §4.1.4.3,
// notifications §4.1.4.4, ISR §4.1.4.5, the legacy I/O BAR0 layout
// §4.1.4.10, queue set-up §4.1.5.1.3), virtio over MMIO version 2 (§4.2.2,
// §4.2.3) and its legacy version 1 (§4.2.4), and device IDs (§5). The
// virtio_mmio.device= command-line format is Linux's
// (drivers/virtio/virtio_mmio.c, vm_cmdline_set).
//
// # Transports
//
//	MMIOTransport       virtio-mmio, version 2 or legacy version 1
//	PCITransport        virtio-pci modern: structures found by capabilities
//	LegacyPCITransport  virtio-pci legacy: the header in I/O BAR0
//
// All reach registers through the Registers interface: MMIO (a mapped
// virtual address) or Ports (an I/O port base) on the machine, models of
// the devices in the tests.
//
// # Use
//
//	words, err := virtio.ParseCmdline(cmdline)      // virtio-mmio
//	devs, err := virtio.FindMMIO(words, res)
//	pdevs, _ := pci.Enumerate(&pci.Mechanism1{})     // virtio-pci
//	more, err := virtio.FindPCI(pdevs, res)
//
//	// a device driver, for each Device d of its Type:
//	t := d.Transport
//	features, err := virtio.Init(t, myFeatures, func(f uint64) error {
//		size, err := t.QueueSize(0, 256)
//		... // lay out and Init a virtq.Queue of that size
//		desc, driver, device := q.Areas()
//		return t.SetupQueue(0, size, virtio.QueueAddrs{desc, driver, device})
//	})
//	t.Notify(0)                        // when q.NeedsNotify()
//	isr := t.AckInterrupt()            // on the device's interrupt
//
// res (Resources) is how the kernel lends this package device registers:
// it maps physical device memory uncached and returns MMIO at the virtual
// address it chose, and returns Ports for I/O BARs.
//
// # Synchronization
//
// A Transport belongs to its driver's goroutine. Init, QueueSize,
// SetupQueue and the configuration accessors select registers (queue
// and feature selectors, generation counts) and must not run
// concurrently with each other. After DRIVER_OK, Notify and AckInterrupt
// touch no selector and may be called from different goroutines.
//
// Trap context: none — these drivers run in goroutines (docs/network.md).
package virtio
